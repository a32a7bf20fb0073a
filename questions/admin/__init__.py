"""The authoring workspace. Authors (staff users in the Authors group) write, version, import and
export questions here and close candidates' problem reports; see docs/authoring.md."""

from django.contrib import admin

from ..models import Domain, ExamGuide, SubDomain
from . import questions, reports, versions  # noqa: F401 (registers their admins)


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(ExamGuide)
class ExamGuideAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "title",
        "status",
        "retired_on",
        "version",
        "question_count",
        "duration_minutes",
        "passing_score",
    )
    list_filter = ("status",)
    inlines = [DomainInline]


@admin.register(SubDomain)
class SubDomainAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "domain")
    list_filter = ("domain__guide", "domain")
