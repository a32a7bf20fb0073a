"""Property-based: every JSON endpoint, any content type, length and encoding (issue #19, 2 and 5).

The requests go through the CSRF check as a browser's do (``enforce_csrf_checks``, the token in
the header), because that check reads a form or multipart body before the view does: a multipart
body on the autosave used to be a 500 (``RawPostDataException``). Each endpoint answers 2xx, or
a 4xx whose JSON carries an ``error`` sentence, never a 5xx, and a refused request changes no
Attempt or AttemptItem row. Bodies: raw bytes, JSON token soup, valid saves in other encodings,
duplicate keys, form and multipart bodies (well formed, broken, too many fields), and bodies past
the autosave's 4 kB and past Django's 2.5 MB limit.
"""

import json
from collections import Counter

import pytest
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from exams.models import Attempt, AttemptItem

from .conftest import attempts_state, restore, rows
from .fuzzing import BUDGET, RAW_BODIES, fuzz_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet_requests")]

CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "APPLICATION/JSON; charset=UTF-8",
            'application/json; charset="utf-8"',
            "application/json; charset=utf-16",
            "application/json; charset=latin-1",
            "application/json; charset=bogus",
            "application/json; charset*=utf-8''%e9",
            "application/problem+json",
            "text/json",
            "text/plain",
            "text/plain; charset=utf-8",
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=bogus",
            "application/x-www-form-urlencoded; charset=utf-16",
            "multipart/form-data",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=é",
            "multipart/form-data; boundary=" + "b" * 300,
            "multipart/mixed; boundary=xyz",
            "application/octet-stream",
            "application/xml",
            "",
            "*/*",
            ";",
            "application/json;;;",
        ]
    ),
    st.text(max_size=40).filter(lambda t: t.isprintable()),
)


def _save(position=1, revision=0, **extra) -> dict:
    return {"position": position, "selected": [0], "flagged": False, "revision": revision, **extra}


def _multipart(fields: int, boundary: str = "xyz", broken: bool = False) -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="f{n}"\r\n\r\nvalue {n}\r\n'
        for n in range(fields)
    ]
    end = "" if broken else f"--{boundary}--\r\n"
    return ("".join(parts) + end).encode()


BODIES = st.one_of(
    RAW_BODIES,
    # a valid save or time report, in other encodings
    st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "utf-8-sig"]).map(
        lambda enc: json.dumps(_save(), ensure_ascii=False).encode(enc)
    ),
    # duplicate keys: the strict parser refuses them wherever they are
    st.sampled_from(
        [
            b'{"position": 1, "selected": [0], "flagged": false, "revision": 0, "revision": 7}',
            b'{"position": 1, "position": 2, "selected": [], "revision": 0}',
            b'{"position": 1, "active": 5, "active": 50000}',
            b'{"position": 1, "selected": [0], "revision": 0, "request": {"a": 1, "a": 2}}',
            b'{"position": 1, "selected": [0], "revision": NaN}',
            b'{"position": 1, "active": Infinity}',
            b'{"position": 1, "active": -Infinity}',
        ]
    ),
    # forms and multipart bodies, well formed, broken, with too many fields
    st.builds(_multipart, st.integers(0, 5), st.sampled_from(["xyz", "other"]), st.booleans()),
    st.just(_multipart(1100)),
    st.integers(0, 1500).map(lambda n: "&".join(f"f{i}=v" for i in range(n)).encode()),
    st.just(b"csrfmiddlewaretoken=x&position=1"),
    # past the autosave's limit, and past Django's DATA_UPLOAD_MAX_MEMORY_SIZE
    st.sampled_from([4097, 10_000, settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1]).map(lambda n: b" " * n),
    st.just(b'{"position": 1, "x": "' + b"a" * (3 * 1024 * 1024) + b'"}'),
)
ENDPOINTS = ("save", "time", "submit", "healthz")


def orm_rows(pk: int) -> tuple:
    return rows(Attempt.objects.filter(pk=pk)), rows(AttemptItem.objects.filter(attempt_id=pk))


def browser(user) -> tuple[Client, str]:
    """A client that passes the CSRF check as the exam page does: cookie and header."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return client, token


def post(client, token, url, body: bytes, content_type: str, accept="application/json"):
    """The bytes as they are (``generic``: ``post`` would re-encode them to the charset named)."""
    return client.generic(
        "POST", url, body, content_type=content_type, HTTP_X_CSRFTOKEN=token, HTTP_ACCEPT=accept
    )


def test_every_json_endpoint_answers_any_body_with_a_4xx_and_a_message_or_a_2xx(world):
    client, token = browser(world.a)
    ran = Counter()
    urls = {
        "save": reverse("exams:save", args=[world.open.pk]),
        "time": reverse("exams:time", args=[world.open.pk]),
        "submit": reverse("exams:submit", args=[world.submitted.pk]),
        "healthz": reverse("healthz"),
    }

    @fuzz_settings("json endpoints")
    @given(endpoint=st.sampled_from(ENDPOINTS), content_type=CONTENT_TYPES, body=BODIES)
    def run(endpoint, content_type, body):
        ran[endpoint] += 1
        before = attempts_state(world)
        undo = orm_rows(world.open.pk)
        response = post(client, token, urls[endpoint], body, content_type)
        status = response.status_code
        assert status < 500, (endpoint, content_type, body[:80], status, response.content[:200])
        if status >= 400:
            error = response.json().get("error")
            assert isinstance(error, str) and error.strip(), (endpoint, response.content[:200])
            assert attempts_state(world) == before
            return
        # Accepted: only a valid request in JSON, for the endpoints that read one.
        if endpoint in ("save", "time"):
            assert content_type.split(";")[0].strip().lower() == "application/json"
            json.loads(body)
        restore(undo, orm_rows(world.open.pk))
        assert attempts_state(world) == before

    run()
    assert sum(ran.values()) >= BUDGET["json endpoints"]
    assert min(ran.values()) >= BUDGET["json endpoints"] // 10  # every endpoint had its share


@pytest.mark.parametrize(
    ("content_type", "body", "status", "message"),
    [
        ("multipart/form-data; boundary=xyz", _multipart(2), 415, "Content-Type: application/json"),
        ("application/x-www-form-urlencoded", b"position=1&revision=0", 415, "application/json"),
        ("text/plain", json.dumps(_save()).encode(), 415, "application/json"),
        ("application/json; charset=utf-16", json.dumps(_save()).encode("utf-16"), 415, "UTF-8"),
        ("application/json", json.dumps(_save()).encode("utf-16"), 400, "not UTF-8"),
        ("application/json", b" " * 4097, 413, "too large"),
        (
            "application/json",
            b'{"position": 1, "revision": 0, "revision": 5}',
            400,
            '"revision" appears more',
        ),
        ("application/json", b'{"position": 1, "selected": [0], "revision": NaN}', 400, "NaN is not"),
        ("multipart/form-data; boundary=xyz", _multipart(1100), 400, "too many fields"),
        ("application/json", b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), 413, "too large"),
        (
            "application/x-www-form-urlencoded",
            b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
            413,
            "too large",
        ),
    ],
)
def test_an_autosave_in_the_wrong_form_is_a_4xx_that_says_why(world, content_type, body, status, message):
    client, token = browser(world.a)
    before = attempts_state(world)
    response = post(client, token, reverse("exams:save", args=[world.open.pk]), body, content_type)
    assert response.status_code == status, response.content[:300]
    assert message in response.json()["error"]
    assert attempts_state(world) == before


def test_a_body_django_cannot_read_is_a_page_that_says_why_for_a_browser(world):
    """Not only the JSON endpoints: a form too large for any view is a 413 with a sentence."""
    client, token = browser(world.a)
    body = b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    form = "application/x-www-form-urlencoded"
    response = post(client, token, reverse("exams:drill"), body, form, accept="text/html")
    assert response.status_code == 413
    assert b"The request is too large." in response.content


def test_a_valid_save_through_the_csrf_check_lands(world):
    client, token = browser(world.a)
    item = AttemptItem.objects.get(attempt=world.open, position=1)
    response = client.post(
        reverse("exams:save", args=[world.open.pk]),
        json.dumps(_save(revision=item.revision)),
        content_type="application/json; charset=UTF-8",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert item.selected == [item.option_order[0]]


@pytest.mark.parametrize("token", ["", "x" * 32, "not a token"])
def test_a_refused_csrf_token_is_a_json_403_for_the_exam_script_and_a_page_for_a_browser(world, token):
    client, _ = browser(world.a)
    before = attempts_state(world)
    url = reverse("exams:save", args=[world.open.pk])
    response = post(client, token, url, json.dumps(_save()).encode(), "application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf" and "reload the page" in response.json()["error"]
    page = post(client, token, url, json.dumps(_save()).encode(), "application/json", accept="text/html")
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")
    assert b"CSRF" in page.content
    assert attempts_state(world) == before
