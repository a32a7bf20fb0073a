"""Parsing what the browser sends; every problem becomes a clear message, nothing is guessed."""

import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from questions.rules import MAX_OPTIONS

MAX_BODY = 4096


@dataclass(frozen=True)
class SavePayload:
    position: int
    selected: list[int]
    flagged: bool
    revision: int


def parse_id(value) -> int | None:
    """A database id typed into a form or query string: ASCII digits only (``'²'.isdigit()`` is
    true, but ``int('²')`` fails), short enough to be an id; anything else is ``None``."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def _whole(value, name: str, low: int = 0, high: int = 10_000) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(f"'{name}' must be a whole number between {low} and {high}.")
    return value


def parse_save(body: bytes) -> SavePayload:
    if len(body) > MAX_BODY:
        raise ValidationError("The request is too large.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        # RecursionError: arrays nested deeper than the parser's limit ("[[[[…" in 4 kB).
        raise ValidationError("The request is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ValidationError("The request must be a JSON object.")
    unknown = set(data) - {"position", "selected", "flagged", "revision"}
    if unknown:
        raise ValidationError(f"Unknown field(s): {', '.join(sorted(map(str, unknown)))}.")
    selected = data.get("selected", [])
    if not isinstance(selected, list) or len(selected) > MAX_OPTIONS:
        raise ValidationError("'selected' must be a list of option numbers.")
    flagged = data.get("flagged", False)
    if not isinstance(flagged, bool):
        raise ValidationError("'flagged' must be true or false.")
    return SavePayload(
        position=_whole(data.get("position"), "position", 1, 1000),
        selected=[_whole(s, "selected", 0, MAX_OPTIONS - 1) for s in selected],
        flagged=flagged,
        revision=_whole(data.get("revision"), "revision", 0, 10**9),
    )


class PracticeScopeError(ValidationError):
    pass


def parse_scope(value: str, guide) -> tuple:
    """'d:<domain id>' or 't:<task statement id>' (or '' for the whole guide) -> (domain, sub_domain)."""
    from questions.models import Domain, SubDomain

    if not value:
        return None, None
    kind, _, raw = value.partition(":")
    pk = parse_id(raw)
    if pk is None or kind not in ("d", "t"):
        raise PracticeScopeError("Choose a domain or a task statement.")
    if kind == "d":
        domain = Domain.objects.filter(pk=pk, guide=guide).first()
        if domain is None:
            raise PracticeScopeError("That domain is not part of this exam guide.")
        return domain, None
    sub = SubDomain.objects.select_related("domain").filter(pk=pk, domain__guide=guide).first()
    if sub is None:
        raise PracticeScopeError("That task statement is not part of this exam guide.")
    return sub.domain, sub
