"""Response headers against clickjacking, MIME sniffing, referrer leaks and cached exam pages."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import client_for

pytestmark = pytest.mark.django_db


def test_no_page_may_be_framed_or_sniffed(client):
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_session_and_csrf_cookies_are_not_for_scripts_or_other_sites(client, world):
    response = client.post(reverse("login"), {"username": "cand-a", "password": "pass-word-123"})
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    csrf = client.get(reverse("login")).cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["samesite"] == "Lax"


def test_exam_pages_are_never_stored_by_a_browser_or_proxy(world):
    client = client_for(world.a)
    for url in (
        reverse("exams:question", args=[world.open.pk, 1]),
        reverse("exams:overview", args=[world.open.pk]),
        reverse("exams:review", args=[world.submitted.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url
