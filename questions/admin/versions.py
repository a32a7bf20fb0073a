"""Versions: immutable, read-only for everyone."""

import json

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from ..markdown import exhibit_url
from ..models import QuestionVersion


@admin.register(QuestionVersion)
class QuestionVersionAdmin(admin.ModelAdmin):
    """Versions are immutable: everyone who may see them sees them read-only."""

    list_display = ("question", "number", "created_at", "created_by", "approved", "note")
    list_select_related = ("question", "created_by", "reviewed_by")
    ordering = ("question__external_id", "-number")
    search_fields = ("question__external_id", "note")
    fields = (
        "question", "number", "created_at", "created_by", "approved", "note", "as_candidates_see_it",
        "raw_content",
    )  # fmt: skip
    readonly_fields = fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # No "Delete" here: a version goes only with its question (delete_view refuses).
        extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="approved by")
    def approved(self, obj):
        if not obj.is_reviewed:
            return "—"
        when = date_format(localtime(obj.reviewed_at), "DATE_FORMAT")
        override = " (superuser override: published their own edit)" if obj.review_override else ""
        return f"{obj.reviewer}{override}, {when}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Only together with their question (a draft no attempt drew): the admin asks this when
        # it collects what deleting a question takes with it. Never on their own (below).
        return request.user.has_perm("questions.delete_question")

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="as candidates see it")
    def as_candidates_see_it(self, obj):
        content = obj.content
        # The *_html fields were rendered and sanitised (questions.markdown) when the version was made.
        options = format_html_join(
            "",
            "<li>{}{} <div class='why'>{}</div></li>",
            (
                (
                    mark_safe(c["text_html"]),  # noqa: S308  # nosec B308 B703 (sanitised by nh3 when the version was made)
                    " ✔" if c["correct"] else "",
                    mark_safe(c["why_html"]),  # noqa: S308  # nosec B308 B703 (sanitised by nh3 when the version was made)
                )
                for c in content["choices"]
            ),
        )
        exhibits = format_html_join(
            "",
            "<img src='{}' alt='{}' class='exhibit-thumbnail'>",
            ((exhibit_url(e["image"]), e["alt"]) for e in content.get("exhibits", [])),
        )
        return format_html(
            "<div class='version-content'><div class='stem'>{}</div>{}<ol type='A'>{}</ol>"
            "<div class='explanation'>{}</div></div>",
            mark_safe(content["stem_html"]),  # noqa: S308  # nosec B308 B703 (sanitised by nh3 when the version was made)
            exhibits,
            options,
            mark_safe(content["explanation_html"]),  # noqa: S308  # nosec B308 B703 (sanitised by nh3 when the version was made)
        )

    @admin.display(description="content (as stored)")
    def raw_content(self, obj):
        return format_html(
            "<pre class='version-json'>{}</pre>", json.dumps(obj.content, indent=2, ensure_ascii=False)
        )
