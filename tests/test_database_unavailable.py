"""A lost database connection answers 503 with Retry-After in the form the client asked for.

The real outage (PostgreSQL restarted under a live gunicorn) is
tests/faults/test_database_restart.py; these check the response itself on any database.
"""

import json
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, override_settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOST = OperationalError("server closed the connection unexpectedly")


def _healthz_losing(exc, client, **headers):
    with mock.patch("config.views.connection.cursor", side_effect=exc):
        return client.get("/healthz", headers=headers)


@pytest.mark.parametrize("exc", [LOST, InterfaceError("connection already closed")])
def test_a_json_client_gets_503_json_with_retry_after(client, exc, settings):
    settings.DATABASE_RETRY_AFTER_SECONDS = 7
    response = _healthz_losing(exc, client, accept="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["code"] == "unavailable" and body["retry_after"] == 7 and "try again" in body["error"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("accept", ["text/html,application/xhtml+xml,*/*;q=0.8", "*/*", None])
def test_a_browser_gets_a_short_page(client, accept):
    response = _healthz_losing(LOST, client, **({"accept": accept} if accept else {}))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert b"Back in a moment" in response.content and b"<script" not in response.content
    assert response["Refresh"] == "5"  # the browser tries again by itself


def test_a_refused_post_is_not_reloaded_by_the_browser(client):
    with mock.patch("config.views.connection.cursor", side_effect=LOST):
        response = client.post("/healthz", headers={"accept": "text/html"})
    assert response.status_code == 503 and not response.has_header("Refresh")


def test_the_autosave_of_an_exam_gets_the_503_the_exam_script_retries(client):
    """Through the real middleware stack: the session is read (and lost) inside the view."""
    user = UserFactory()
    client.force_login(user)
    with mock.patch("accounts.sessions.SessionStore.load", side_effect=LOST):
        response = client.post(
            "/attempts/1/save/", "{}", content_type="application/json", headers={"accept": "application/json"}
        )
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert json.loads(response.content)["code"] == "unavailable" and not response.has_header("Refresh")


class LosesTheDatabase:
    """A middleware whose database call fails before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("could not connect to server: Connection refused")


class Breaks:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise ValueError("a bug, not an outage")


def test_a_database_lost_in_a_middleware_is_a_503_too():
    client = Client(raise_request_exception=False)
    stack = ["config.middleware.DatabaseUnavailableMiddleware", f"{__name__}.LosesTheDatabase"]
    with override_settings(MIDDLEWARE=stack):
        response = client.get("/healthz", headers={"accept": "application/json"})
    assert response.status_code == 503 and response["Retry-After"] == "5"


def test_any_other_error_is_still_a_500():
    client = Client(raise_request_exception=False)
    with override_settings(MIDDLEWARE=[f"{__name__}.Breaks"]):
        response = client.get("/healthz")
    assert response.status_code == 500 and not response.has_header("Retry-After")
    with mock.patch("config.views.connection.cursor", side_effect=ValueError("bug")):
        assert client.get("/healthz").status_code == 500


def test_settings_reconnect_after_a_lost_connection(settings):
    """Persistent connections are health-checked, so one broken by a restart is replaced."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert "config.middleware.DatabaseUnavailableMiddleware" in settings.MIDDLEWARE
