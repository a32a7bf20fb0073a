"""Every URL pattern of the project, as every kind of visitor, against a table of who may read and
who may write.

The table is keyed by URL name (or by route, for the few unnamed admin patterns) and
``test_the_table_has_a_row_for_every_url_pattern`` walks the resolver: a pattern added later
without a row here fails the suite. Each request runs in a savepoint that is rolled back, so a
write one visitor may make does not change what the next one sees; a refused request must also
leave the attempts, the bank, the users and the reports exactly as they were.

Outcomes: a status code, ``LOGIN`` (302 to the site's log-in page), ``ADMIN_LOGIN`` (302 to the
admin's log-in page) or ``REDIRECT`` (any other 302).
"""

import json
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.utils import timezone

from accounts.models import AUTHORS_GROUP, Profile, User
from config.views import healthz
from questions.models import CaseStudy, ProblemReport, Question
from questions.services import author_grant
from tests.factories import UserFactory, client_for

from .access_table import TABLE
from .conftest import attempts_state, bank_state, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet_requests")]

ROLES = ("anonymous", "candidate_a", "candidate_b", "author", "staff", "superuser")


def patterns(resolvers=None, prefix: str = "", namespace: str = ""):
    """(key, route) for every URL pattern: the key is the namespaced name, else the full route."""
    for p in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from patterns(p.url_patterns, prefix + str(p.pattern), ns)
        else:
            assert isinstance(p, URLPattern)
            route = prefix + str(p.pattern)
            yield (f"{namespace}{p.name}" if p.name else route), route


def test_the_table_has_a_row_for_every_url_pattern():
    keys = [key for key, _ in patterns()]
    assert len(keys) == len(set(keys)), "two patterns share a key"
    missing = sorted(set(keys) - set(TABLE))
    assert not missing, f"URL patterns with no row in the access table: {missing}"
    stale = sorted(set(TABLE) - set(keys))
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"


def test_a_pattern_added_without_a_row_would_be_caught():
    added = [*get_resolver().url_patterns, path("brand-new/", healthz, name="brand-new")]
    assert {key for key, _ in patterns(added)} - set(TABLE) == {"brand-new"}


@pytest.fixture
def objects(db):
    """Real objects for every URL argument."""
    world = build_world()
    author = UserFactory(username="author-m")
    author_grant(user=author)
    question = Question.objects.filter(sub_domain__domain__guide=world.guide).order_by("pk").first()
    now = timezone.now()
    access = {"user_agent": "test", "ip_address": "10.9.9.9", "username": "x", "http_accept": "*/*"}
    return SimpleNamespace(
        world=world,
        users={
            "anonymous": None,
            "candidate_a": world.a,
            "candidate_b": world.b,
            "author": author,
            "staff": UserFactory(username="staff-m", is_staff=True),
            "superuser": UserFactory(username="root-m", is_staff=True, is_superuser=True),
        },
        question=question,
        case_study=CaseStudy.objects.create(
            guide=world.guide, code="CS-M", title="Case", scenario="A scenario."
        ),
        version=question.current_version,
        report=ProblemReport.objects.create(question=question, user=world.a, reason="typo", text="A typo."),
        group=Group.objects.get(name=AUTHORS_GROUP),
        access_attempt=AccessAttempt.objects.create(
            **access, path_info="/", attempt_time=now, get_data="", post_data="", failures_since_start=1
        ),
        access_log=AccessLog.objects.create(**access, path_info="/", attempt_time=now),
        access_failure=AccessFailureLog.objects.create(**access, path_info="/", attempt_time=now),
        content_type=ContentType.objects.get_for_model(Question),
    )


@dataclass(frozen=True)
class Seen:
    role: str
    key: str
    method: str
    url: str
    expected: object
    got: object


def outcome(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return "ADMIN_LOGIN"
        if location.startswith(reverse("login") + "?"):
            return "LOGIN"
        return "REDIRECT"
    return response.status_code


def fingerprint(o) -> tuple:
    """What no refused request may change: attempts, the bank, users, groups, profiles, reports."""
    with connection.cursor() as cursor:
        tables = [m._meta.db_table for m in (User, Profile, ProblemReport, Group)]
        extra = []
        for table in [*tables, User.groups.through._meta.db_table]:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
            extra.append(cursor.fetchall())
    return attempts_state(o.world), bank_state(), extra


REFUSED = {"LOGIN", "ADMIN_LOGIN", 403, 404, 405}


def session_client(o, role: str, sessions: dict) -> Client:
    """A client holding the role's session cookie (the session row itself survives rollbacks)."""
    client = Client()
    if sessions.get(role):
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_url_as_every_visitor(objects, role):
    o = objects
    sessions = {}
    if o.users[role] is not None:
        sessions[role] = client_for(o.users[role]).cookies[settings.SESSION_COOKIE_NAME].value
    seen = []
    for key, cases in TABLE.items():
        for case in cases:
            url = case.url(o)
            data = case.data(o) if callable(case.data) else case.data
            client = session_client(o, role, sessions)
            with transaction.atomic():
                before = fingerprint(o)
                if case.method == "get":
                    response = client.get(url, data or {})
                elif case.content_type:
                    response = client.post(url, json.dumps(data), content_type=case.content_type)
                else:
                    response = client.post(url, data or {})
                got = outcome(response)
                expected = case.expect[role]
                if got != expected:
                    seen.append(Seen(role, key, case.method, url, expected, got))
                elif got in REFUSED:
                    assert fingerprint(o) == before, (role, case.method, url)
                transaction.set_rollback(True)
    assert not seen, "\n".join(
        f"{s.role} {s.method.upper()} {s.url} ({s.key}): {s.got}, not {s.expected}" for s in seen
    )
