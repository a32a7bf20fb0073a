"""The project's URLs plus the floor views; only config.settings.bench points here."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/floor/bare/", views.floor_bare, name="bench_floor_bare"),
    path("bench/floor/session/", views.floor_session, name="bench_floor_session"),
    path("bench/floor/login/", views.floor_login, name="bench_floor_login"),
    path("bench/floor/<int:attempt_id>/read/", views.floor_read, name="bench_floor_read"),
    path("bench/floor/<int:attempt_id>/update/", views.floor_update, name="bench_floor_update"),
    path("", include("config.urls")),
]
