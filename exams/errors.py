"""What the exam engine's services refuse. Each class says one thing; ``exams/views.py`` maps
each to its response (``STATUS``), so the services know nothing of HTTP. The base class is
``questions.errors.DomainError`` (see there)."""

from __future__ import annotations

from questions.errors import DomainError, NotFound

__all__ = [
    "AnswerChecked",
    "AnswerInvalid",
    "AssemblyError",
    "AttemptClosed",
    "DomainError",
    "NotFound",
    "NotStudyMode",
    "NothingChosen",
    "StaleRevision",
    "TimeUp",
]


class AssemblyError(DomainError):
    """The bank cannot fill the blueprint; the message names each domain and its shortfall."""


class AnswerInvalid(DomainError):
    """Not an answer this attempt takes: a question it does not have, options the question does
    not have, or more of them than it asks for."""


class AttemptClosed(DomainError):
    """The attempt has been submitted: nothing in it changes any more."""

    code = "submitted"


class TimeUp(DomainError):
    """The answer arrived after the deadline and its grace."""

    code = "time_up"


class AnswerChecked(DomainError):
    """Study mode: this answer has been checked and its key shown, so it stays as it was."""

    code = "checked"


class StaleRevision(DomainError):
    """Another tab or device saved this question after the page this change was made on."""

    code = "stale"


class NotStudyMode(DomainError):
    """Only study mode shows an answer before the end; an exam never does."""

    code = "exam_mode"


class NothingChosen(DomainError):
    """A question can be checked only once an option is chosen."""

    code = "unanswered"
