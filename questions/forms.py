"""Forms for authoring (admin), importing, closing problem reports and reporting a problem."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from . import rules, selectors
from .formats import PARSERS
from .images import image_info, is_exhibit_name
from .models import ExamGuide, Exhibit, ProblemReport, Question, SubDomain


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


class TagsField(forms.CharField):
    """Tags typed as words separated by commas."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(getattr(t, "name", str(t)) for t in value)
        return value

    def to_python(self, value) -> list[str]:
        return [t.strip().lower() for t in (value or "").split(",") if t.strip()]

    def validate(self, value) -> None:
        for tag in value:
            if len(tag) > 50:
                raise ValidationError(f"The tag {tag[:20]!r}… is longer than 50 characters.")


class QuestionAdminForm(forms.ModelForm):
    references = LinesField(required=False, help_text="Links to documentation, one per line.")
    tags_text = TagsField(
        required=False,
        label="Tags",
        help_text="Words separated by commas, e.g. sagemaker, needs-diagram. Filter the list by them.",
    )
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
            "status": "Draft → in review → published → retired. Another author approves a question "
            "in review (the list's action); only published questions are drawn; retiring keeps "
            "every attempt that used the question as it was.",
        }

    # Who is saving (the admin sets it): the four-eyes rule depends on it.
    user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_domain"].choices = selectors.sub_domain_choices()
        self.fields["sub_domain"].label = "Task statement"
        if "external_id" in self.fields:
            self.fields["external_id"].required = False
            self.fields[
                "external_id"
            ].help_text = (
                "Stable id, e.g. MLS-3.2-007. Leave it empty for the next free one of the task statement."
            )
        if self.instance.pk and "tags_text" in self.fields:
            self.initial["tags_text"] = list(self.instance.tags.all())

    def clean_status(self):
        status = self.cleaned_data["status"]
        old = self.initial.get("status") if self.instance.pk else None
        if problem := rules.status_change_problem(old, status):
            raise ValidationError(problem[0].upper() + problem[1:] + ".")
        superuser = self.user is not None and self.user.is_superuser
        if status == Question.Status.PUBLISHED and old not in ("published", "retired") and not superuser:
            raise ValidationError(
                "Publishing needs a second author: choose “In review”, and another author approves it "
                "(the list's action “Approve and publish”)."
            )
        return status

    def clean(self):
        data = super().clean()
        if "external_id" in self.fields and not data.get("external_id") and data.get("sub_domain"):
            external_id = selectors.next_external_id(sub_domain=data["sub_domain"])
            data["external_id"] = self.instance.external_id = external_id
        return data


class LabelledRows:
    """An inline's rows have no <label> (the table's header names the column): give each field
    an accessible name with its row, e.g. "Option 2: why"."""

    row_name = "Row"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = f"{self.row_name} {index + 1}" if index is not None else f"New {self.row_name.lower()}"
        for name, field in form.fields.items():
            label = "delete this row" if name == "DELETE" else (field.label or name)
            field.widget.attrs.setdefault("aria-label", f"{row}: {str(label).lower()}")


# Question fields whose own "This field is required." already says what the rule would say.
_REQUIRED_ON_THE_QUESTION = {"stem": "stem", "explanation": "explanation", "sub_domain": "sub_domain_id"}


class ChoiceFormSet(LabelledRows, BaseInlineFormSet):
    """The question's options, checked together with the question against ``rules``."""

    row_name = "Option"

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


class ExhibitForm(forms.ModelForm):
    """An exhibit row: an image to upload (checked by its content) or the one it has, and its
    alt text. ``stored`` carries the stored image through "Save as new"."""

    upload = forms.FileField(
        required=False,
        label="Image",
        help_text=f"{rules.EXHIBIT_FORMAT_NAMES}, up to {rules.EXHIBIT_MAX_BYTES // 1_048_576} MB.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
    )
    stored = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Exhibit
        fields = ["upload", "alt", "stored"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["stored"] = self.instance.image.name
        self.image = None  # (ImageInfo, bytes) of a new upload

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            if upload.size > rules.EXHIBIT_MAX_BYTES:
                raise ValidationError(
                    f"The image is {upload.size / 1_048_576:.1f} MB; at most "
                    f"{rules.EXHIBIT_MAX_BYTES // 1_048_576} MB."
                )
            data = upload.read()
            self.image = (image_info(data), data)
        return upload

    def clean(self):
        data = super().clean()
        if not self.image and not data.get("stored") and not data.get("DELETE"):
            self.add_error("upload", "Choose an image.")
        return data


class ExhibitFormSet(LabelledRows, BaseInlineFormSet):
    row_name = "Exhibit"

    def kept_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if (form.instance.pk or form.has_changed() or form.initial.get("stored"))
            and not (self.can_delete and self._should_delete_form(form))
        ]

    def clean(self):
        super().clean()
        if not any(self.errors) and len(self.kept_forms()) > rules.MAX_EXHIBITS:
            raise ValidationError(f"A question has at most {rules.MAX_EXHIBITS} exhibits.")


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
    sub_domain = forms.ModelChoiceField(
        queryset=SubDomain.objects.all(),
        required=False,
        label="Task statement",
        help_text="For questions whose file does not name one (always, for Aiken). "
        "It must be one of the chosen exam's.",
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_domain"].choices = [("", "As in the file"), *selectors.sub_domain_choices()[1:]]

    def clean(self):
        data = super().clean()
        sub, guide = data.get("sub_domain"), data.get("guide")
        if sub is not None and guide is not None and sub.domain.guide_id != guide.pk:
            self.add_error("sub_domain", f"Task statement {sub.code} is not in {guide.code}.")
        return data

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

    def exhibits(self) -> list[dict]:
        """Stored exhibits as the form shows them: names our uploads make, with their alt text."""
        names = self.data.getlist("exhibit_image")[: rules.MAX_EXHIBITS]
        alts = self.data.getlist("exhibit_alt")[: rules.MAX_EXHIBITS]
        return [
            {"image": name, "alt": (alts[i] if i < len(alts) else "")[: rules.ALT_MAX]}
            for i, name in enumerate(names)
            if is_exhibit_name(name)
        ]
