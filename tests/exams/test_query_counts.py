"""Every candidate-facing view costs the same number of queries at two sizes of input.

The small world: a bank of 8 questions per task statement, a 20-question mock, one earlier
attempt, 10-question practice sets. The large world: 16 per task statement, a 65-question mock,
three earlier attempts, 30-question sets. A view whose count differs between the two has grown
an N+1, and fails here without timing anything (performance figures: docs/performance.md).
"""

import json
import random

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exams.models import Attempt, ExamBlueprint
from exams.services.assembly import assemble
from exams.services.attempts import attempt_save_answer, attempt_start, attempt_submit
from questions.models import SubDomain
from tests.factories import UserFactory, build_guide, correct_positions

pytestmark = pytest.mark.django_db

SMALL = {"code": "SML-01", "per_sub": 8, "questions": 20, "history": 1, "drill": 10}
LARGE = {"code": "LRG-01", "per_sub": 16, "questions": 65, "history": 3, "drill": 30}


def count(fn, expect=(200, 302)):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code in expect, (response.status_code, response.content[:500])
    return len(ctx.captured_queries), response


def answer_half(user, attempt):
    """Answer the odd positions, right and wrong in turn, some flagged."""
    for item in attempt.items.select_related("version").order_by("position"):
        if item.position % 2:
            keys = correct_positions(item)
            wrong = [i for i in range(item.choice_count) if i not in keys][:1]
            attempt_save_answer(
                user=user, attempt_id=attempt.pk, position=item.position,
                selected=keys if item.position % 4 == 1 else wrong,
                flagged=item.position % 3 == 0, base_revision=item.revision,
            )  # fmt: skip


def world(size: dict, capture) -> dict:
    """A guide, a candidate with ``history`` submitted mocks (analysed), logged in."""
    blueprint = ("full", size["questions"], 180)
    guide = build_guide(code=size["code"], per_sub=size["per_sub"], blueprint=blueprint)
    user = UserFactory(username=f"cand-{size['code']}")
    mock = guide.blueprints.get(slug="full")
    for n in range(size["history"]):
        attempt = attempt_start(user=user, blueprint=mock, seed=n)
        answer_half(user, attempt)
        with capture(execute=True):
            attempt_submit(user=user, attempt_id=attempt.pk)
    client = Client()
    client.force_login(user)
    client.get(reverse("exams:list"))  # the session's first write is not a page's cost
    return {"guide": guide, "user": user, "mock": mock, "client": client, **size}


def costs(w: dict, capture) -> dict[str, int]:
    client, mock, guide = w["client"], w["mock"], w["guide"]
    c = {}
    c["home"], _ = count(lambda: client.get(reverse("home")))
    c["exam list"], _ = count(lambda: client.get(reverse("exams:list")))
    c["history"], _ = count(lambda: client.get(reverse("exams:history")))
    c["dashboard"], _ = count(lambda: client.get(reverse("exams:dashboard")))
    c["practice"], _ = count(lambda: client.get(reverse("exams:practice")))
    c["profile"], _ = count(lambda: client.get(reverse("accounts:profile")))

    c["start"], _ = count(lambda: client.post(reverse("exams:start", args=[mock.pk])))
    attempt = Attempt.objects.get(user=w["user"], blueprint=mock, state=Attempt.State.IN_PROGRESS)
    c["resume"], _ = count(lambda: client.get(reverse("exams:resume", args=[attempt.pk])))
    c["question"], _ = count(lambda: client.get(reverse("exams:question", args=[attempt.pk, 2])))
    save = {"position": 3, "selected": [0], "flagged": True, "revision": 0}
    c["save"], _ = count(
        lambda: client.post(reverse("exams:save", args=[attempt.pk]), json.dumps(save), "application/json")
    )
    c["overview"], _ = count(lambda: client.get(reverse("exams:overview", args=[attempt.pk])))
    with capture(execute=True):  # the analysis task after commit is not the request's cost
        c["submit"], _ = count(lambda: client.post(reverse("exams:submit", args=[attempt.pk])))
    c["result"], _ = count(lambda: client.get(reverse("exams:result", args=[attempt.pk])))
    c["breakdown"], _ = count(lambda: client.get(reverse("exams:breakdown", args=[attempt.pk])))
    review = reverse("exams:review", args=[attempt.pk])
    c["review"], _ = count(lambda: client.get(review))
    c["review filtered"], _ = count(lambda: client.get(review + "?show=wrong"))

    item = attempt.items.order_by("position").first()
    c["report problem"], _ = count(
        lambda: client.post(
            reverse("questions:report", args=[item.question_id]),
            {"version": item.version_id, "reason": "unclear", "text": "Hm.", "next": "/"},
        )
    )

    domain = guide.domains.get(number=3)
    c["drill"], _ = count(
        lambda: client.post(
            reverse("exams:drill"),
            {"guide": guide.pk, "count": w["drill"], "mode": "study", "scope": f"d:{domain.pk}"},
        )
    )
    study = Attempt.objects.filter(user=w["user"], blueprint__mode=ExamBlueprint.Mode.STUDY).get()
    first = study.items.select_related("version").order_by("position").first()
    body = {"position": 1, "selected": correct_positions(first), "flagged": False, "revision": 0}
    client.post(reverse("exams:save", args=[study.pk]), json.dumps(body), "application/json")
    c["check"], _ = count(lambda: client.post(reverse("exams:check", args=[study.pk, 1])))
    c["study question"], _ = count(lambda: client.get(reverse("exams:question", args=[study.pk, 1])))
    c["mistakes"], _ = count(lambda: client.post(reverse("exams:mistakes"), {"guide": guide.pk, "scope": ""}))
    sub = SubDomain.objects.filter(domain__guide=guide).order_by("code").first()
    c["mistakes (task)"], _ = count(
        lambda: client.post(reverse("exams:mistakes"), {"guide": guide.pk, "scope": f"t:{sub.pk}"})
    )
    return c


def test_every_candidate_view_costs_the_same_queries_at_two_sizes(django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    small = costs(world(SMALL, capture), capture)
    large = costs(world(LARGE, capture), capture)
    grown = {view: (small[view], large[view]) for view in small if small[view] != large[view]}
    assert not grown, grown
    # The hot paths' budgets: session, user, and what the page itself needs.
    assert large["save"] <= 4, large
    assert large["question"] <= 6, large


def test_assembly_queries_do_not_grow_with_the_bank(candidate):
    """Drawing a 65-question mock costs the same queries from a bank of 120 and of 600."""
    counts = []
    for code, per_sub in (("BNK-S", 8), ("BNK-L", 40)):
        blueprint = build_guide(code=code, per_sub=per_sub).blueprints.get(slug="full")
        with CaptureQueriesContext(connection) as ctx:
            draws = assemble(blueprint=blueprint, user=candidate, rng=random.Random(1))
        assert len(draws) == 65
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
