"""The project's URLs plus the two floor views; only config.settings.bench points here."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/floor/<int:attempt_id>/read/", views.floor_read, name="bench_floor_read"),
    path("bench/floor/<int:attempt_id>/update/", views.floor_update, name="bench_floor_update"),
    path("", include("config.urls")),
]
