from django.urls import path

from . import views

app_name = "questions"

urlpatterns = [
    path("<int:question_id>/report/", views.report_problem, name="report"),
    path("reports/", views.my_reports, name="my_reports"),
]
