"""What the exam engine's services refuse. Each class says one thing; ``exams/views.py`` says
what each is for the browser (``REFUSALS``: an HTTP status, and the code the exam script
reads), so the services know nothing of HTTP. The base class is
``questions.errors.DomainError`` (see there)."""

from __future__ import annotations

from questions.errors import DomainError, NotFound

__all__ = [
    "AnswerChecked",
    "AnswerInvalid",
    "AssemblyError",
    "AttemptClosed",
    "DomainError",
    "NotCalibrated",
    "NotFound",
    "NotStudyMode",
    "NothingChosen",
    "NothingToPractise",
    "StaleRevision",
    "TimeUp",
]


class AssemblyError(DomainError):
    """The bank cannot fill the blueprint; the message names each domain and its shortfall."""


class NothingToPractise(AssemblyError):
    """A mistakes set with no mistakes left in its scope: good news, not a failure."""


class AnswerInvalid(DomainError):
    """Not an answer this attempt takes: a question it does not have, options the question does
    not have, or more of them than it asks for."""


class AttemptClosed(DomainError):
    """The attempt has been submitted: nothing in it changes any more."""


class TimeUp(DomainError):
    """The answer arrived after the deadline and its grace."""


class AnswerChecked(DomainError):
    """Study mode: this answer has been checked and its key shown, so it stays as it was."""


class StaleRevision(DomainError):
    """Another tab or device saved this question after the page this change was made on."""


class NotStudyMode(DomainError):
    """Only study mode shows an answer before the end; an exam never does."""


class NothingChosen(DomainError):
    """A question can be checked only once an option is chosen."""


class NotCalibrated(AssemblyError):
    """The adaptive diagnostic cannot run yet: too few calibrated questions; the message says where."""
