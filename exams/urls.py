from django.urls import path

from . import views

app_name = "exams"

urlpatterns = [
    path("exams/", views.exam_list, name="list"),
    path("exams/<int:blueprint_id>/", views.attempt_instructions, name="instructions"),
    path("exams/<int:blueprint_id>/start/", views.attempt_start, name="start"),
    path("attempts/", views.history, name="history"),
    path("attempts/<int:attempt_id>/", views.attempt_resume, name="resume"),
    path("attempts/<int:attempt_id>/q/<int:position>/", views.attempt_question, name="question"),
    path("attempts/<int:attempt_id>/q/<int:position>/check/", views.attempt_check, name="check"),
    path("attempts/<int:attempt_id>/overview/", views.attempt_overview, name="overview"),
    path("attempts/<int:attempt_id>/review/", views.attempt_review, name="review"),
    path("practice/", views.practice_hub, name="practice"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("authoring/statistics/", views.item_statistics, name="item_statistics"),
    path("practice/drill/", views.practice_drill, name="drill"),
    path("practice/mistakes/", views.practice_mistakes, name="mistakes"),
    path("practice/review/", views.practice_review, name="review_due"),
    path("practice/diagnostic/", views.diagnostic_start, name="diagnostic_start"),
    path("diagnostic/<int:attempt_id>/", views.diagnostic_question, name="diagnostic"),
    path("diagnostic/<int:attempt_id>/answer/", views.diagnostic_answer, name="diagnostic_answer"),
    path("diagnostic/<int:attempt_id>/stop/", views.diagnostic_stop, name="diagnostic_stop"),
    path(
        "attempts/<int:attempt_id>/q/<int:position>/confidence/", views.attempt_confidence, name="confidence"
    ),
    path("attempts/<int:attempt_id>/save/", views.attempt_save, name="save"),
    path("attempts/<int:attempt_id>/time/", views.attempt_time, name="time"),
    path("attempts/<int:attempt_id>/submit/", views.attempt_submit, name="submit"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="result"),
    path("attempts/<int:attempt_id>/result/breakdown/", views.attempt_breakdown, name="breakdown"),
]
