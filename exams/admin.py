from django.contrib import admin

from .models import Attempt, ExamBlueprint


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
