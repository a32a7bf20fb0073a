"""The authoring workspace. Authors (staff users in the Authors group) write, version, import and
export questions here and close candidates' problem reports; see docs/authoring.md."""

from django.contrib import admin, messages

from .. import services
from ..models import CaseStudy, Domain, ExamGuide, Question, SubDomain
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


class CaseStudyQuestionInline(admin.TabularInline):
    """A case study's questions, in their order (edited on each question's own page)."""

    model = Question
    fields = ("case_order", "external_id", "sub_domain", "type", "status")
    readonly_fields = fields
    ordering = ("case_order",)
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "question"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    """A shared scenario. Saving it gives each of its questions a new version when the scenario
    or title changed: attempts keep the one they drew."""

    list_display = ("code", "title", "guide", "question_count")
    list_filter = ("guide",)
    search_fields = ("code", "title", "scenario")
    fields = ("guide", "code", "title", "scenario")
    inlines = [CaseStudyQuestionInline]

    @admin.display(description="questions")
    def question_count(self, obj):
        return obj.questions.count()

    def save_model(self, request, obj, form, change):
        changed = services.case_study_save(case=obj, user=request.user)
        if changed:
            self.message_user(request, f"{changed} question(s) got a new version.", messages.INFO)
