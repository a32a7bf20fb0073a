"""The benchmark floor views exist only under config.settings.bench and behave like exam views."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse

from exams.services.attempts import attempt_start


def test_floor_views_are_not_in_the_deployed_urlconf():
    with pytest.raises(Resolver404):
        resolve("/bench/floor/1/read/")


def test_bench_settings_are_production_over_plain_http(monkeypatch):
    import importlib

    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    bench = importlib.import_module("config.settings.bench")
    assert bench.DEBUG is False
    assert bench.ROOT_URLCONF == "bench.urls"
    assert bench.DATABASES["default"]["CONN_MAX_AGE"] is None
    assert bench.SECURE_SSL_REDIRECT is False


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="bench.urls")
def test_floor_views_need_login_csrf_and_ownership(candidate, other_candidate, blueprint):
    attempt = attempt_start(user=candidate, blueprint=blueprint, seed=1)
    read = reverse("bench_floor_read", args=[attempt.pk])
    update = reverse("bench_floor_update", args=[attempt.pk])
    anonymous = Client()
    assert anonymous.get(read).status_code == 302
    mine = Client(enforce_csrf_checks=True)
    mine.force_login(candidate)
    assert mine.get(read).json() == {"position": 1}
    assert mine.post(update).status_code == 403  # no CSRF token
    theirs = Client()
    theirs.force_login(other_candidate)
    assert theirs.get(read).status_code == 404
    assert theirs.post(update).status_code == 404
    lax = Client()
    lax.force_login(candidate)
    assert lax.post(update).json() == {"ok": True}
    assert lax.get(read).json() == {"position": 2}


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="bench.urls")
def test_the_true_floors_touch_no_session_then_the_session_then_the_user(
    candidate, django_assert_num_queries
):

    anonymous = Client()
    with CaptureQueriesContext(connection) as bare:
        assert anonymous.get(reverse("bench_floor_bare")).status_code == 200
    assert len(bare.captured_queries) == 0
    assert anonymous.get(reverse("bench_floor_login")).status_code == 302
    signed_in = Client()
    signed_in.force_login(candidate)
    # The session's read brings its user (accounts/sessions.py): signing in costs no query more.
    for name, queries in (("bench_floor_bare", 0), ("bench_floor_session", 1), ("bench_floor_login", 1)):
        with CaptureQueriesContext(connection) as ctx:
            assert signed_in.get(reverse(name)).status_code == 200
        assert len(ctx.captured_queries) == queries, name
