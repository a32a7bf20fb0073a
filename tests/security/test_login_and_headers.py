"""Login throttling (django-axes), the Content-Security-Policy, and no inline scripts."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from exams.services.attempts import attempt_start

pytestmark = pytest.mark.django_db


def login(ip: str, username: str, password: str):
    return Client(REMOTE_ADDR=ip).post(reverse("login"), {"username": username, "password": password})


def test_five_failures_lock_that_username_from_that_address_only(candidate):
    for _ in range(4):
        assert login("10.0.0.1", candidate.username, "wrong-password").status_code == 200
    assert login("10.0.0.1", candidate.username, "wrong-password").status_code == 429  # the fifth locks
    locked = login("10.0.0.1", candidate.username, "pass-word-123")
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    # the real candidate, elsewhere, is not locked out by the attacker
    assert login("10.0.0.2", candidate.username, "pass-word-123").status_code == 302


def test_a_success_resets_the_count(candidate):
    for _ in range(4):
        login("10.0.0.3", candidate.username, "wrong-password")
    assert login("10.0.0.3", candidate.username, "pass-word-123").status_code == 302
    for _ in range(4):
        login("10.0.0.3", candidate.username, "wrong-password")
    assert login("10.0.0.3", candidate.username, "pass-word-123").status_code == 302


def test_csp_header_forbids_inline_script(client):
    policy = client.get(reverse("home")).headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"


SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)


def test_no_page_carries_an_inline_script(client_a, candidate, blueprint):
    attempt = attempt_start(user=candidate, blueprint=blueprint)
    urls = [
        reverse("home"),
        reverse("exams:list"),
        reverse("exams:practice"),
        reverse("exams:dashboard"),
        reverse("exams:history"),
        reverse("exams:question", args=[attempt.pk, 1]),
        reverse("exams:overview", args=[attempt.pk]),
        reverse("accounts:profile"),
    ]
    for url in urls:
        body = client_a.get(url).content.decode()
        for attributes in SCRIPT.findall(body):
            assert "src=" in attributes or 'type="application/json"' in attributes, (url, attributes)
        assert not re.search(r"\son[a-z]+=", body), url  # no inline event handlers
