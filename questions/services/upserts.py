"""The writes every loader and editor of the bank shares: create or update a row writing only
what changed; replace a question's options, exhibits or tags when they changed; store an
exhibit's image."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models

from ..images import ImageInfo, image_info
from ..models import Choice, Exhibit, Question, Tag

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def _differs(obj: models.Model, name: str, value) -> bool:
    field = obj._meta.get_field(name)
    if field.many_to_one:  # compare the key, without loading the related row
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def upsert(
    model: type[models.Model], *, lookup: dict, values: dict, validate: bool = False
) -> tuple[models.Model, str]:
    """The row ``lookup`` holding ``values``, and ``CREATED``, ``UPDATED`` or ``UNCHANGED``.

    An update writes only the fields that differ (and any ``auto_now`` field); a row that
    already holds ``values`` is not written at all, so loading the same files twice is a no-op.
    ``validate`` runs ``full_clean()`` before each write.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        outcome, changed = CREATED, None
    else:
        changed = [name for name, value in values.items() if _differs(obj, name, value)]
        if not changed:
            return obj, UNCHANGED
        for name in changed:
            setattr(obj, name, values[name])
        outcome = UPDATED
        changed += [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    if validate:
        obj.full_clean()
    obj.save(update_fields=changed)
    return obj, outcome


def choices_replace(question: Question, wanted: Sequence[tuple]) -> bool:
    """Give ``question`` exactly the options ``wanted`` ((text, correct, why) or (text, correct,
    why, prompt), in order); ``False`` when it already has them. Positions are the authoring
    order (an ordering item's right order): attempts keep their own copy in the version they
    drew, so replacing the rows changes no attempt."""
    wanted = [(c[0], bool(c[1]), c[2], c[3] if len(c) > 3 else "") for c in wanted]
    have = [(c.text, c.is_correct, c.why, c.prompt) for c in question.choices.order_by("position")]
    if have == wanted:
        return False
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, position=i, text=text, is_correct=correct, why=why, prompt=prompt)
        for i, (text, correct, why, prompt) in enumerate(wanted)
    )
    return True


@dataclass(frozen=True)
class ExhibitData:
    """An exhibit as an author gives it: a stored image (``image``, its storage name, from
    ``exhibit_store``) with its alt text."""

    image: str
    alt: str
    width: int = 0
    height: int = 0


def exhibit_store(data: bytes) -> ImageInfo:
    """Check ``data`` (type from its content, size, pixels: ``ValidationError`` for an author)
    and store it through Django's storage API under a name made from its content. The same
    image uploaded twice is stored once; a stored file is never overwritten or deleted, so every
    version naming it keeps it."""
    info = image_info(data)
    if not default_storage.exists(info.name):
        saved = default_storage.save(info.name, ContentFile(data))
        if saved != info.name:  # a race stored it first: keep one file under its own name
            default_storage.delete(saved)
    return info


def exhibits_replace(question: Question, wanted: Sequence[ExhibitData]) -> bool:
    """Give ``question`` exactly the exhibits ``wanted``, in order; ``False`` if it had them."""
    have = [(e.image.name, e.alt) for e in question.exhibits.order_by("position")]
    if have == [(e.image, e.alt) for e in wanted]:
        return False
    question.exhibits.all().delete()
    Exhibit.objects.bulk_create(
        Exhibit(question=question, position=i, image=e.image, alt=e.alt, width=e.width, height=e.height)
        for i, e in enumerate(wanted)
    )
    return True


def tags_set(question: Question, names: Sequence[str]) -> None:
    """Give ``question`` exactly the tags ``names`` (created when new; compared lower-case)."""
    tags = []
    for name in dict.fromkeys(n.strip().lower() for n in names if n.strip()):
        tags.append(Tag.objects.get_or_create(name=name[:50])[0])
    question.tags.set(tags)
