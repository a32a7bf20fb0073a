"""Domain errors: what a service refuses, as one family of exceptions.

Each class says one thing; ``message`` is written for the person who asked (shown as it is).
Services know nothing of HTTP: each view maps the classes it can meet to a response (a status
code and, for the exam script, a code naming the refusal; a message on the page). The exam
engine's own errors (``exams/errors.py``) derive from the same base, since exams depends on
questions and never the other way.

Invalid field values are Django's ``ValidationError`` (what ``full_clean()`` raises), which forms
and the admin show next to the field; a ``DomainError`` is everything else a service refuses.
"""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details  # extra facts for the caller, e.g. the current revision


class NotFound(DomainError):
    """Nothing this user may reach by that id. Someone else's and none at all look the same,
    so that ids cannot be probed."""


class FileProblems(DomainError):
    """A file (the bank, an import) has problems, each with its file and line; nothing was written."""

    def __init__(self, problems: list, message: str):
        super().__init__(message)
        self.problems = problems
