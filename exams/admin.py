from django.contrib import admin
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime

from questions.admin.questions import QuestionAdmin
from questions.models import Question

from .models import Attempt, ExamBlueprint
from .selectors import question_usage

# The questions' admin, with how often each question was drawn: read from the attempts, which
# this app owns (questions depends on nothing of ours, so the column is added here).
admin.site.unregister(Question)


@admin.register(Question)
class QuestionUsageAdmin(QuestionAdmin):
    list_display = (*QuestionAdmin.list_display[:-1], "usage", QuestionAdmin.list_display[-1])

    def get_changelist_instance(self, request):
        """The list, with the shown questions' usage read in one query for the page (no N+1)."""
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)  # evaluated once: the template reuses these rows
        usage = question_usage(question_ids=[q.pk for q in rows])
        for question in rows:
            question.usage = usage.get(question.pk)
        return changelist

    @admin.display(description="drawn")
    def usage(self, obj):
        used = getattr(obj, "usage", None)
        if not used:
            return "never"
        return format_html(
            '{} attempt{} <span class="usage-last">(last {})</span>',
            used["attempts"],
            "" if used["attempts"] == 1 else "s",
            date_format(localtime(used["last"]), "DATE_FORMAT"),
        )


@admin.register(ExamBlueprint)
class ExamBlueprintAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "guide",
        "mode",
        "question_count",
        "duration_minutes",
        "passing_score",
        "is_active",
    )
    list_filter = ("guide", "mode", "is_active")


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("pk", "user", "blueprint", "state", "started_at", "scaled_score", "passed")
    list_filter = ("state", "blueprint")
    list_select_related = ("user", "blueprint")
    readonly_fields = [f.name for f in Attempt._meta.fields]

    def has_add_permission(self, request):
        return False  # candidates start attempts; an empty one made here could not even be saved
