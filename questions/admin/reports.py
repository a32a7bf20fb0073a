"""Problem reports: the queue, open first; closing one asks for a note."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from .. import services
from ..forms import CloseReportForm
from ..models import ProblemReport


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    """The queue of candidates' problem reports: open ones first; closing one asks for a note."""

    list_display = (
        "__str__",
        "question",
        "reason",
        "short_text",
        "status",
        "created_at",
        "user",
        "closed_by",
    )
    list_filter = ("status", "reason", "question__sub_domain__domain__guide", "question__sub_domain__domain")
    search_fields = ("question__external_id", "text", "resolution_note")
    fields = (
        "question_link", "version", "user", "reason", "text", "created_at", "status", "resolution_note",
        "closed_by", "closed_at",
    )  # fmt: skip
    readonly_fields = fields
    actions = ["close_reports"]

    class Media:
        css = {"all": ["css/author.css"]}

    ordering = (
        models.Case(models.When(status=ProblemReport.Status.OPEN, then=0), default=1).asc(),
        "-created_at",
    )

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("question", "version__question", "user", "closed_by")
        )

    def has_add_permission(self, request):
        return False  # candidates report from the review and study pages

    @admin.display(description="details")
    def short_text(self, obj):
        return Truncator(obj.text).chars(80)

    @admin.display(description="question")
    def question_link(self, obj):
        url = reverse("admin:questions_question_change", args=[obj.question_id])
        return format_html('<a href="{}">{}</a>', url, obj.question.external_id)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<int:report_id>/close/", self.admin_site.admin_view(self.close_view), name=f"{name}_close"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        report = self.get_object(request, object_id)
        if report is not None and report.is_open and self.has_change_permission(request, report):
            extra_context["close_url"] = reverse("admin:questions_problemreport_close", args=[report.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def _close(self, request, reports, note: str) -> None:
        closed = 0
        for report in reports:
            if services.problem_report_close(report=report, user=request.user, note=note):
                closed += 1
                self.log_change(request, report, [{"changed": {"fields": ["status", "resolution note"]}}])
        self.message_user(request, f"{closed} report(s) closed.", messages.SUCCESS)
        if skipped := len(reports) - closed:
            self.message_user(request, f"{skipped} report(s) were already closed.", messages.WARNING)

    def _close_page(self, request, reports, form, *, action: bool):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Close problem reports",
            "reports": reports,
            "form": form,
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/questions/problemreport/close.html", context)

    @admin.action(description="Close the selected reports (with a note)", permissions=["change"])
    def close_reports(self, request, queryset):
        reports = list(queryset)
        form = CloseReportForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._close(request, reports, form.cleaned_data["note"])
            return None
        return self._close_page(request, reports, form, action=True)

    def close_view(self, request, report_id: int):
        report = get_object_or_404(self.get_queryset(request), pk=report_id)
        if not self.has_change_permission(request, report):
            raise PermissionDenied
        form = CloseReportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            self._close(request, [report], form.cleaned_data["note"])
            return redirect("admin:questions_problemreport_changelist")
        return self._close_page(request, [report], form, action=False)
