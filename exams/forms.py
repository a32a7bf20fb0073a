"""What the browser sends to the exam engine, parsed and validated: every problem becomes a
clear message, nothing is guessed.

Forms and query strings go through Django forms, whose choices come from the database (the
guide's domains and task statements, the attempt's own). The exam script's JSON bodies (the
autosave, the time report) are not form data: ``exams/answers.py`` reads them strictly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from questions.models import ExamGuide
from questions.rules import MAX_OPTIONS

from . import selectors
from .services.practice import DRILL_SIZES


def first_error(form: forms.Form) -> str:
    """The first problem of a form, for a message at the top of the page it came from."""
    return next((e for errors in form.errors.values() for e in errors), "Please check the form.")


class Filters(forms.Form):
    """Filters from a query string: a value that is not one of the choices, or none, is the
    field's ``initial`` (a link that went stale shows everything rather than an error)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def values(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) or field.initial for name, field in self.fields.items()}


# ---- practice -----------------------------------------------------------------------------


def domain_scope(domain_id: int) -> str:
    """A practice form's value for "one domain" (``PracticeForm.scope``)."""
    return f"d:{domain_id}"


def task_scope(sub_domain_id: int) -> str:
    """A practice form's value for "one task statement" (``PracticeForm.scope``)."""
    return f"t:{sub_domain_id}"


class HistoryPageForm(forms.Form):
    """The pages of "My attempts": one for the mock exams, one for the practice sets."""

    mocks = forms.IntegerField(required=False, min_value=1, max_value=10**6, label="Mock exams page")
    practice = forms.IntegerField(required=False, min_value=1, max_value=10**6, label="Practice page")

    def pages(self) -> dict[str, int]:
        return {name: self.cleaned_data.get(name) or 1 for name in self.fields}


class ConfidenceForm(forms.Form):
    """How sure the candidate was of a study answer, for spaced review's rating: "sure" (the
    default, as the plain "Check answer" button sends) or "unsure"."""

    confidence = forms.ChoiceField(choices=[("sure", "Sure"), ("unsure", "Unsure")], required=False)

    @property
    def unsure(self) -> bool:
        return self.cleaned_data["confidence"] == "unsure"


class GuideForm(forms.Form):
    """The guide a practice form is for; a guide that does not exist is a 404 (the view's)."""

    guide = forms.ModelChoiceField(queryset=ExamGuide.objects.all())


class PracticeForm(forms.Form):
    """The scope of a practice set: one domain or task statement of the guide, or all of it."""

    scope = forms.ChoiceField(
        required=False,
        label="Topic",
        error_messages={"invalid_choice": "Choose a domain or task statement of this exam guide."},
    )

    def __init__(self, data=None, *, guide: ExamGuide, outline=None, **kwargs):
        """``outline``: the guide's domains with their task statements, if already read."""
        super().__init__(data, **kwargs)
        self.guide = guide
        self.scopes: dict[str, tuple] = {}
        labels = []
        domains = outline if outline is not None else selectors.guide_outline(guide=guide)
        for domain in domains:
            self.scopes[domain_scope(domain.pk)] = (domain, None)
            labels.append((domain_scope(domain.pk), f"Domain {domain.number}: {domain.title}"))
            for sub in domain.sub_domains.all():
                self.scopes[task_scope(sub.pk)] = (domain, sub)
                labels.append((task_scope(sub.pk), f"\u00a0\u00a0{sub.code} {sub.title}"))
        self.fields["scope"].choices = [("", "All domains"), *labels]

    def clean(self):
        data = super().clean()
        data["domain"], data["sub_domain"] = self.scopes.get(data.get("scope") or "", (None, None))
        return data

    def practice(self) -> dict:
        """The set asked for, as the practice services take it."""
        return {
            "guide": self.guide,
            "domain": self.cleaned_data["domain"],
            "sub_domain": self.cleaned_data["sub_domain"],
        }


class DrillForm(PracticeForm):
    count = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in DRILL_SIZES],
        coerce=int,
        label="Questions",
        error_messages={"invalid_choice": f"A drill has {', '.join(map(str, DRILL_SIZES))} questions."},
    )
    mode = forms.ChoiceField(
        required=False,
        choices=[
            ("study", "Study: untimed, see the answer and explanation after each question"),
            ("exam", "Timed: exam conditions, answers at the end"),
        ],
        initial="study",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].required = True
        self.fields["scope"].error_messages["required"] = "Choose a domain or a task statement."
        self.fields["scope"].choices = self.fields["scope"].choices[1:]  # a drill has a scope

    def practice(self) -> dict:
        study = self.cleaned_data.get("mode") != "exam"
        return {**super().practice(), "count": self.cleaned_data["count"], "study": study}


# ---- the screens of an attempt ----------------------------------------------------------


class ProgressFilterForm(Filters):
    """The "Review your answers" screen of an attempt in progress."""

    show = forms.ChoiceField(
        required=False,
        initial="all",
        choices=[(k, label) for k, (label, _) in selectors.PROGRESS_FILTERS.items()],
    )


class ReviewFilterForm(Filters):
    """The review of a submitted attempt: status, domain and task statement, the last two
    among those the attempt drew (its summary per task statement)."""

    show = forms.ChoiceField(
        required=False, initial="all", choices=[(k, label) for k, (label, _) in selectors.REVIEW_SHOW.items()]
    )
    domain = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    task = forms.ChoiceField(required=False)

    def __init__(self, data=None, *, summary: list[dict], **kwargs):
        super().__init__(data, auto_id="f-%s", **kwargs)
        numbers = sorted({row["domain"] for row in summary})
        self.fields["domain"].choices = [("", "All"), *((n, f"Domain {n}") for n in numbers)]
        self.fields["task"].choices = [("", "All"), *((row["code"], row["code"]) for row in summary)]


class ItemStatisticsFilterForm(Filters):
    """The authors' item statistics of one guide (the first in the guides' order unless one is
    picked): its domains and task statements, however many it has; a flag; an order; a page."""

    guide = forms.ChoiceField(required=False, label="Exam guide")
    domain = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    task = forms.ChoiceField(required=False, label="Task statement")
    flag = forms.ChoiceField(
        required=False,
        initial="",
        choices=[("", "All items"), *((k, label) for k, (label, _) in selectors.ITEM_STAT_FLAGS.items())],
    )
    sort = forms.ChoiceField(
        required=False,
        initial="",
        choices=[(k, label) for k, (label, _) in selectors.ITEM_STAT_SORTS.items()],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, initial=1)

    def __init__(self, data=None, *, guides: list, guide: ExamGuide | None, sub_domains: list, **kwargs):
        """``guide`` is the one shown (``selectors.item_statistics_scope``), ``sub_domains`` its
        task statements with their domains; the page links keep the other fields."""
        super().__init__(data, auto_id="s-%s", **kwargs)
        self.fields["guide"].choices = [(g.code, f"{g.code} {g.title}") for g in guides]
        self.fields["guide"].initial = guide.code if guide else ""
        domains = dict.fromkeys((s.domain.number, s.domain.title) for s in sub_domains)
        self.fields["domain"].choices = [("", "All"), *((n, f"Domain {n}: {title}") for n, title in domains)]
        self.fields["task"].choices = [("", "All"), *((s.code, f"{s.code} {s.title}") for s in sub_domains)]


# ---- the adaptive diagnostic's answer (a plain form post, no script) ---------------------


@dataclass(frozen=True)
class DiagnosticAnswer:
    position: int
    shown: list[int | None]


def parse_diagnostic_answer(data) -> DiagnosticAnswer:
    """The diagnostic page's form: the question's ``position``, the displayed options chosen
    (``option``, repeated) or one ``slot`` per displayed step or prompt ("" for none)."""
    try:
        position = int(data.get("position", ""))
    except ValueError:
        raise ValidationError("Which question this answers is missing.") from None
    options, slots = data.getlist("option"), data.getlist("slot")
    if len(options) > MAX_OPTIONS or len(slots) > MAX_OPTIONS:
        raise ValidationError("Too many options.")
    try:
        if slots:
            return DiagnosticAnswer(position, [int(s) if s != "" else None for s in slots])
        return DiagnosticAnswer(position, [int(o) for o in options])
    except ValueError:
        raise ValidationError("Options are numbers.") from None
