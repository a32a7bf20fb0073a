"""Reads of the exam screens: the exams on offer, an attempt, one question of it, its progress.

Always scoped to the candidate: another's attempt is ``NotFound``, the same as none at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery, Sum
from django.urls import get_script_prefix, get_urlconf, reverse

from questions import rules
from questions.models import ExamGuide, Question
from questions.selectors import version_cached

from .. import sql
from ..errors import NotFound
from ..models import Attempt, AttemptDomainScore, AttemptItem, AttemptSubDomainScore, ExamBlueprint
from ..scoring import shown_answer


def blueprints_active() -> QuerySet[ExamBlueprint]:
    return (
        ExamBlueprint.objects.filter(is_active=True, is_listed=True)
        .select_related("guide")
        .order_by("guide", "-question_count")  # the guides' own order: current exams first
    )


def blueprint_startable(*, blueprint_id: int) -> ExamBlueprint:
    # order_by(): a lookup by key wants no sort, and the default ordering joins the guide.
    blueprint = ExamBlueprint.objects.filter(pk=blueprint_id, is_active=True).order_by().first()
    if blueprint is None:
        raise NotFound("No such exam.")
    return blueprint


def attempts_open(*, user) -> QuerySet[Attempt]:
    return Attempt.objects.filter(user=user, state=Attempt.State.IN_PROGRESS).select_related(
        "blueprint__guide"
    )


def attempts_last_submitted(*, user) -> dict[int, Attempt]:
    """The candidate's latest submitted attempt of each blueprint, by blueprint id: the exam
    list says how each ended ("time ran out") and links its result (one query)."""
    latest = (
        Attempt.objects.filter(user=user, blueprint=OuterRef("blueprint"), state=Attempt.State.SUBMITTED)
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    rows = Attempt.objects.filter(user=user, state=Attempt.State.SUBMITTED, pk=Subquery(latest)).order_by()
    return {a.blueprint_id: a for a in rows}


def blueprint_item_types(*, blueprint: ExamBlueprint) -> dict:
    """What the instructions page says a blueprint's questions can be: the item types among the
    published questions it draws from (in ``rules.QUESTION_TYPES``' order) and whether case
    studies can appear (two queries)."""
    questions = Question.objects.filter(
        status=Question.Status.PUBLISHED, sub_domain__domain__guide_id=blueprint.guide_id
    )
    if blueprint.sub_domain_id:
        questions = questions.filter(sub_domain_id=blueprint.sub_domain_id)
    elif blueprint.domain_id:
        questions = questions.filter(sub_domain__domain_id=blueprint.domain_id)
    present = set(questions.order_by().values_list("type", flat=True).distinct())
    return {
        "types": [kind for kind in rules.QUESTION_TYPES if kind in present],
        "case_studies": blueprint.max_case_studies != 0
        and questions.filter(case_study__isnull=False).exists(),
    }


HISTORY_PAGE = 25  # attempts per page of "My attempts"


def attempts_history(*, user, mock: bool, page: int = 1) -> Page:
    """One page of the candidate's mock exams (or practice sets), newest first: at most
    ``HISTORY_PAGE`` rows, whatever their history (two queries: the count and the page). A page
    past the last is ``NotFound``; the first page of none is empty."""
    attempts = (
        Attempt.objects.filter(user=user, blueprint__is_mock=mock)
        .select_related("blueprint__guide")
        .order_by("-started_at", "-pk")
    )
    try:
        return Paginator(attempts, HISTORY_PAGE).page(page)
    except EmptyPage:
        raise NotFound(f"There is no page {page} of these attempts.") from None


def attempt_get(*, user, attempt_id: int) -> Attempt:
    attempt = (
        Attempt.objects.select_related("blueprint__guide").filter(pk=attempt_id, user=user).order_by().first()
    )
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt


# The exam screen: the item and what its page prints of the attempt, blueprint and guide.
_SCREEN = sql.Chain(
    sql.Columns(AttemptItem, "i", exclude=("sub_domain", "domain", "saved_at", "save_request")),
    sql.Columns(
        Attempt,
        "a",
        only=("id", "user", "blueprint", "state", "deadline", "current_position", "question_count"),
    ),
    sql.Columns(ExamBlueprint, "b", only=("id", "guide", "name", "mode", "is_mock")),
    sql.Columns(ExamGuide, "g", only=("id", "code")),
    where="i.attempt_id = %s AND i.position = %s AND a.user_id = %s",
)
# The autosave: what it checks before its conditional UPDATE.
_SAVE = sql.Chain(
    sql.Columns(
        AttemptItem,
        "i",
        only=(
            "id",
            "attempt",
            "position",
            "revision",
            "selected",
            "flagged",
            "choice_count",
            "select_count",
            "option_order",
            "checked_at",
            "saved_at",
            "save_request",
        ),
    ),
    sql.Columns(Attempt, "a", only=("id", "user", "state", "started_at", "deadline")),
    where="i.attempt_id = %s AND i.position = %s AND a.user_id = %s",
)


def attempt_item_find(
    *, user_id: int, attempt_id: int, position: int, for_save: bool = False
) -> AttemptItem | None:
    """The candidate's item at ``position`` with its attempt (and for the exam screen, its
    blueprint and guide), or None; fields not read are deferred.

    One indexed read (the item by ``item_unique_position``, the rest by primary key). Written
    out (exams/sql.py): through the ORM, the select_related joins cost a millisecond of Python
    on every page (docs/performance.md).
    """
    return (_SAVE if for_save else _SCREEN).get([attempt_id, position, user_id])


def attempt_item_get(*, user, attempt_id: int, position: int) -> AttemptItem:
    """One question of the candidate's attempt with everything the exam screen shows of it.

    The version comes from the process's cache of snapshots (questions.selectors.version_cached).
    """
    item = attempt_item_find(user_id=user.pk, attempt_id=attempt_id, position=position)
    if item is None:
        raise NotFound("No such question in your attempts.")
    item.version = version_cached(item.version_id)
    return item


_STATUS_SQL = (
    f'SELECT position, selected, flagged FROM "{AttemptItem._meta.db_table}" '  # noqa: S608  # nosec B608
    "WHERE attempt_id = %s ORDER BY position"
)


def attempt_statuses(*, attempt: Attempt) -> list[dict]:
    """Position, answered and flagged for every question: the navigator and the review screen."""
    _, rows = sql.fetch(AttemptItem, _STATUS_SQL, [attempt.pk])
    return [
        # ``selected`` as the database prints JSON: "[]" when nothing is chosen (JSON text on
        # SQLite, jsonb's normal form on PostgreSQL); decoding 65 of them cost more than the read.
        {"position": position, "answered": selected not in ("[]", [], None), "flagged": bool(flagged)}
        for position, selected, flagged in rows
    ]


# The filters of the "Review your answers" screen of an attempt in progress.
PROGRESS_FILTERS = {
    "all": ("All questions", lambda s: True),
    "unanswered": ("Unanswered", lambda s: not s["answered"]),
    "answered": ("Answered", lambda s: s["answered"]),
    "flagged": ("Flagged", lambda s: s["flagged"]),
}


@dataclass(frozen=True)
class Progress:
    statuses: list[dict]  # every question, in order (attempt_statuses)
    shown: list[dict]  # those the filter keeps
    answered: int
    unanswered: int
    flagged: int

    def around(self, position: int) -> tuple[int | None, int | None]:
        """The questions the filter keeps just before and just after ``position`` (which it
        need not keep itself): Previous and Next of a walk through a filtered review."""
        before = [s["position"] for s in self.shown if s["position"] < position]
        after = (s["position"] for s in self.shown if s["position"] > position)
        return (before[-1] if before else None), next(after, None)


def attempt_progress(*, attempt: Attempt, show: str = "all") -> Progress:
    """Where the candidate stands: every question's status, those ``show`` keeps, and the
    counts the exam screen and the review screen print (one query)."""
    statuses = attempt_statuses(attempt=attempt)
    answered = sum(s["answered"] for s in statuses)
    keep = PROGRESS_FILTERS[show][1]
    return Progress(
        statuses=statuses,
        shown=[s for s in statuses if keep(s)],
        answered=answered,
        unanswered=len(statuses) - answered,
        flagged=sum(s["flagged"] for s in statuses),
    )


@lru_cache(maxsize=4096)
def _attempt_urls(attempt_id: int, script_prefix: str, urlconf) -> dict[str, str]:
    question = reverse("exams:question", args=[attempt_id, 0])
    return {
        "question_zero": question,
        "question_prefix": question[: -len("0/")],
        **{
            name: reverse(f"exams:{name}", args=[attempt_id])
            for name in ("save", "time", "submit", "result", "overview")
        },
    }


def attempt_urls(attempt_id: int) -> dict[str, str]:
    """The exam screen's links for an attempt, reversed once per process (a question page
    reversed eight URLs on every request: a sixth of its template time, docs/performance.md).
    ``question_prefix`` + n + "/" is question n. The prefix and urlconf are part of the cache key."""
    return _attempt_urls(attempt_id, get_script_prefix(), get_urlconf())


def attempt_active_seconds(*, attempt: Attempt) -> int:
    """The time the attempt's questions were on screen, visible and focused, in all (seconds)."""
    total = AttemptItem.objects.filter(attempt=attempt).aggregate(total=Sum("active_seconds"))["total"]
    return total or 0


def attempt_domain_scores(*, attempt: Attempt) -> list[AttemptDomainScore]:
    """Per-domain scores, each with ``task_scores``: its task statements' scores (two queries)."""
    domains = list(
        AttemptDomainScore.objects.filter(attempt=attempt).select_related("domain").order_by("domain__number")
    )
    tasks = (
        AttemptSubDomainScore.objects.filter(attempt=attempt)
        .select_related("sub_domain")
        .order_by("sub_domain__code")
    )
    by_domain: dict[int, list] = {}
    for task in tasks:
        by_domain.setdefault(task.sub_domain.domain_id, []).append(task)
    for score in domains:
        score.task_scores = by_domain.get(score.domain_id, [])
    return domains


def item_options(*, item: AttemptItem, marked: bool = False) -> list[dict]:
    """The options as this attempt shows them: shuffled order, text only, never the key.
    Nothing for ordering and matching, which show ``item_arrangement`` instead.

    ``marked`` (study mode, once the question is checked; never an exam): each option also
    says whether it is correct and why, so the feedback is shown on the options themselves.
    """
    if item.type in rules.ARRANGED_TYPES:
        return []
    choices = item.version.content["choices"]
    chosen = set(item.selected)
    options = []
    for shown, original in enumerate(item.option_order):
        option = {
            "index": shown,
            "letter": rules.LETTERS[shown],
            "html": choices[original]["text_html"],
            "checked": original in chosen,
        }
        if marked:
            option.update(correct=choices[original]["correct"], why_html=choices[original]["why_html"])
        options.append(option)
    return options


def item_arrangement(*, item: AttemptItem, marked: bool = False) -> dict | None:
    """An ordering or matching item as this attempt shows it, never the key: the steps (or
    the prompts) in the attempt's shuffled order, each with what the candidate chose for it (a
    position, or a displayed response), and for matching the responses in their own shuffled
    order. The values a page sends back are positions and displayed indexes only.

    ``marked`` (study mode, once checked): each row also says whether it is right, what is
    right (``answer_html``: the position, or the response) and why."""
    kind = item.type
    if kind not in rules.ARRANGED_TYPES:
        return None
    choices = item.version.content["choices"]
    order, responses = item.shown_order, item.response_order
    chosen = shown_answer(kind, item.selected, option_order=order, response_order=responses)
    placed = list(item.selected) or [None] * len(choices)
    rows = []
    for shown, original in enumerate(order):
        row = {
            "index": shown,
            "html": choices[original]["prompt_html" if kind == "matching" else "text_html"],
            "chosen": chosen[shown],
        }
        if marked:
            right_one = f"Position {original + 1}" if kind == "ordering" else choices[original]["text_html"]
            row.update(
                right=placed[original] == original,
                answer_html=right_one,
                why_html=choices[original]["why_html"],
            )
        rows.append(row)
    return {
        "kind": kind,
        "rows": rows,
        # ordering: the positions on offer; matching: every response, in the attempt's order
        "choices": [{"value": p, "label": f"Position {p + 1}"} for p in range(len(order))]
        if kind == "ordering"
        else [
            {"value": shown, "html": choices[original]["text_html"]}
            for shown, original in enumerate(responses)
        ],
        "placed": sum(c is not None for c in chosen),
    }


def question_usage(*, question_ids) -> dict[int, dict]:
    """How often each of these questions was drawn: ``{question id: {"attempts", "last"}}``
    (attempts that drew it, when the last of them started), one grouped query on the items'
    (question, checked_at) index. Questions never drawn are absent."""
    rows = (
        AttemptItem.objects.filter(question_id__in=list(question_ids))
        .values("question_id")
        .annotate(attempts=Count("attempt_id", distinct=True), last=Max("attempt__started_at"))
        .order_by()
    )
    return {r["question_id"]: {"attempts": r["attempts"], "last": r["last"]} for r in rows}
