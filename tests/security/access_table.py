"""The access table: for every URL pattern, who may read and who may write.

Visitors: anonymous, candidate A (who owns the attempts in the URLs), candidate B (probing A's
attempt ids), an author (staff + the Authors group), staff with no permission, a superuser.
Attempt URLs always carry A's ids: for everyone but A they are a 404, superusers included.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

LOGIN, ADMIN_LOGIN, REDIRECT = "LOGIN", "ADMIN_LOGIN", "REDIRECT"


def who(anonymous, candidate_a, candidate_b, author, staff, superuser) -> dict:
    return {
        "anonymous": anonymous,
        "candidate_a": candidate_a,
        "candidate_b": candidate_b,
        "author": author,
        "staff": staff,
        "superuser": superuser,
    }


@dataclass(frozen=True)
class Case:
    method: str
    url: Callable
    expect: dict
    data: object = None
    content_type: str | None = None


def get(url, expect, data=None) -> Case:
    return Case("get", url, expect, data)


def post(url, expect, data=None, content_type=None) -> Case:
    return Case("post", url, expect, data, content_type)


EVERYONE = who(200, 200, 200, 200, 200, 200)
EVERYONE_REDIRECTED = who(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
SIGNED_IN = who(LOGIN, 200, 200, 200, 200, 200)
SIGNED_IN_REDIRECTED = who(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
POST_ONLY = who(LOGIN, 405, 405, 405, 405, 405)
AUTHORS = who(LOGIN, 403, 403, 200, 200, 200)  # author_required: the Authors group or staff


def only_a(outcome) -> dict:
    return who(LOGIN, outcome, 404, 404, 404, 404)


def admin(author, staff, superuser) -> dict:
    return who(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, author, staff, superuser)


def url(name: str, *args: Callable) -> Callable:
    return lambda o: reverse(name, args=[arg(o) for arg in args])


def url_as(path: str) -> Callable:
    return lambda o: path


OPEN, SUBMITTED, STUDY = (
    (lambda o: o.world.open.pk),
    (lambda o: o.world.submitted.pk),
    (lambda o: o.world.study.pk),
)
FIRST = lambda o: 1  # noqa: E731
SAVE = {"position": 1, "selected": [0], "flagged": True, "revision": 0}
TIME = {"position": 1, "active": 1}
GIFT = b"::ACCESS-1:: Q? {=a#x ~b#x ~c#x ~d#x ####E}"

SITE = {
    "home": [get(url("home"), EVERYONE)],
    "healthz": [get(url("healthz"), EVERYONE)],
    "accounts:signup": [get(url("accounts:signup"), EVERYONE), post(url("accounts:signup"), EVERYONE, {})],
    "accounts:profile": [
        get(url("accounts:profile"), SIGNED_IN),
        post(url("accounts:profile"), SIGNED_IN_REDIRECTED, {"extra_time_minutes": 30}),
    ],
    "login": [
        get(url("login"), EVERYONE),
        post(url("login"), EVERYONE, {"username": "cand-a", "password": "wrong-password"}),
    ],
    "logout": [
        get(url("logout"), who(405, 405, 405, 405, 405, 405)),
        post(url("logout"), EVERYONE_REDIRECTED),
    ],
    "password_change": [get(url("password_change"), SIGNED_IN), post(url("password_change"), SIGNED_IN, {})],
    "password_change_done": [get(url("password_change_done"), SIGNED_IN)],
    "password_reset": [
        get(url("password_reset"), EVERYONE),
        post(url("password_reset"), EVERYONE_REDIRECTED, {"email": "cand-a@example.com"}),
    ],
    "password_reset_done": [get(url("password_reset_done"), EVERYONE)],
    "password_reset_confirm": [
        get(url_as("/accounts/reset/MQ/bad-token/"), EVERYONE),
        post(url_as("/accounts/reset/MQ/bad-token/"), EVERYONE, {"new_password1": "x", "new_password2": "x"}),
    ],
    "password_reset_complete": [get(url("password_reset_complete"), EVERYONE)],
    "exams:list": [get(url("exams:list"), EVERYONE)],
    "exams:instructions": [
        get(url("exams:instructions", lambda o: o.world.open.blueprint_id), SIGNED_IN),
        post(
            url("exams:instructions", lambda o: o.world.open.blueprint_id),
            who(LOGIN, 405, 405, 405, 405, 405),
        ),
    ],
    "exams:start": [
        get(url("exams:start", lambda o: o.world.open.blueprint_id), POST_ONLY),
        post(url("exams:start", lambda o: o.world.open.blueprint_id), SIGNED_IN_REDIRECTED),
    ],
    "exams:history": [get(url("exams:history"), SIGNED_IN)],
    "exams:practice": [get(url("exams:practice"), SIGNED_IN)],
    "exams:dashboard": [get(url("exams:dashboard"), SIGNED_IN)],
    "exams:item_statistics": [get(url("exams:item_statistics"), AUTHORS)],
    "exams:drill": [
        get(url("exams:drill"), POST_ONLY),
        post(url("exams:drill"), SIGNED_IN_REDIRECTED, lambda o: {"guide": o.world.guide.pk, "count": 10}),
    ],
    "exams:mistakes": [
        get(url("exams:mistakes"), POST_ONLY),
        post(url("exams:mistakes"), SIGNED_IN_REDIRECTED, lambda o: {"guide": o.world.guide.pk}),
    ],
    "exams:review_due": [
        get(url("exams:review_due"), POST_ONLY),
        post(url("exams:review_due"), SIGNED_IN_REDIRECTED, lambda o: {"guide": o.world.guide.pk}),
    ],
    "exams:diagnostic_start": [
        get(url("exams:diagnostic_start"), POST_ONLY),
        # the world's bank is not calibrated: refused with a message, back to the practice page
        post(url("exams:diagnostic_start"), SIGNED_IN_REDIRECTED, lambda o: {"guide": o.world.guide.pk}),
    ],
    # A's attempts here are a mock and a study set, not diagnostics: A is sent to them, others get 404
    "exams:diagnostic": [get(url("exams:diagnostic", OPEN), only_a(REDIRECT))],
    "exams:diagnostic_answer": [
        get(url("exams:diagnostic_answer", OPEN), POST_ONLY),
        post(url("exams:diagnostic_answer", OPEN), only_a(REDIRECT), {"position": 1, "option": [0]}),
    ],
    "exams:diagnostic_stop": [
        get(url("exams:diagnostic_stop", OPEN), POST_ONLY),
        post(url("exams:diagnostic_stop", OPEN), only_a(REDIRECT)),
    ],
    "exams:confidence": [
        get(url("exams:confidence", STUDY, FIRST), POST_ONLY),
        post(url("exams:confidence", STUDY, FIRST), only_a(REDIRECT), {"confidence": "unsure"}),
    ],
    "exams:resume": [
        get(url("exams:resume", OPEN), only_a(REDIRECT)),
        get(url("exams:resume", SUBMITTED), only_a(REDIRECT)),
    ],
    "exams:question": [
        get(url("exams:question", OPEN, FIRST), only_a(200)),
        get(url("exams:question", SUBMITTED, FIRST), only_a(REDIRECT)),  # to the result
    ],
    "exams:check": [
        get(url("exams:check", STUDY, FIRST), POST_ONLY),
        post(url("exams:check", STUDY, FIRST), only_a(REDIRECT)),
    ],
    "exams:overview": [
        get(url("exams:overview", OPEN), only_a(200)),
        get(url("exams:overview", SUBMITTED), only_a(REDIRECT)),
    ],
    "exams:review": [
        get(url("exams:review", SUBMITTED), only_a(200)),
        get(url("exams:review", OPEN), only_a(REDIRECT)),  # no review (no key) before submit
    ],
    "exams:result": [
        get(url("exams:result", SUBMITTED), only_a(200)),
        get(url("exams:result", OPEN), only_a(REDIRECT)),  # no score before submit
    ],
    "exams:breakdown": [
        get(url("exams:breakdown", SUBMITTED), only_a(200)),
        get(url("exams:breakdown", OPEN), only_a(200)),  # empty until submitted
    ],
    "exams:save": [
        get(url("exams:save", OPEN), POST_ONLY),
        post(url("exams:save", OPEN), only_a(200), SAVE, "application/json"),
    ],
    "exams:time": [
        get(url("exams:time", OPEN), POST_ONLY),
        post(url("exams:time", OPEN), only_a(200), TIME, "application/json"),
    ],
    "exams:submit": [
        get(url("exams:submit", OPEN), POST_ONLY),
        post(url("exams:submit", OPEN), only_a(REDIRECT)),
    ],
    "questions:report": [
        get(url("questions:report", lambda o: o.question.pk), POST_ONLY),
        post(
            url("questions:report", lambda o: o.question.pk),
            SIGNED_IN_REDIRECTED,
            {"reason": "typo", "text": "A typo.", "next": "/"},
        ),
    ],
    "questions:my_reports": [get(url("questions:my_reports"), SIGNED_IN)],
    # Exhibits are served by their content's name to signed-in users; no such image is a 404.
    "exhibit": [get(url_as(f"/media/exhibits/{'0' * 64}.png"), who(LOGIN, 404, 404, 404, 404, 404))],
}

ADMIN_SITE = {
    "admin:index": [get(url("admin:index"), admin(200, 200, 200))],
    "admin:login": [
        get(url("admin:login"), who(200, 200, 200, REDIRECT, REDIRECT, REDIRECT)),
        post(url("admin:login"), EVERYONE, {"username": "root-m", "password": "wrong-password"}),
    ],
    # Not staff: the admin sends them to its index (and from there to its log-in page).
    "admin:logout": [
        get(url("admin:logout"), who(REDIRECT, REDIRECT, REDIRECT, 405, 405, 405)),
        post(url("admin:logout"), EVERYONE_REDIRECTED),  # staff are logged out, to LOGOUT_REDIRECT_URL
    ],
    "admin:password_change": [
        get(url("admin:password_change"), admin(200, 200, 200)),
        post(url("admin:password_change"), admin(200, 200, 200), {}),
    ],
    "admin:password_change_done": [get(url("admin:password_change_done"), admin(200, 200, 200))],
    "admin:autocomplete": [get(url("admin:autocomplete"), admin(403, 403, 403))],
    "admin:jsi18n": [get(url("admin:jsi18n"), admin(200, 200, 200))],
    # Questions have no public URL: "view on site" has nowhere to go.
    "admin:view_on_site": [
        get(
            url("admin:view_on_site", lambda o: o.content_type.pk, lambda o: o.question.pk),
            admin(404, 404, 404),
        )
    ],
    # An app's index exists for whoever may see one of its models.
    "admin:app_list": [
        get(url_as("/admin/auth/"), admin(404, 404, 200)),
        get(url_as("/admin/axes/"), admin(404, 404, 200)),
        get(url_as("/admin/accounts/"), admin(404, 404, 200)),
        get(url_as("/admin/questions/"), admin(200, 404, 200)),
        get(url_as("/admin/exams/"), admin(404, 404, 200)),
    ],
    "admin/(?P<url>.*)$": [get(url_as("/admin/no-such-page/"), admin(404, 404, 404))],
    # Authoring pages of our own (questions/admin/).
    "admin:questions_question_import": [
        get(url("admin:questions_question_import"), admin(200, 403, 200)),
        post(
            url("admin:questions_question_import"),
            admin(200, 403, 200),
            lambda o: {
                "file": upload("a.gift", GIFT),
                "format": "gift",
                "guide": o.world.guide.pk,
                "sub_domain": o.question.sub_domain_id,
            },
        ),
    ],
    "admin:questions_question_preview": [
        get(url("admin:questions_question_preview"), admin(405, 405, 405)),
        post(url("admin:questions_question_preview"), admin(200, 403, 200), {"stem": "x"}),
    ],
    "admin:questions_question_compare": [
        get(url("admin:questions_question_compare", lambda o: o.question.pk), admin(200, 403, 200)),
    ],
    "admin:questions_problemreport_close": [
        get(url("admin:questions_problemreport_close", lambda o: o.report.pk), admin(200, 403, 200)),
        post(
            url("admin:questions_problemreport_close", lambda o: o.report.pk),
            admin(REDIRECT, 403, REDIRECT),
            {"note": "Fixed."},
        ),
    ],
    # Changing someone's password is user administration: superusers only.
    "admin:auth_user_password_change": [
        get(url("admin:auth_user_password_change", lambda o: o.world.a.pk), admin(403, 403, 200)),
        post(url("admin:auth_user_password_change", lambda o: o.world.a.pk), admin(403, 403, 200), {}),
    ],
}


def upload(name: str, body: bytes) -> io.BytesIO:
    file = io.BytesIO(body)
    file.name = name
    return file


# Registered admin models: what the Authors group may do with each (a: add, v: view, c: change,
# d: delete) and what a superuser may do where a ModelAdmin takes something away from everyone.
ADMIN_MODELS = {
    ("auth", "group"): ("", "avcd", lambda o: o.group.pk),
    ("axes", "accessattempt"): ("", "vcd", lambda o: o.access_attempt.pk),  # axes records, nobody adds
    ("axes", "accesslog"): ("", "vcd", lambda o: o.access_log.pk),
    ("axes", "accessfailurelog"): ("", "vcd", lambda o: o.access_failure.pk),
    ("accounts", "user"): ("", "avcd", lambda o: o.world.a.pk),
    ("questions", "question"): ("avcd", "avcd", lambda o: o.question.pk),
    ("questions", "problemreport"): ("vc", "vcd", lambda o: o.report.pk),  # reports come from candidates
    ("questions", "questionversion"): ("v", "v", lambda o: o.version.pk),  # versions are immutable
    ("questions", "examguide"): ("v", "avcd", lambda o: o.world.guide.pk),
    ("questions", "subdomain"): ("v", "avcd", lambda o: o.question.sub_domain_id),
    ("questions", "casestudy"): ("avcd", "avcd", lambda o: o.case_study.pk),
    ("exams", "examblueprint"): ("", "avcd", lambda o: o.world.open.blueprint_id),
    ("exams", "attempt"): ("", "vcd", lambda o: o.world.submitted.pk),  # candidates start attempts
}
# Where Django answers differently from the letters above, and why.
ADMIN_OVERRIDES = {
    # Attempts drew this question (PROTECT): the admin explains why it cannot be deleted.
    ("questions", "question", "delete post"): {"author": 200, "superuser": 200},
    # Authors may close reports but not delete them: "delete_selected" is no action of theirs.
    ("questions", "problemreport", "list post"): {"author": REDIRECT},
    # Every field is read-only: an empty POST saves nothing and returns to the list.
    ("questions", "problemreport", "change post"): {"author": REDIRECT, "superuser": REDIRECT},
    ("exams", "attempt", "change post"): {"superuser": REDIRECT},
    ("axes", "accessattempt", "change post"): {"superuser": REDIRECT},
    ("axes", "accesslog", "change post"): {"superuser": REDIRECT},
    ("axes", "accessfailurelog", "change post"): {"superuser": REDIRECT},
    # Attempts hold on to their blueprint, guide and task statements (PROTECT): not deleted.
    ("questions", "examguide", "delete post"): {"superuser": 200},
    ("questions", "subdomain", "delete post"): {"superuser": 200},
    ("exams", "examblueprint", "delete post"): {"superuser": 200},
}


def _may(perms: str, *letters: str) -> bool:
    return any(letter in perms for letter in letters)


def _model_rows(label: str, name: str, author: str, superuser: str, pk: Callable) -> dict:
    prefix = f"admin:{label}_{name}"

    def expect(verb: str, *letters: str, allowed=200) -> dict:
        staff_outcome = lambda perms: allowed if _may(perms, *letters) else 403  # noqa: E731
        base = admin(staff_outcome(author), 403, staff_outcome(superuser))
        return {**base, **ADMIN_OVERRIDES.get((label, name, verb), {})}

    obj = lambda name_: url(f"{prefix}_{name_}", pk)  # noqa: E731
    return {
        f"{prefix}_changelist": [
            get(url(f"{prefix}_changelist"), expect("list", "v", "c")),
            post(
                url(f"{prefix}_changelist"),
                expect("list post", "v", "c"),
                lambda o: {"action": "delete_selected", "_selected_action": [pk(o)]},
            ),
        ],
        f"{prefix}_add": [
            get(url(f"{prefix}_add"), expect("add", "a")),
            post(url(f"{prefix}_add"), expect("add post", "a"), {}),
        ],
        f"{prefix}_change": [
            get(obj("change"), expect("change", "v", "c")),
            post(obj("change"), expect("change post", "c"), {}),
        ],
        f"{prefix}_history": [get(obj("history"), expect("history", "v", "c"))],
        f"{prefix}_delete": [
            get(obj("delete"), expect("delete", "d")),
            post(obj("delete"), expect("delete post", "d", allowed=REDIRECT), {"post": "yes"}),
        ],
        # The bare object URL redirects to its change page (which then checks permissions).
        f"admin/{label}/{name}/<path:object_id>/": [
            get(lambda o: f"/admin/{label}/{name}/{pk(o)}/", admin(REDIRECT, REDIRECT, REDIRECT))
        ],
    }


TABLE = {**SITE, **ADMIN_SITE}
for (_label, _name), (_author, _superuser, _pk) in ADMIN_MODELS.items():
    TABLE.update(_model_rows(_label, _name, _author, _superuser, _pk))
