from django.urls import path

from . import views

app_name = "exams"

urlpatterns = [
    path("exams/", views.exam_list, name="list"),
    path("exams/<int:blueprint_id>/start/", views.attempt_start, name="start"),
    path("attempts/", views.history, name="history"),
    path("attempts/<int:attempt_id>/", views.attempt_resume, name="resume"),
    path("attempts/<int:attempt_id>/q/<int:position>/", views.attempt_question, name="question"),
    path("attempts/<int:attempt_id>/overview/", views.attempt_overview, name="overview"),
    path("attempts/<int:attempt_id>/save/", views.attempt_save, name="save"),
    path("attempts/<int:attempt_id>/submit/", views.attempt_submit, name="submit"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="result"),
    path("attempts/<int:attempt_id>/result/breakdown/", views.attempt_breakdown, name="breakdown"),
]
