from django.contrib import admin

from .models import Choice, Domain, ExamGuide, Question, QuestionVersion, SubDomain


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(ExamGuide)
class ExamGuideAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "version", "question_count", "duration_minutes", "passing_score")
    inlines = [DomainInline]


@admin.register(SubDomain)
class SubDomainAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "domain")
    list_filter = ("domain__guide", "domain")


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("external_id", "sub_domain", "type", "difficulty", "status", "updated_at")
    list_filter = ("status", "type", "difficulty", "sub_domain__domain", "sub_domain")
    search_fields = ("external_id", "stem")
    list_select_related = ("sub_domain",)
    readonly_fields = ("current_version", "created_at", "updated_at")
    inlines = [ChoiceInline]


@admin.register(QuestionVersion)
class QuestionVersionAdmin(admin.ModelAdmin):
    list_display = ("question", "number", "created_at", "created_by", "note")
    list_select_related = ("question", "created_by")
    readonly_fields = ("question", "number", "content", "created_at", "created_by", "note")
