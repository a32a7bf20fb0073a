"""Forms for authoring (admin), importing, closing problem reports and reporting a problem."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from . import rules, selectors
from .formats import PARSERS
from .models import ExamGuide, ProblemReport, Question


class LinesField(forms.CharField):
    """A list of strings edited as one per line (reference links)."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 80})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list | tuple):
            return [str(v).strip() for v in value if str(v).strip()]
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def validate(self, value) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data) -> bool:
        return self.to_python(initial or []) != self.to_python(data)


class QuestionAdminForm(forms.ModelForm):
    references = LinesField(required=False, help_text="Links to documentation, one per line.")
    change_note = forms.CharField(
        required=False,
        max_length=200,
        help_text="Kept with the new version in the question's history: what changed and why.",
    )

    class Meta:
        model = Question
        fields = [
            "external_id", "sub_domain", "type", "select_count", "difficulty", "status", "stem",
            "explanation", "references", "case_study", "case_order", "enemies",
        ]  # fmt: skip
        widgets = {
            "stem": forms.Textarea(attrs={"rows": 8, "cols": 90, "data-preview": "stem"}),
            "explanation": forms.Textarea(attrs={"rows": 5, "cols": 90, "data-preview": "explanation"}),
        }
        help_texts = {
            "select_count": "Multiple choice: 1. Multiple response: the number of correct options. "
            "Ordering and matching: set from the steps or pairs.",
            "case_study": "A case study's questions are drawn together, in their order, with its scenario.",
            "enemies": "Questions never drawn in the same exam as this one (both ways).",
            "status": "Draft → published → retired. Only published questions are drawn; retiring "
            "keeps every attempt that used the question as it was.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_domain"].choices = selectors.sub_domain_choices()
        self.fields["sub_domain"].label = "Task statement"

    def clean_status(self):
        status = self.cleaned_data["status"]
        old = self.initial.get("status") if self.instance.pk else None
        if problem := rules.status_change_problem(old, status):
            raise ValidationError(problem[0].upper() + problem[1:] + ".")
        return status


# Question fields whose own "This field is required." already says what the rule would say.
_REQUIRED_ON_THE_QUESTION = {"stem": "stem", "explanation": "explanation", "sub_domain": "sub_domain_id"}


class ChoiceFormSet(BaseInlineFormSet):
    """The question's options, checked together with the question against ``rules``."""

    def kept_forms(self) -> list[forms.Form]:
        """The forms that become options, in order: not deleted, not blank extra rows."""
        return [
            form
            for form in self.forms
            if (form.instance.pk or form.has_changed())
            and not (self.can_delete and self._should_delete_form(form))
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return  # each option's own errors first (a missing text or "why")
        kept = self.kept_forms()
        question = self.instance
        issues = rules.question_problems(
            question.type,
            question.select_count,
            [
                (
                    f.cleaned_data["text"],
                    f.cleaned_data.get("is_correct", False),
                    f.cleaned_data["why"],
                    f.cleaned_data.get("prompt", ""),
                )
                for f in kept
            ],
            question.sub_domain_id is not None,
            stem=question.stem,
            explanation=question.explanation,
            references=question.references,
            status=question.status,
        )
        messages = []
        for issue in issues:
            attribute = _REQUIRED_ON_THE_QUESTION.get(issue.field or "")
            if attribute and not getattr(question, attribute):
                continue
            if issue.choice is not None:
                kept[issue.choice].add_error(issue.field, issue.message[0].upper() + issue.message[1:] + ".")
            messages.append(issue.message[0].upper() + issue.message[1:] + ".")
        if messages:
            raise ValidationError(messages)


FORMAT_LABELS = {
    "native": "Native (the bank's YAML)",
    "gift": "GIFT (Moodle)",
    "moodlexml": "Moodle XML",
    "aiken": "Aiken",
    "csv": "CSV",
}
FORMAT_CHOICES = [(name, FORMAT_LABELS.get(name, name)) for name in PARSERS]


class ImportForm(forms.Form):
    file = forms.FileField(help_text="UTF-8 text.")
    format = forms.ChoiceField(choices=FORMAT_CHOICES)
    guide = forms.ModelChoiceField(queryset=ExamGuide.objects.all(), empty_label=None)
    sub_domain = forms.CharField(
        required=False,
        max_length=10,
        label="Task statement",
        help_text="e.g. 3.2: for questions whose file does not name one (always, for Aiken).",
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "As in the file (else as now, else draft)"), *Question.Status.choices],
    )
    skip_unsupported = forms.BooleanField(
        required=False,
        help_text="Leave out GIFT or Moodle XML questions of types we do not support, instead of refusing.",
    )
    dry_run = forms.BooleanField(required=False, label="Check only", help_text="Report, but write nothing.")

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError("The file is larger than 5 MB.")
        try:
            self.file_text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(f"The file is not UTF-8 text ({exc.reason}).") from exc
        return upload


class CloseReportForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=2000,
        help_text="What was done (e.g. 'Fixed the key in version 3') or why nothing needs doing.",
    )


class ProblemReportForm(forms.Form):
    """What the "Report a problem with this question" form posts."""

    reason = forms.ChoiceField(choices=ProblemReport.Reason.choices, label="What is wrong?")
    text = forms.CharField(
        required=False,
        max_length=2000,
        label="Details",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Which option, what the documentation says, a link…",
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class PreviewForm(forms.Form):
    """The question as it stands in the author's form, unsaved; options come as parallel lists."""

    type = forms.ChoiceField(choices=Question.Type.choices, required=False)
    select_count = forms.IntegerField(required=False, min_value=0, max_value=50)
    status = forms.ChoiceField(choices=Question.Status.choices, required=False)
    stem = forms.CharField(required=False, max_length=20000, strip=False)
    explanation = forms.CharField(required=False, max_length=20000, strip=False)
    references = LinesField(required=False, max_length=5000)
    sub_domain = forms.CharField(required=False, max_length=20)

    # One past the limit, so that the preview shows the rule an extra option breaks.
    MAX_CHOICES = rules.MAX_OPTIONS + 1

    def choices(self) -> list[tuple[str, bool, str, str]]:
        texts = self.data.getlist("choice_text")[: self.MAX_CHOICES]
        whys = self.data.getlist("choice_why")[: self.MAX_CHOICES]
        correct = self.data.getlist("choice_correct")[: self.MAX_CHOICES]
        prompts = self.data.getlist("choice_prompt")[: self.MAX_CHOICES]
        return [
            (
                text[:5000],
                i < len(correct) and correct[i] == "1",
                (whys[i] if i < len(whys) else "")[:5000],
                (prompts[i] if i < len(prompts) else "")[:5000],
            )
            for i, text in enumerate(texts)
        ]
