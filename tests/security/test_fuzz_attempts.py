"""Property-based: thousands of generated requests at autosave, submit and the study-mode check.

Valid requests get 2xx and write exactly what they say; wrong ones (wrong types, out-of-range
positions and options, huge numbers, unicode, nested objects, missing and extra keys, stale
revisions, other people's attempts, raw bytes) get a 4xx with a message (or, for the check
form, a redirect carrying an error message) and leave every Attempt and AttemptItem row as it
was. An uncaught exception fails the test: the test client re-raises it.
"""

import json
from collections import Counter

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from exams.models import Attempt, AttemptItem
from exams.scoring import is_correct
from tests.factories import client_for

from .conftest import attempts_state, decoded, restore, rows
from .fuzzing import (
    ACCEPTS,
    BUDGET,
    CONTENT_TYPES,
    HUGE,
    JSON_CONTENT_TYPES,
    ODD_VALUES,
    RAW_BODIES,
    TOTAL_PROMISED,
    fuzz_settings,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet_requests")]

KEYS = ("position", "selected", "flagged", "revision", "request", "active")
MISSING_ID = 2**62


def target_pk(world, name: str) -> int:
    return MISSING_ID if name == "missing" else getattr(world, name).pk


def geometry(attempt) -> dict[int, AttemptItem]:
    return {i.position: i for i in AttemptItem.objects.filter(attempt=attempt).select_related("version")}


def current(attempt, position: int) -> AttemptItem:
    return AttemptItem.objects.get(attempt=attempt, position=position)


def draw_valid(data, world, shapes) -> dict:
    """A payload the open attempt must accept: a real position, distinct displayed options within
    the question's limit, and the item's current revision; optional keys sometimes left out."""
    position = data.draw(st.integers(1, world.open.question_count), label="position")
    shape = shapes[position]
    selected = data.draw(
        st.lists(st.integers(0, shape.choice_count - 1), unique=True, max_size=shape.select_count),
        label="selected",
    )
    payload = {"position": position, "selected": selected, "flagged": data.draw(st.booleans())}
    payload["revision"] = current(world.open, position).revision
    if not selected and data.draw(st.booleans(), label="omit selected"):
        del payload["selected"]
    if not payload["flagged"] and data.draw(st.booleans(), label="omit flagged"):
        del payload["flagged"]
    return payload


def encode(data, payload) -> bytes:
    """The same JSON, spelled in any of the ways a browser or a script might spell it."""
    keys = data.draw(st.permutations(list(payload)), label="key order") if isinstance(payload, dict) else None
    value = {k: payload[k] for k in keys} if keys is not None else payload
    text = json.dumps(
        value,
        ensure_ascii=data.draw(st.booleans(), label="ascii"),
        indent=data.draw(st.sampled_from([None, 0, 2]), label="indent"),
    )
    return text.encode()


def post_save(client, data, pk: int, body: bytes, *, as_json: bool = False):
    """The body sent with any content type (only a JSON one is read: exams/answers.py), or
    with ``as_json`` one of the spellings of JSON; the response says which it was sent with."""
    kinds = JSON_CONTENT_TYPES if as_json else CONTENT_TYPES
    content_type = data.draw(kinds, label="content type")
    response = client.post(reverse("exams:save", args=[pk]), body, content_type=content_type)
    response.sent_as_json = content_type.split(";")[0] == "application/json"
    return response


def assert_refused(response, before, world) -> None:
    """A 4xx with a message: JSON ``{"error": …}``, or Django's "Not Found" page for an attempt
    that is not the candidate's (the same answer as for one that does not exist)."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:200])
    if response.status_code == 404:
        assert b"Not Found" in response.content
    else:
        error = response.json().get("error")
        assert isinstance(error, str) and error.strip(), response.content[:200]
    assert attempts_state(world) == before


def assert_saved(response, before, world, payload: dict) -> None:
    """A 200 wrote exactly this question's answer and flag (or acknowledged an identical retry)."""
    assert response.status_code == 200, (response.status_code, response.content[:200])
    ack = response.json()
    assert set(ack) == {"revision", "saved_at", "remaining"}
    after = attempts_state(world)
    assert after[0] == before[0]  # no Attempt row changes on a save
    position = payload["position"]
    target = next(r for r in before[1] if r["attempt_id"] == world.open.pk and r["position"] == position)
    assert [r for r in after[1] if r["id"] != target["id"]] == [r for r in before[1] if r is not target]
    changed = next(r for r in after[1] if r["id"] == target["id"])
    stored = sorted(decoded(target["option_order"])[s] for s in payload.get("selected", []))
    if ack["revision"] == target["revision"]:  # a retry whose reply was lost: acknowledged, unchanged
        assert changed == target and decoded(target["selected"]) == stored
        return
    assert ack["revision"] == changed["revision"] == target["revision"] + 1
    assert decoded(changed["selected"]) == stored
    assert bool(changed["flagged"]) is payload.get("flagged", False)
    assert changed["saved_at"] is not None
    mutable = {"selected", "flagged", "revision", "saved_at"}
    assert {k: v for k, v in changed.items() if k not in mutable} == {
        k: v for k, v in target.items() if k not in mutable
    }


def test_the_budget_adds_up():
    assert sum(BUDGET.values()) >= TOTAL_PROMISED


def test_valid_saves_are_acknowledged_and_land(world):
    client, shapes, ran = client_for(world.a), geometry(world.open), Counter()

    @fuzz_settings("save: valid")
    @given(data=st.data())
    def run(data):
        ran["examples"] += 1
        payload = draw_valid(data, world, shapes)
        before = attempts_state(world)
        response = post_save(client, data, world.open.pk, encode(data, payload), as_json=True)
        assert_saved(response, before, world, payload)

    run()
    assert ran["examples"] >= BUDGET["save: valid"]


def _break(data, payload: dict, shape, kind: str):
    """Make ``payload`` wrong in one way (returns the new payload)."""
    if kind == "position":
        bad = st.one_of(ODD_VALUES, st.integers(min_value=11, max_value=10**6), st.just(0), st.just("__drop"))
        value = data.draw(bad, label="bad position")
        if value == "__drop":
            payload.pop("position")
        else:
            payload["position"] = value
    elif kind == "selected":
        selected = payload.get("selected", [])
        payload["selected"] = data.draw(
            st.one_of(
                ODD_VALUES.filter(lambda v: not isinstance(v, list) or v != []),
                st.builds(
                    lambda v: [*selected, v], st.one_of(ODD_VALUES, st.integers(shape.choice_count, 9))
                ),
                st.just([*selected, selected[0]] if selected else [0, 0]),
                st.lists(
                    st.integers(0, shape.choice_count - 1),
                    unique=True,
                    min_size=shape.select_count + 1,
                    max_size=shape.choice_count,
                ),
                st.lists(st.integers(0, 3), min_size=11, max_size=30),
            ).filter(lambda v: not _acceptable_selection(v, shape)),
            label="bad selected",
        )
    elif kind == "flagged":
        payload["flagged"] = data.draw(ODD_VALUES.filter(lambda v: not isinstance(v, bool)), label="bad flag")
    elif kind == "revision":
        payload["revision"] = data.draw(
            st.one_of(ODD_VALUES.filter(lambda v: not isinstance(v, int) or isinstance(v, bool)), HUGE),
            label="bad revision",
        )
    elif kind == "extra key":
        key = data.draw(st.text(max_size=12).filter(lambda k: k not in KEYS), label="extra key")
        payload[key] = data.draw(ODD_VALUES, label="extra value")
    return payload


def _acceptable_selection(value, shape) -> bool:
    return (
        isinstance(value, list)
        and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < shape.choice_count for v in value)
        and len(set(value)) == len(value) <= shape.select_count
    )


BREAKS = ("position", "selected", "flagged", "revision", "extra key", "not an object", "too large", "target")


def test_structured_but_wrong_saves_are_refused_and_change_nothing(world):
    client, shapes, ran = client_for(world.a), geometry(world.open), Counter()

    @fuzz_settings("save: structured but wrong")
    @given(data=st.data())
    def run(data):
        ran["examples"] += 1
        payload = draw_valid(data, world, shapes)
        shape = shapes[payload["position"]]
        kinds = data.draw(st.lists(st.sampled_from(BREAKS), max_size=3, unique=True), label="breaks")
        stale = not kinds or data.draw(st.booleans(), label="stale too")
        if stale:  # another tab saved since: a stale base revision
            now = payload["revision"]
            payload["revision"] = data.draw(
                st.one_of(st.integers(0, now + 5), st.integers(0, 10**9)).filter(lambda r: r != now),
                label="stale revision",
            )
        for kind in kinds:
            payload = _break(data, payload, shape, kind) if kind in BREAKS[:5] else payload
        pk = world.open.pk
        if "target" in kinds:
            pk = target_pk(world, data.draw(st.sampled_from(["overdue", "submitted", "b_open", "missing"])))
        body = encode(data, [payload] if "not an object" in kinds else payload)
        if "too large" in kinds:
            body += b" " * (4097 - len(body))
        before = attempts_state(world)
        response = post_save(client, data, pk, body)
        item = current(world.open, payload["position"]) if not kinds else None
        identical_retry = item is not None and (item.selected, item.flagged) == (
            sorted(item.option_order[s] for s in payload.get("selected", [])),
            payload.get("flagged", False),
        )
        if identical_retry and response.sent_as_json:
            assert_saved(response, before, world, payload)
        else:
            assert_refused(response, before, world)
            if not kinds and response.sent_as_json:
                assert response.status_code == 409 and response.json()["code"] == "stale"
                assert response.json()["revision"] == item.revision  # and the server's answer

    run()
    assert ran["examples"] >= BUDGET["save: structured but wrong"]


def test_raw_bytes_never_crash_the_save_and_change_nothing(world):
    client, ran = client_for(world.a), Counter()

    @fuzz_settings("save: raw bytes")
    @given(
        data=st.data(),
        body=RAW_BODIES,
        target=st.sampled_from(["open", "overdue", "submitted", "b_open", "missing"]),
    )
    def run(data, body, target):
        ran["examples"] += 1
        before = attempts_state(world)
        response = post_save(client, data, target_pk(world, target), body)
        if response.status_code == 200:  # the bytes happened to spell a valid save, as JSON
            assert target == "open" and response.sent_as_json
            assert_saved(response, before, world, json.loads(body))
        else:
            assert_refused(response, before, world)

    run()
    assert ran["examples"] >= BUDGET["save: raw bytes"]


def orm_state(pk: int) -> tuple:
    return rows(Attempt.objects.filter(pk=pk)), rows(AttemptItem.objects.filter(attempt_id=pk))


METHODS = st.sampled_from(["post"] * 6 + ["get", "put", "patch", "delete", "options"])


def send(client, method: str, url: str, body: bytes, content_type: str, **headers):
    if method == "get":
        return client.get(url, **headers)
    return getattr(client, method)(url, body, content_type=content_type, **headers)


def test_submit_is_idempotent_for_the_owner_and_refused_to_everyone_else(world):
    client, ran = client_for(world.a), Counter()

    @fuzz_settings("submit")
    @given(
        target=st.one_of(
            st.sampled_from(["open", "overdue", "submitted", "b_open", "missing"]),
            st.integers(min_value=0, max_value=2**70),
        ),
        method=METHODS,
        body=RAW_BODIES,
        content_type=CONTENT_TYPES,
        accept=ACCEPTS,
        htmx=st.booleans(),
    )
    def run(target, method, body, content_type, accept, htmx):
        ran["examples"] += 1
        pk = target if isinstance(target, int) else target_pk(world, target)
        own = pk in {a.pk for a in world.attempts if a.user_id == world.a.pk}
        headers = {"HTTP_ACCEPT": accept, **({"HTTP_HX_REQUEST": "true"} if htmx else {})}
        before = attempts_state(world)
        undo = orm_state(pk) if own and method == "post" else None
        url = reverse("exams:submit", args=[pk])
        response = send(client, method, url, body, content_type, **headers)
        after = attempts_state(world)
        if method != "post":
            assert response.status_code == 405
        elif not own:
            assert response.status_code == 404 and response.content
        else:
            result = reverse("exams:result", args=[pk])
            if accept == "application/json":
                assert response.status_code == 200 and response.json() == {"result": result}
            else:
                assert response.status_code == 302 and response["Location"] == result
            attempt = next(r for r in after[0] if r["id"] == pk)
            assert attempt["state"] == "submitted" and attempt["submitted_at"] is not None
            if next(r for r in before[0] if r["id"] == pk)["state"] == "submitted":
                assert after == before  # idempotent: a second submit changes nothing
            else:
                assert [r for r in after[0] if r["id"] != pk] == [r for r in before[0] if r["id"] != pk]
                restore(undo, orm_state(pk))
                assert attempts_state(world) == before
                return
        assert after == before

    run()
    assert ran["examples"] >= BUDGET["submit"]


def test_study_check_marks_only_the_owners_answered_study_question(world):
    client, ran = client_for(world.a), Counter()
    open_items = AttemptItem.objects.filter(attempt_id__in=[world.study.pk, world.b_study.pk, world.open.pk])
    shapes = {name: geometry(getattr(world, name)) for name in ("study", "b_study", "open", "study_done")}

    @fuzz_settings("study check")
    @given(
        data=st.data(),
        target=st.sampled_from(["study", "study", "open", "study_done", "b_study", "missing"]),
        position=st.one_of(st.integers(1, 10), st.integers(min_value=0, max_value=2**70)),
        answered=st.booleans(),
        method=METHODS,
        body=RAW_BODIES,
        content_type=CONTENT_TYPES,
    )
    def run(data, target, position, answered, method, body, content_type):
        ran["examples"] += 1
        open_items.update(selected=[], checked_at=None, is_correct=None)
        shape = shapes.get(target, {}).get(position)
        if answered and shape is not None and target != "study_done":
            count = data.draw(st.integers(1, shape.select_count), label="answer size")
            picked = data.draw(st.permutations(range(shape.choice_count)), label="answer")[:count]
            AttemptItem.objects.filter(pk=shape.pk).update(selected=sorted(picked))
        pk = target_pk(world, target)
        before = attempts_state(world)
        client.cookies.pop("messages", None)  # read only this request's messages
        url = reverse("exams:check", args=[pk, position])
        response = send(client, method, url, body, content_type)
        after = attempts_state(world)
        errors = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
        if method != "post":
            assert response.status_code == 405
        elif response.status_code == 400:  # a body Django cannot read (the check reads the
            # one-click confidence from it): refused before anything else; nothing changes (below)
            assert "Location" not in response
        elif target in ("b_study", "missing") or shape is None:
            assert response.status_code == 404
        else:
            assert response.status_code == 302
            assert response["Location"] == reverse("exams:question", args=[pk, position])
            if target == "study" and answered:
                assert errors == []
                item = AttemptItem.objects.select_related("version").get(pk=shape.pk)
                key = [i for i, c in enumerate(item.version.content["choices"]) if c["correct"]]
                assert item.checked_at is not None and item.is_correct == is_correct(item.selected, key)
                others = [r for r in after[1] if r["id"] != shape.pk]
                assert others == [r for r in before[1] if r["id"] != shape.pk]
                return
            assert len(errors) == 1 and errors[0].strip()  # "Choose an answer first." and the like
        assert after == before

    run()
    assert ran["examples"] >= BUDGET["study check"]
