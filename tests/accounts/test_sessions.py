"""The session store and the user lookup every signed-in request pays for (accounts/sessions.py,
accounts/backends.py, accounts/middleware.py): the session and its user in one written-out read,
with Django's own semantics, run on SQLite and on PostgreSQL (DATABASE_URL) alike."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.backends import UserBackend, _lent
from accounts.models import Session
from accounts.sessions import SessionStore
from config.celery import app as celery_app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_site_uses_them():
    assert settings.SESSION_ENGINE == "accounts.sessions"
    assert "accounts.middleware.AuthenticationMiddleware" in settings.MIDDLEWARE
    assert settings.AUTHENTICATION_BACKENDS.index("accounts.backends.UserBackend") < (
        settings.AUTHENTICATION_BACKENDS.index("django.contrib.auth.backends.ModelBackend")
    )


def test_a_session_reads_back_what_was_saved_in_one_query():
    store = SessionStore()
    store["answer"] = {"n": 42, "when": "now"}
    store.save()
    again = SessionStore(store.session_key)
    with CaptureQueriesContext(connection) as ctx:
        assert again["answer"] == {"n": 42, "when": "now"}
    assert len(ctx.captured_queries) == 1


def test_an_expired_unknown_or_forged_session_reads_as_empty_and_gets_a_new_key():
    store = SessionStore()
    store["x"] = 1
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert dict(expired.items()) == {} and expired.session_key is None
    assert dict(SessionStore("x" * 32).items()) == {}
    Session.objects.create(
        session_key="f" * 32, session_data="forged:data", expire_date=timezone.now() + timedelta(days=1)
    )
    assert dict(SessionStore("f" * 32).items()) == {}


def test_logout_revokes_the_session_and_a_password_change_ends_it(client):
    user = UserFactory(username="sess-user")
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("exams:dashboard")).status_code == 200
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = key
    assert stolen.get(reverse("exams:dashboard")).status_code == 200
    client.post(reverse("logout"))
    assert stolen.get(reverse("exams:dashboard")).status_code == 302  # revoked on the server
    client.force_login(user)
    user.set_password("another-pass-2024!")
    user.save()
    assert client.get(reverse("exams:dashboard")).status_code == 302  # the session's hash no longer matches


def test_the_user_backend_reads_the_whole_user_in_one_query_and_refuses_the_inactive():
    user = UserFactory(username="whole", email="w@example.com", is_staff=True)
    with CaptureQueriesContext(connection) as ctx:
        read = UserBackend().get_user(str(user.pk))
    assert len(ctx.captured_queries) == 1
    assert read == user and read.get_deferred_fields() == set()
    assert (read.username, read.email, read.is_staff, read.is_active) == (
        "whole",
        "w@example.com",
        True,
        True,
    )
    assert read.date_joined == user.date_joined and read.password == user.password
    assert UserBackend().get_user(user.pk + 1000) is None
    assert UserBackend().get_user("not a number") is None
    user.is_active = False
    user.save()
    assert UserBackend().get_user(user.pk) is None


def test_a_session_signed_in_through_model_backend_stays_signed_in(client):
    """Sessions made before the deploy name django's ModelBackend."""
    user = UserFactory(username="before-deploy")
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    assert client.get(reverse("exams:dashboard")).status_code == 200


def test_a_real_login_names_the_user_backend(client):
    user = UserFactory(username="real-login")
    user.set_password("a-good-pass-2024!")
    user.save()
    response = client.post(reverse("login"), {"username": "real-login", "password": "a-good-pass-2024!"})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.UserBackend"


def test_a_signed_in_request_reads_its_session_and_user_in_one_statement(client):
    user = UserFactory(username="one-read")
    client.force_login(user)
    assert Session.objects.get(session_key=client.session.session_key).user_id == user.pk
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200 and response.context["user"] == user
    sessions = [q["sql"] for q in ctx.captured_queries if "accounts_session" in q["sql"]]
    users = [q["sql"] for q in ctx.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(sessions) == 1 and 'JOIN "accounts_user"' in sessions[0] and users == [], (sessions, users)
    assert _lent.get() is None  # the lent user did not outlive the request


def test_the_user_read_with_the_session_is_checked_as_django_checks_it(client):
    """Inactive, a changed password, a deleted user: each ends the session as before."""
    user = UserFactory(username="checked")
    client.force_login(user)
    assert client.get(reverse("accounts:profile")).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(reverse("accounts:profile")).status_code == 302
    user.is_active = True
    user.save()
    client.force_login(user)
    assert client.get(reverse("accounts:profile")).status_code == 200
    key = client.session.session_key
    user.delete()
    assert not Session.objects.filter(session_key=key).exists()  # deleting a user ends their sessions
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_a_signed_out_session_names_no_user(client):
    store = SessionStore()
    store["cart"] = 1
    store.save()
    assert Session.objects.get(session_key=store.session_key).user_id is None
    again = SessionStore(store.session_key)
    assert again["cart"] == 1 and again.signed_in_user is None


def test_the_deploy_keeps_sessions_signed_in_before_it(client):
    """The migration copies Django's unexpired sessions, with their users, into our table."""
    migration = importlib.import_module("accounts.migrations.0002_session")
    user = UserFactory(username="before-table")
    old = SessionStore()
    old[SESSION_KEY] = str(user.pk)
    old[BACKEND_SESSION_KEY] = "accounts.backends.UserBackend"
    old[HASH_SESSION_KEY] = user.get_session_auth_hash()
    later = timezone.now() + timedelta(days=1)
    signed_in = old.encode(old._session)
    DjangoSession.objects.create(session_key="k" * 32, session_data=signed_in, expire_date=later)
    DjangoSession.objects.create(session_key="a" * 32, session_data=old.encode({"x": 1}), expire_date=later)
    gone = old.encode({SESSION_KEY: str(user.pk + 999)})
    DjangoSession.objects.create(session_key="g" * 32, session_data=gone, expire_date=later)
    DjangoSession.objects.create(
        session_key="e" * 32, session_data="x", expire_date=timezone.now() - timedelta(seconds=1)
    )
    migration.copy_sessions(django_apps, None)
    copied = dict(Session.objects.values_list("session_key", "user_id"))
    assert copied == {"k" * 32: user.pk, "a" * 32: None, "g" * 32: None}
    client.cookies[settings.SESSION_COOKIE_NAME] = "k" * 32
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_beat_clears_expired_sessions_nightly_and_keeps_live_ones():
    live, dead = SessionStore(), SessionStore()
    for store in (live, dead):
        store["x"] = 1
        store.save()
    past = timezone.now() - timedelta(seconds=1)
    Session.objects.filter(session_key=dead.session_key).update(expire_date=past)
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accounts.periodic.clear_expired_sessions" in schedule
    celery_app.loader.import_default_modules()
    celery_app.tasks["accounts.periodic.clear_expired_sessions"].apply()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
