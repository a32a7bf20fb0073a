"""Questions: writing with a live preview, versions, statuses, import and export."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timezone import localtime

from .. import formats, rules, selectors, services
from ..diffs import version_diff
from ..errors import NotFound
from ..forms import ChoiceFormSet, ExhibitForm, ExhibitFormSet, ImportForm, PreviewForm, QuestionAdminForm
from ..markdown import exhibit_url
from ..models import Choice, Exhibit, ProblemReport, Question, Tag


class ChoiceInline(admin.TabularInline):
    """Options (multiple choice and response), steps in their right order (ordering), or
    prompt and response pairs (matching): one row each, in order."""

    model = Choice
    formset = ChoiceFormSet
    fields = ("prompt", "text", "is_correct", "why")
    ordering = ("position",)
    verbose_name = "option, step or pair"
    verbose_name_plural = (
        "options (ordering: the steps, in the right order; matching: each prompt with its response as text)"
    )
    max_num = rules.MAX_OPTIONS
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 48})}}

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else 4


class ExhibitInline(admin.TabularInline):
    """Images shown with the stem, in order: each uploaded (checked by its content) with its
    alt text. Stored once under a name from their content: versions keep theirs."""

    model = Exhibit
    form = ExhibitForm
    formset = ExhibitFormSet
    fields = ("thumbnail", "upload", "alt", "stored")
    readonly_fields = ("thumbnail",)
    ordering = ("position",)
    extra = 0
    max_num = rules.MAX_EXHIBITS
    verbose_name = "exhibit"
    verbose_name_plural = "exhibits (images shown with the stem)"

    @admin.display(description="image")
    def thumbnail(self, obj):
        if not obj or not obj.image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" class="exhibit-thumbnail">', exhibit_url(obj.image.name), obj.alt
        )


class PlaceholderFilter(admin.SimpleListFilter):
    title = "import placeholders"
    parameter_name = "placeholders"

    def lookups(self, request, model_admin):
        return [("yes", "Still to be written")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            marker = rules.PLACEHOLDER
            placeholder_why = Choice.objects.filter(question=OuterRef("pk"), why__startswith=marker)
            return queryset.filter(Q(explanation__startswith=marker) | Exists(placeholder_why))
        return queryset


class OpenReportsFilter(admin.SimpleListFilter):
    title = "problem reports"
    parameter_name = "reports"

    def lookups(self, request, model_admin):
        return [("open", "With open reports")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(open_report_count__gt=0)
        return queryset


class TagFilter(admin.SimpleListFilter):
    """Filter by a tag (the tags in use, by name)."""

    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [(t.name, t.name) for t in Tag.objects.filter(questions__isnull=False).distinct()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__name=self.value())
        return queryset


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = [ChoiceInline, ExhibitInline]
    list_display = (
        "external_id", "short_stem", "sub_domain", "type", "difficulty", "status", "version",
        "tag_list", "open_reports", "updated_at",
    )  # fmt: skip
    list_filter = (
        "status", "type", "difficulty", "sub_domain__domain__guide", "sub_domain__domain", "sub_domain",
        TagFilter, OpenReportsFilter, PlaceholderFilter,
    )  # fmt: skip
    search_fields = ("external_id", "stem", "explanation", "choices__text", "tags__name")
    filter_horizontal = ("enemies",)
    readonly_fields = ("version_history", "open_problem_reports", "created_at", "updated_at")
    # "Save as new": a copy with a new id (the next free one), as a draft (changeform_view).
    save_as = True
    save_as_continue = True
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "external_id",
                    "sub_domain",
                    ("type", "select_count"),
                    ("difficulty", "status"),
                    "tags_text",
                )
            },
        ),
        ("Case study and enemies", {"fields": (("case_study", "case_order"), "enemies")}),
        ("What candidates see", {"fields": ("stem", "explanation", "references")}),
        ("This change", {"fields": ("change_note",)}),
        (
            "History and reports",
            {"fields": ("version_history", "open_problem_reports", "created_at", "updated_at")},
        ),
    )
    actions = [
        "send_for_review", "publish", "retire",
        "export_native", "export_csv", "export_gift", "export_moodlexml",
    ]  # fmt: skip

    class Media:
        css = {"all": ["css/author.css"]}
        js = ["js/author-preview.js", "js/author-a11y.js"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("sub_domain__domain__guide", "current_version")
            .prefetch_related("tags")
            .annotate(open_report_count=Count("reports", filter=Q(reports__status=ProblemReport.Status.OPEN)))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_saveasnew" in request.POST:
            # A copy starts as a draft under the next free id, whatever the original's status.
            data = request.POST.copy()
            data.update({"status": Question.Status.DRAFT, "external_id": ""})
            if not data.get("change_note"):
                original = Question.objects.filter(pk=object_id).values_list("external_id", flat=True).first()
                data["change_note"] = f"copied from {original}" if original else "copied"
            request.POST = data
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        # The id is the key of every import and export: it never changes once given.
        return (*self.readonly_fields, "external_id") if obj else self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj else self.fieldsets[:4]

    # ---- list columns and read-only fields ----------------------------------------------

    @admin.display(description="stem")
    def short_stem(self, obj):
        return Truncator(obj.stem).chars(80)

    @admin.display(description="version", ordering="current_version__number")
    def version(self, obj):
        return f"v{obj.current_version.number}" if obj.current_version_id else "—"

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(t.name for t in obj.tags.all())

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, obj):
        return obj.open_report_count or ""

    @admin.display(description="versions")
    def version_history(self, obj):
        versions = list(selectors.question_versions(question=obj))
        compare = reverse("admin:questions_question_compare", args=[obj.pk])
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">v{}</a>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:questions_questionversion_change", args=[v.pk]),
                    v.number,
                    " (current)" if v.pk == obj.current_version_id else "",
                    date_format(localtime(v.created_at), "DATETIME_FORMAT"),
                    v.created_by or "—",
                    _review_text(v),
                    v.note,
                    format_html(
                        '<a href="{}?a={}&amp;b={}">compare with v{}</a>',
                        compare,
                        v.number - 1,
                        v.number,
                        v.number - 1,
                    )
                    if v.number > 1
                    else "",
                )
                for v in versions
            ),
        )
        return format_html(
            '<table class="version-history"><thead><tr><th scope="col">Version</th><th scope="col">When</th>'
            '<th scope="col">Who</th><th scope="col">Approved</th><th scope="col">Note</th>'
            '<th scope="col">Changes</th></tr></thead><tbody>{}</tbody></table>'
            '<p><a href="{}">Compare any two versions</a> · <a href="{}">Every change, field by field '
            "(history)</a></p>",
            rows,
            compare,
            reverse("admin:questions_question_history", args=[obj.pk]),
        )

    @admin.display(description="open problem reports")
    def open_problem_reports(self, obj):
        reports = list(selectors.question_open_reports(question=obj))
        if not reports:
            return "None."
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> — {} ({}, {})</li>',
            (
                (
                    reverse("admin:questions_problemreport_change", args=[r.pk]),
                    r.get_reason_display(),
                    Truncator(r.text).chars(120) or "no details",
                    r.user or "a deleted user",
                    date_format(localtime(r.created_at), "DATE_FORMAT"),
                )
                for r in reports
            ),
        )
        queue = (
            reverse("admin:questions_problemreport_changelist") + f"?question__id__exact={obj.pk}&status=open"
        )
        return format_html(
            '<ul class="open-reports">{}</ul><p><a href="{}">Close them here</a></p>', items, queue
        )

    # ---- saving: one service call saves the question and its options and freezes a version --

    def save_model(self, request, obj, form, change):
        """Nothing here: ``save_related`` saves the question with its options, in one service call."""

    def save_related(self, request, form, formsets, change):
        choices = next(fs for fs in formsets if fs.model is Choice)
        exhibit_forms = next(fs for fs in formsets if fs.model is Exhibit)
        kept = choices.kept_forms()
        status_before = form.instance.status
        version = services.question_save(
            question=form.instance,
            choices=[
                services.ChoiceData(
                    f.cleaned_data["text"],
                    f.cleaned_data.get("is_correct", False),
                    f.cleaned_data["why"],
                    f.cleaned_data.get("prompt", ""),
                )
                for f in kept
            ],
            user=request.user,
            note=form.cleaned_data.get("change_note", ""),
            exhibits=[_exhibit_data(f) for f in exhibit_forms.kept_forms()],
            tags=form.cleaned_data.get("tags_text", []),
        )
        form.instance.enemies.set(form.cleaned_data.get("enemies", []))
        if form.instance.status != status_before:
            self.message_user(
                request,
                f"Your change made version {version.number}: {form.instance.external_id} is now in review "
                "(not drawn) until another author approves it.",
                messages.WARNING,
            )
        form.choices_changed = any(f.has_changed() for f in choices.forms) or bool(choices.deleted_forms)

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, [], add)
        if not add and getattr(form, "choices_changed", False):
            message.append({"changed": {"fields": ["options"]}})
        return message

    # ---- actions --------------------------------------------------------------------------

    def _set_status(self, request, queryset, status: str) -> None:
        done, refused = 0, []
        for question in queryset:
            try:
                changed = services.question_set_status(question=question, status=status, user=request.user)
            except ValidationError as exc:
                refused.append(f"{question.external_id}: {'; '.join(exc.messages)}")
                continue
            if changed:
                done += 1
                self.log_change(request, question, [{"changed": {"fields": ["status"]}}])
        if done:
            self.message_user(request, f"{done} question(s) {status}.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, f"Not {status}: {line}", messages.ERROR)

    @admin.action(description="Send the selected questions for review", permissions=["change"])
    def send_for_review(self, request, queryset):
        self._set_status(request, queryset, Question.Status.REVIEW)

    @admin.action(
        description="Approve and publish the selected questions (a second author)", permissions=["change"]
    )
    def publish(self, request, queryset):
        self._set_status(request, queryset, Question.Status.PUBLISHED)

    @admin.action(description="Retire the selected questions (attempts keep them)", permissions=["change"])
    def retire(self, request, queryset):
        self._set_status(request, queryset, Question.Status.RETIRED)

    def _export(self, request, queryset, fmt: str, content_type: str):
        questions = selectors.questions_for_export(ids=queryset.values("pk"))
        try:
            text = formats.EXPORTERS[fmt](questions)
        except formats.ExportRefused as exc:
            self.message_user(request, f"Nothing was exported: {exc}.", messages.ERROR)
            return None
        response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="questions.{formats.EXTENSIONS[fmt]}"'
        return response

    @admin.action(description="Export the selected questions (native YAML)", permissions=["view"])
    def export_native(self, request, queryset):
        return self._export(request, queryset, "native", "application/yaml")

    @admin.action(description="Export the selected questions (CSV)", permissions=["view"])
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv", "text/csv")

    @admin.action(description="Export the selected questions (GIFT)", permissions=["view"])
    def export_gift(self, request, queryset):
        return self._export(request, queryset, "gift", "text/plain")

    @admin.action(description="Export the selected questions (Moodle XML)", permissions=["view"])
    def export_moodlexml(self, request, queryset):
        return self._export(request, queryset, "moodlexml", "application/xml")

    # ---- extra pages: import, live preview ------------------------------------------------

    def can_import(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.can_import(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{name}_import"),
            path("preview/", self.admin_site.admin_view(self.preview_view), name=f"{name}_preview"),
            path(
                "<int:object_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{name}_compare",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.can_import(request):
            raise PermissionDenied
        form = ImportForm(
            request.POST or None, request.FILES or None, initial={"guide": selectors.guide_for_import()}
        )
        report = problems = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                report = services.questions_import_text(
                    text=form.file_text,
                    filename=data["file"].name,
                    format=data["format"],
                    guide=data["guide"],
                    user=request.user,
                    default_sub_domain=data["sub_domain"].code if data["sub_domain"] else None,
                    skip_unsupported=data["skip_unsupported"],
                    status=data["status"] or None,
                    dry_run=data["dry_run"],
                )
            except services.ImportInvalid as exc:
                problems = exc.problems
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import questions",
            "form": form,
            "report": report,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/questions/question/import.html", context)

    def compare_view(self, request, object_id: int):
        """Two versions side by side (any two: ``?a=`` and ``?b=``, version numbers), each part
        as candidates see it, with the words that changed marked."""
        question = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_or_change_permission(request, question):
            raise PermissionDenied
        versions = list(selectors.question_versions(question=question))
        numbers = [v.number for v in versions]
        if not numbers:
            raise Http404("This question has no versions yet.")

        def number(key: str, default: int) -> int:
            value = request.GET.get(key, "")
            return int(value) if value.isdigit() else default

        b = number("b", numbers[0])
        a = number("a", max(b - 1, min(numbers)))
        try:
            left, right = selectors.question_version_pair(question=question, a=a, b=b)
        except NotFound as exc:
            raise Http404(exc.message) from None
        parts = version_diff(left.content, right.content)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Compare versions of {question.external_id}",
            "question": question,
            "left": left,
            "right": right,
            "parts": parts,
            "changed": sum(p.changed for p in parts),
            "numbers": numbers,
        }
        return TemplateResponse(request, "admin/questions/question/compare.html", context)

    def preview_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        form = PreviewForm(request.POST)
        form.is_valid()  # a field that does not parse is previewed as empty
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        qtype = data.get("type", Question.Type.SINGLE)
        select = data.get("select_count", 1)
        choices = form.choices()
        content = services.content_for(
            type=qtype,
            select_count=select,
            difficulty="medium",
            stem=data.get("stem", ""),
            explanation=data.get("explanation", ""),
            references=data.get("references", []),
            choices=choices,
            exhibits=form.exhibits(),
        )
        issues = rules.question_problems(
            qtype,
            select,
            choices,
            bool(data.get("sub_domain")),
            stem=content["stem"],
            explanation=content["explanation"],
            references=content["references"],
            status=data.get("status", Question.Status.DRAFT),
        )
        options = [
            {"letter": rules.letter(i), "name": rules.option_name(qtype, i), **choice}
            for i, choice in enumerate(content["choices"])
        ]
        response = TemplateResponse(
            request,
            "questions/preview.html",
            {
                "content": content,
                "options": options,
                "multiple": qtype == Question.Type.MULTIPLE,
                "kind": qtype,
                "select": select,
                "issues": issues,
                # Unsaved input: only http(s) links become links (the rules list the rest).
                "links": [r for r in content["references"] if rules.URL.match(r)],
            },
        )
        # Defence in depth: the page runs no script whatever the content (it is shown sandboxed too).
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'self'; img-src 'self'; sandbox"
        return response


def _review_text(version) -> str:
    if not version.is_reviewed:
        return "—"
    when = date_format(localtime(version.reviewed_at), "DATE_FORMAT")
    if version.review_override:
        return f"{version.reviewer} (superuser override), {when}"
    return f"{version.reviewer}, {when}"


def _exhibit_data(form) -> services.ExhibitData:
    """An exhibit row as the service takes it: a new upload stored now (by its content's name;
    an unused file harms nothing), or the image the row already had."""
    if form.image is not None:
        info = services.exhibit_store(form.image[1])
        return services.ExhibitData(info.name, form.cleaned_data["alt"], info.width, info.height)
    instance = form.instance
    name = form.cleaned_data.get("stored") or instance.image.name
    same = instance.pk and instance.image.name == name
    return services.ExhibitData(
        name, form.cleaned_data["alt"], instance.width if same else 0, instance.height if same else 0
    )
