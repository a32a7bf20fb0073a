"""Exhibit images: what an upload is, read from its bytes with Pillow (never from its name)."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from . import rules

EXHIBIT_DIR = "exhibits"


@dataclass(frozen=True)
class ImageInfo:
    format: str  # Pillow's name: PNG, JPEG, WEBP, GIF
    width: int
    height: int
    name: str  # the storage name, from the content: exhibits/<sha256>.<ext>


def image_info(data: bytes) -> ImageInfo:
    """The image in ``data``, or ``ValidationError`` saying what is wrong with it, for an author:
    too large, not an image, a type we do not show, too many pixels, or damaged."""
    if len(data) > rules.EXHIBIT_MAX_BYTES:
        raise ValidationError(
            f"The image is {len(data) / 1_048_576:.1f} MB; at most {rules.EXHIBIT_MAX_BYTES // 1_048_576} MB."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(rules.EXHIBIT_FORMATS)) as image:
                fmt, (width, height) = image.format, image.size
                if width * height > rules.EXHIBIT_MAX_PIXELS:
                    raise ValidationError(
                        f"The image is {width} × {height} pixels; "
                        f"at most {rules.EXHIBIT_MAX_PIXELS:,} pixels."
                    )
                image.verify()  # a truncated or damaged file fails here
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            f"This file is not an image of a type we show ({rules.EXHIBIT_FORMAT_NAMES})."
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(f"The image could not be read ({exc}).") from None
    digest = hashlib.sha256(data).hexdigest()
    return ImageInfo(fmt, width, height, f"{EXHIBIT_DIR}/{digest}.{rules.EXHIBIT_FORMATS[fmt]}")


def is_exhibit_name(name: str) -> bool:
    """A name ``image_info`` could have given: how a stored version's names are checked."""
    stem, _, ext = name.removeprefix(f"{EXHIBIT_DIR}/").partition(".")
    return (
        name.startswith(f"{EXHIBIT_DIR}/")
        and len(stem) == 64
        and all(c in "0123456789abcdef" for c in stem)
        and ext in rules.EXHIBIT_FORMATS.values()
    )
