"""The exam script's JSON requests (the autosave and the time report), read strictly.

Every JSON body the site takes goes through ``read_json``, one reader with one set of rules:

- the content type is ``application/json``, with no charset or UTF-8 (JSON has no other
  encoding, RFC 8259 §8.1): anything else is a 415 before the body is read, so a form or a
  multipart body that Django's CSRF check has already parsed is refused, never a 500;
- at most ``MAX_BODY`` bytes, checked against ``Content-Length`` before reading (413);
- valid UTF-8, one JSON value, no duplicate keys (``{"revision": 1, "revision": 9}`` has no
  meaning anyone agrees on: Python keeps the last, other parsers the first), no ``NaN`` or
  ``Infinity`` (not JSON), nesting within the parser's limit (400).

Then ``parse_save`` and ``parse_time`` check the shape: whole numbers in range, a list of at
most ``MAX_OPTIONS`` option numbers, a boolean flag, no unknown keys. Each problem is one
sentence for the person or script that sent it (``BodyRefused``); nothing is guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, UnreadablePostError
from django.http.request import RawPostDataException

from questions.rules import MAX_OPTIONS

MAX_BODY = 4096
# The longest active time one save may report (seconds); the service bounds it by the
# attempt's elapsed time anyway.
MAX_ACTIVE = 10**6
# "<tab>:<sequence>": the tab (random, kept for the life of the browser tab) and the number of
# the change in that tab. A retry of one change sends the same id (exams/services/attempts.py).
REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{6,40}:[1-9][0-9]{0,8}")


class BodyRefused(Exception):
    """A request body the site does not read, with the status that says why and a message."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise BodyRefused(f"The key {json.dumps(twice)} appears more than once in one object.")
    return data


def _no_constant(name: str):
    raise BodyRefused(f"{name} is not a JSON value.")


def strict_loads(text: str):
    """One JSON value, as ``json.loads`` reads it but refusing duplicate keys, NaN and Infinity."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        # ValueError: JSONDecodeError, and an integer of more digits than Python converts.
        # RecursionError: arrays nested deeper than the parser's limit ("[[[[…" in 4 kB).
        raise BodyRefused("The request is not valid JSON.") from None


def read_json(request: HttpRequest):
    """The request's body as one strict JSON value, or ``BodyRefused`` (415, 413 or 400)."""
    if request.content_type != "application/json":
        raise BodyRefused("Send the request as JSON (Content-Type: application/json).", 415)
    charset = request.content_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise BodyRefused("JSON is read as UTF-8 only (charset=utf-8).", 415)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        raise BodyRefused("The request is too large.", 413)
    try:
        body = request.body
    except (RawPostDataException, RequestDataTooBig, UnreadablePostError):
        raise BodyRefused("The request body could not be read.") from None
    if len(body) > MAX_BODY:
        raise BodyRefused("The request is too large.", 413)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRefused("The request is not valid JSON (it is not UTF-8).") from None
    return strict_loads(text)


def _object(data, allowed: set[str]) -> dict:
    if not isinstance(data, dict):
        raise BodyRefused("The request must be a JSON object.")
    unknown = set(data) - allowed
    if unknown:
        raise BodyRefused(f"Unknown field(s): {', '.join(sorted(map(str, unknown)))}.")
    return data


def _whole(value, name: str, low: int = 0, high: int = 10_000) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BodyRefused(f"'{name}' must be a whole number between {low} and {high}.")
    return value


def _active(data: dict) -> int | None:
    value = data.get("active")
    return None if value is None else _whole(value, "active", 0, MAX_ACTIVE)


# ---- the autosave -------------------------------------------------------------------------


@dataclass(frozen=True)
class SavePayload:
    position: int
    selected: list[int | None]
    flagged: bool
    revision: int
    request: str  # "<tab>:<sequence>", or "" from a client that does not name its saves
    active: int | None  # seconds on this question so far, as the browser measured them


def parse_save(data) -> SavePayload:
    """``{"position", "selected", "flagged", "revision", "request", "active"}``; only
    ``position`` and ``revision`` are required (nothing selected, not flagged, unnamed)."""
    data = _object(data, {"position", "selected", "flagged", "revision", "request", "active"})
    selected = data.get("selected", [])
    if not isinstance(selected, list) or len(selected) > MAX_OPTIONS:
        raise BodyRefused("'selected' must be a list of option numbers.")
    # null: a step or prompt of an ordering or matching item not placed yet (the service
    # refuses it for the other types).
    flagged = data.get("flagged", False)
    if not isinstance(flagged, bool):
        raise BodyRefused("'flagged' must be true or false.")
    request = data.get("request", "")
    if not isinstance(request, str) or (request and not REQUEST_ID.fullmatch(request)):
        raise BodyRefused("'request' must name the save as '<tab>:<sequence>' (letters, digits, - or _).")
    return SavePayload(
        position=_whole(data.get("position"), "position", 1, 1000),
        selected=[None if s is None else _whole(s, "selected", 0, MAX_OPTIONS - 1) for s in selected],
        flagged=flagged,
        revision=_whole(data.get("revision"), "revision", 0, 10**9),
        request=request,
        active=_active(data),
    )


# ---- the time report ----------------------------------------------------------------------


@dataclass(frozen=True)
class TimePayload:
    position: int
    active: int


def parse_time(data) -> TimePayload:
    """``{"position", "active"}``: the seconds a question has been on screen, both required."""
    data = _object(data, {"position", "active"})
    return TimePayload(
        position=_whole(data.get("position"), "position", 1, 1000),
        active=_whole(data.get("active"), "active", 0, MAX_ACTIVE),
    )
