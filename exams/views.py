"""Exam views: parse the request (exams/forms.py), call one service or selector, render.

Services and selectors refuse with domain errors (exams/errors.py); this module says what each
is for the browser (``REFUSALS``). Another candidate's attempt, or none at all, is a 404.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import author_required
from accounts.services import profile_for

from . import errors, selectors
from .answers import BodyRefused, parse_save, parse_time, read_json
from .clock import remaining_seconds
from .forms import (
    ConfidenceForm,
    DrillForm,
    GuideForm,
    HistoryPageForm,
    ItemStatisticsFilterForm,
    PracticeForm,
    ProgressFilterForm,
    ReviewFilterForm,
    first_error,
    parse_diagnostic_answer,
)
from .models import ExamBlueprint
from .services import attempts, diagnostic, practice, spaced

# What each refusal is for the browser: its HTTP status, and the code the exam script acts on
# (static/js/exam.js: "submitted" and "time_up" end the exam, "stale" offers a reload).
REFUSALS = {
    errors.NotFound: (404, None),
    errors.AnswerInvalid: (400, None),
    errors.NothingChosen: (400, "unanswered"),
    errors.TimeUp: (403, "time_up"),
    errors.NotStudyMode: (403, "exam_mode"),
    errors.AttemptClosed: (409, "submitted"),
    errors.AnswerChecked: (409, "checked"),
    errors.StaleRevision: (409, "stale"),
}


def json_refusal(exc: errors.DomainError) -> JsonResponse:
    """A refusal as the exam script reads it: the message, its code, and any details.
    A refusal not listed in ``REFUSALS`` is a 400."""
    status, code = next((REFUSALS[cls] for cls in type(exc).__mro__ if cls in REFUSALS), (400, None))
    body = {"error": exc.message, **({"code": code} if code else {}), **exc.details}
    return JsonResponse(body, status=status)


def candidate_view(method: str, *, cache: bool = True):
    """A candidate's page or action: signed in, the one HTTP ``method``, and ``NotFound`` from a
    selector or service as Django's 404 page. ``cache=False`` for the pages of an attempt in
    progress, which Back must fetch again rather than show as they were."""

    def decorate(view):
        @wraps(view)
        def not_found_is_404(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except errors.NotFound as exc:
                raise Http404(exc.message) from None

        wrapped = login_required(require_http_methods([method])(not_found_is_404))
        return wrapped if cache else never_cache(wrapped)

    return decorate


def submitted_attempt(view):
    """A view of a submitted attempt, given the attempt; one still open (its time not run out)
    goes back to its question."""

    @wraps(view)
    def wrapper(request, attempt_id: int):
        attempt = _current(request, attempt_id)
        return _to_question(attempt) if attempt.is_open else view(request, attempt)

    return wrapper


def adaptive_attempt(view):
    """A view of the adaptive diagnostic, given the attempt (another's is the 404); any other
    attempt goes to its own question page."""

    @wraps(view)
    def wrapper(request, attempt_id: int):
        attempt = selectors.attempt_get(user=request.user, attempt_id=attempt_id)
        if attempt.blueprint.mode != ExamBlueprint.Mode.ADAPTIVE:
            return _to_question(attempt)
        return view(request, attempt)

    return wrapper


def _current(request, attempt_id: int):
    """The candidate's attempt, submitted first if its time ran out while nobody was looking."""
    return attempts.attempt_submit_if_overdue(
        attempt=selectors.attempt_get(user=request.user, attempt_id=attempt_id)
    )


def _to_question(attempt):
    if attempt.blueprint.mode == ExamBlueprint.Mode.ADAPTIVE:
        return redirect("exams:diagnostic", attempt_id=attempt.pk)
    return redirect("exams:question", attempt_id=attempt.pk, position=attempt.current_position)


def _close_overdue(request) -> None:
    """Before a page lists the candidate's attempts: submit those whose time ran out while they
    were away (at their deadlines), and say so. Starting again stays the candidate's choice."""
    for attempt in attempts.attempts_submit_overdue(user=request.user):
        messages.warning(
            request,
            f"Time ran out on your attempt at {attempt.blueprint.name} ({attempt.blueprint.guide.code}) "
            f"started {attempt.started_at:%d %b %Y, %H:%M} UTC: it was submitted at its deadline, "
            f"{attempt.submitted_at:%H:%M} UTC, with the answers you had saved.",
        )


def exam_list(request):
    blueprints = list(selectors.blueprints_active())
    if request.user.is_authenticated:
        _close_overdue(request)
        open_attempts = {a.blueprint_id: a for a in selectors.attempts_open(user=request.user)}
        last = selectors.attempts_last_submitted(user=request.user)
        for bp in blueprints:
            bp.open_attempt, bp.last_attempt = open_attempts.get(bp.pk), last.get(bp.pk)
    return render(request, "exams/exam_list.html", {"blueprints": blueprints})


@candidate_view("GET")
def attempt_instructions(request, blueprint_id: int):
    """What the exam is and how the screen works, with "Begin": the clock starts only there."""
    blueprint = selectors.blueprint_startable(blueprint_id=blueprint_id)
    _close_overdue(request)
    open_attempt = next(
        (a for a in selectors.attempts_open(user=request.user) if a.blueprint_id == blueprint.pk), None
    )
    return render(
        request,
        "exams/instructions.html",
        {
            "blueprint": blueprint,
            "guide": blueprint.guide,
            "open_attempt": open_attempt,
            "extra_minutes": profile_for(user=request.user).extra_time_minutes,
            "study": blueprint.mode == ExamBlueprint.Mode.STUDY,
            **selectors.blueprint_item_types(blueprint=blueprint),
        },
    )


@candidate_view("POST")
def attempt_start(request, blueprint_id: int):
    """The instructions page's "Begin": the attempt starts and its deadline is fixed now (or
    the one in progress resumes)."""
    blueprint = selectors.blueprint_startable(blueprint_id=blueprint_id)
    try:
        attempt = attempts.attempt_start(user=request.user, blueprint=blueprint)
    except errors.AssemblyError as exc:
        messages.error(request, f"This exam cannot start: {exc.message}")
        return redirect("exams:list")
    return _to_question(attempt)


@candidate_view("GET")
def attempt_resume(request, attempt_id: int):
    attempt = selectors.attempt_get(user=request.user, attempt_id=attempt_id)
    if not attempt.is_open:
        return redirect("exams:result", attempt_id=attempt.pk)
    return _to_question(attempt)


@candidate_view("GET", cache=False)
def attempt_question(request, attempt_id: int, position: int):
    item = selectors.attempt_item_get(user=request.user, attempt_id=attempt_id, position=position)
    attempt = attempts.attempt_submit_if_overdue(attempt=item.attempt)
    if not attempt.is_open:
        return redirect("exams:result", attempt_id=attempt.pk)
    if attempt.blueprint.mode == ExamBlueprint.Mode.ADAPTIVE:
        return _to_question(attempt)
    attempts.attempt_visit(attempt=attempt, position=position)
    study = attempt.blueprint.mode == ExamBlueprint.Mode.STUDY
    confidence = not attempt.blueprint.is_mock and item.checked_at is None
    # Study mode shows the key once the candidate has checked this question; an exam never does.
    marked = study and item.checked_at is not None
    urls = selectors.attempt_urls(attempt.pk)
    # From a filtered review list (?show=flagged), Previous and Next walk through that filter.
    walk = ProgressFilterForm(request.GET).values()["show"] if "show" in request.GET else "all"
    progress = selectors.attempt_progress(attempt=attempt, show=walk)
    before, after = progress.around(position)
    query = "" if walk == "all" else f"?show={walk}"
    prefix = urls["question_prefix"]
    return render(
        request,
        "exams/question.html",
        {
            "attempt": attempt,
            "item": item,
            "urls": urls,
            "walk": walk,
            "walk_label": selectors.PROGRESS_FILTERS[walk][0],
            "walk_count": len(progress.shown),
            "query": query,
            "prev_url": f"{prefix}{before}/{query}" if before else None,
            "next_url": f"{prefix}{after}/{query}" if after else f"{urls['overview']}{query}",
            "next_is_question": after is not None,
            "study": study,
            "feedback": selectors.item_review(item) if marked else None,
            "stem_html": item.version.content["stem_html"],
            "case_study": item.version.content.get("case_study"),
            "options": selectors.item_options(item=item, marked=marked),
            "arrangement": selectors.item_arrangement(item=item, marked=marked),
            "progress": progress,
            "remaining": remaining_seconds(attempt),
            # drills and study: the one-click confidence that spaced review rates with (a mock's
            # question page reads nothing more: its query budget is tests/exams/test_query_counts.py's)
            "confidence": confidence,
            "unsure": confidence and not study and selectors.item_unsure(item_id=item.pk),
        },
    )


@candidate_view("GET", cache=False)
def attempt_overview(request, attempt_id: int):
    attempt = _current(request, attempt_id)
    if not attempt.is_open:
        return redirect("exams:result", attempt_id=attempt.pk)
    form = ProgressFilterForm(request.GET)
    show = form.values()["show"]
    return render(
        request,
        "exams/overview.html",
        {
            "attempt": attempt,
            "urls": selectors.attempt_urls(attempt.pk),
            "progress": selectors.attempt_progress(attempt=attempt, show=show),
            "show": show,
            "filters": form.fields["show"].choices,
            "remaining": remaining_seconds(attempt),
        },
    )


def json_body(parse):
    """A view of the exam script's JSON API: the body read strictly (exams/answers.py) and
    parsed by ``parse`` into the view's ``payload``; an unreadable or malformed body is a 4xx
    with a message, a domain refusal ``json_refusal``. Another's attempt is still the 404."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                payload = parse(read_json(request))
            except BodyRefused as exc:
                return JsonResponse({"error": exc.message}, status=exc.status)
            try:
                return view(request, *args, payload=payload, **kwargs)
            except errors.NotFound:
                raise
            except errors.DomainError as exc:
                return json_refusal(exc)

        return wrapper

    return decorate


@candidate_view("POST")
@json_body(parse_save)
def attempt_save(request, attempt_id: int, payload):
    ack = attempts.attempt_save_answer(
        user=request.user,
        attempt_id=attempt_id,
        position=payload.position,
        selected=payload.selected,
        flagged=payload.flagged,
        base_revision=payload.revision,
        request=payload.request,
        active=payload.active,
    )
    return JsonResponse(
        {"revision": ack.revision, "saved_at": ack.saved_at.isoformat(), "remaining": ack.remaining_seconds}
    )


@candidate_view("POST")
@json_body(parse_time)
def attempt_time(request, attempt_id: int, payload):
    """How long a question has been on screen (the exam script reports it as the candidate
    leaves the question); never a conflict."""
    active = attempts.attempt_record_time(
        user=request.user, attempt_id=attempt_id, position=payload.position, active=payload.active
    )
    return JsonResponse({"active": active})


@candidate_view("POST")
def attempt_check(request, attempt_id: int, position: int):
    """Study mode: mark this question now and show its answer and explanation; "Check — I was
    unsure" gives the spaced review its confidence in the same click."""
    return _with_confidence(request, attempt_id, position, practice.answer_check)


def _with_confidence(request, attempt_id: int, position: int, service):
    """Run ``service`` (check, or set the confidence of) this question with the confidence
    posted, then show the question again; a refusal is a message on it."""
    form = ConfidenceForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(f"{escape(first_error(form))} (confidence is sure or unsure)")
    try:
        service(user=request.user, attempt_id=attempt_id, position=position, unsure=form.unsure)
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    return redirect("exams:question", attempt_id=attempt_id, position=position)


@candidate_view("POST")
def attempt_submit(request, attempt_id: int):
    attempt = selectors.attempt_get(user=request.user, attempt_id=attempt_id)
    if attempt.blueprint.mode == ExamBlueprint.Mode.ADAPTIVE:
        attempt = diagnostic.diagnostic_finish(user=request.user, attempt_id=attempt_id)
    else:
        attempt = attempts.attempt_submit(user=request.user, attempt_id=attempt_id)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"result": reverse("exams:result", args=[attempt.pk])})
    return redirect("exams:result", attempt_id=attempt.pk)


@candidate_view("GET")
@submitted_attempt
def attempt_result(request, attempt):
    if attempt.blueprint.mode == ExamBlueprint.Mode.ADAPTIVE:
        return render(
            request,
            "exams/diagnostic_result.html",
            {"attempt": attempt, "result": selectors.diagnostic_result(attempt=attempt)},
        )
    return _with_scores(
        request, attempt, "exams/result.html", active=selectors.attempt_active_seconds(attempt=attempt)
    )


@candidate_view("GET")
def attempt_breakdown(request, attempt_id: int):
    """The per-domain table; htmx polls it until the background task has filled it."""
    return _with_scores(
        request, selectors.attempt_get(user=request.user, attempt_id=attempt_id), "exams/_breakdown.html"
    )


def _with_scores(request, attempt, template: str, **context):
    """The result page, or its per-domain table alone: the attempt with its domain scores, and
    what the chart of them draws (static/js/charts.js)."""
    scores = selectors.attempt_domain_scores(attempt=attempt)
    chart = {
        "scores": {
            "labels": [f"D{s.domain.number}" for s in scores],
            "titles": [f"Domain {s.domain.number}: {s.domain.title}" for s in scores],
            "percent": [float(s.percent) for s in scores],
            "threshold": attempt.blueprint.guide.competency_threshold,
        }
    }
    return render(
        request,
        template,
        {
            "attempt": attempt,
            "scores": scores,
            "chart": chart,
            "chart_id": f"result-chart-{attempt.pk}",
            **context,
        },
    )


@candidate_view("GET", cache=False)
@submitted_attempt
def attempt_review(request, attempt):
    """A submitted attempt, question by question, filtered by status, domain and task statement."""
    review = selectors.attempt_review(attempt=attempt)
    form = ReviewFilterForm(request.GET, summary=review.summary)
    filters = form.values()
    return render(
        request,
        "exams/review.html",
        {
            "attempt": attempt,
            "reviews": review.questions(**filters),
            "summary": review.summary,
            "time_by_domain": review.domains,
            "active": review.seconds,
            "form": form,
            "task": filters["task"],
            "task_row": review.task_row(filters["task"]),
        },
    )


# ---- practice ----------------------------------------------------------------------------


@candidate_view("GET")
def practice_hub(request):
    _close_overdue(request)
    guides = selectors.practice_overview(user=request.user)
    for g in guides:
        g["drill"] = DrillForm(guide=g["guide"], outline=g["guide"].domains.all())
    return render(request, "exams/practice.html", {"guides": guides})


def _guide(data):
    form = GuideForm(data)
    if not form.is_valid():
        raise Http404("No such exam guide.")
    return form.cleaned_data["guide"]


def _practice(request, form_class, start):
    """Validate a practice form and start its set; every problem is a message on the hub."""
    form = form_class(request.POST, guide=_guide(request.POST))
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("exams:practice")
    return _start_set(
        request, lambda: start(user=request.user, **form.practice()), "practice set", "exams:practice"
    )


def _start_set(request, start, what: str, back: str):
    """Start a practice set and open its first question, or go back to ``back`` saying why not."""
    try:
        attempt = start()
    except errors.NothingToPractise as exc:
        messages.info(request, exc.message)
    except errors.AssemblyError as exc:
        messages.error(request, f"This {what} cannot start: {exc.message}")
    else:
        return _to_question(attempt)
    return redirect(back)


@candidate_view("POST")
def practice_drill(request):
    return _practice(request, DrillForm, practice.attempt_start_drill)


@candidate_view("POST")
def practice_mistakes(request):
    return _practice(request, PracticeForm, practice.attempt_start_mistakes)


@candidate_view("POST")
def practice_review(request):
    """Review due questions: a study set of what spaced review says is due, then the weakest."""
    guide = _guide(request.POST)
    return _start_set(
        request,
        lambda: practice.review_set_start(user=request.user, guide=guide),
        "review set",
        "exams:dashboard",
    )


@candidate_view("POST")
def attempt_confidence(request, attempt_id: int, position: int):
    """The one-click confidence of a drill's answer ("I'm unsure" / "I'm sure"), before marking."""
    return _with_confidence(request, attempt_id, position, spaced.item_confidence_set)


# ---- the adaptive diagnostic ---------------------------------------------------------------


@candidate_view("POST")
def diagnostic_start(request):
    try:
        attempt = diagnostic.attempt_start_diagnostic(user=request.user, guide=_guide(request.POST))
    except errors.NotCalibrated as exc:
        messages.info(request, exc.message)
        return redirect("exams:practice")
    return _to_question(attempt)


@candidate_view("GET", cache=False)
@adaptive_attempt
def diagnostic_question(request, attempt):
    if not attempt.is_open:
        return redirect("exams:result", attempt_id=attempt.pk)
    item = diagnostic.diagnostic_current(attempt=attempt)
    return render(
        request,
        "exams/diagnostic.html",
        {
            "attempt": attempt,
            "item": item,
            "asked": item.position,
            "most": attempt.blueprint.question_count,
            "stem_html": item.version.content["stem_html"],
            "options": selectors.item_options(item=item),
            "arrangement": selectors.item_arrangement(item=item),
        },
    )


@candidate_view("POST")
@adaptive_attempt
def diagnostic_answer(request, attempt):
    try:
        answer = parse_diagnostic_answer(request.POST)
        diagnostic.diagnostic_answer(
            user=request.user, attempt_id=attempt.pk, position=answer.position, shown=answer.shown
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    return redirect("exams:diagnostic", attempt_id=attempt.pk)


@candidate_view("POST")
@adaptive_attempt
def diagnostic_stop(request, attempt):
    attempt = diagnostic.diagnostic_finish(user=request.user, attempt_id=attempt.pk)
    return redirect("exams:result", attempt_id=attempt.pk)


# ---- history, dashboard, item statistics -------------------------------------------------


@candidate_view("GET")
def history(request):
    """The candidate's attempts, a page of mock exams and a page of practice sets
    (``?mocks=2&practice=3``), and the per-domain trend of their latest mocks."""
    _close_overdue(request)
    form = HistoryPageForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(f"{escape(first_error(form))} (a page number from 1)")
    user, pages = request.user, form.pages()
    return render(
        request,
        "exams/history.html",
        {
            "groups": [
                ("Mock exams", True, selectors.attempts_history(user=user, mock=True, page=pages["mocks"])),
                (
                    "Practice",
                    False,
                    selectors.attempts_history(user=user, mock=False, page=pages["practice"]),
                ),
            ],
            "pages": pages,
            "trends": selectors.mock_trend(user=user),
        },
    )


def _charts(entry: dict) -> dict:
    """What static/js/charts.js draws for one guide: the trend of scaled scores and mastery per domain."""
    guide = entry["guide"]
    return {
        "trend": {
            "labels": [f"#{n} {a.submitted_at:%d %b}" for n, a in enumerate(entry["trend"], start=1)],
            "scores": [a.scaled_score for a in entry["trend"]],
            "pass": guide.passing_score,
            "min": guide.score_min,
            "max": guide.score_max,
        },
        "domains": {
            # Short labels, every one shown on a phone; the titles in the tooltip and the table.
            "labels": [f"D{s.domain.number}" for s in entry["domains"]],
            "titles": [f"Domain {s.domain.number}: {s.domain.title}" for s in entry["domains"]],
            "mastery": [round(100 * s.mastery, 1) for s in entry["domains"]],
            "threshold": guide.competency_threshold,
        },
    }


@candidate_view("GET")
def dashboard(request):
    _close_overdue(request)
    guides = selectors.candidate_dashboard_with_reviews(user=request.user)
    for entry in guides:
        entry["chart"], entry["chart_id"] = _charts(entry), f"chart-{entry['guide'].pk}"
    return render(
        request, "exams/dashboard.html", {"guides": guides, "min_others": settings.PERCENTILE_MIN_OTHERS}
    )


@author_required
@require_GET
def item_statistics(request):
    """For authors: how the questions of one guide perform, from all submitted mock attempts,
    one page at a time."""
    guides, guide, sub_domains = selectors.item_statistics_scope(code=request.GET.get("guide"))
    form = ItemStatisticsFilterForm(request.GET, guides=guides, guide=guide, sub_domains=sub_domains)
    filters = form.values()
    stats = None
    if guide is not None:
        del filters["guide"]
        page = filters.pop("page")
        rows = selectors.item_statistics(guide=guide, **filters)
        stats = Paginator(rows, selectors.ITEM_STATS_PAGE_SIZE).get_page(page)
    return render(request, "exams/item_statistics.html", {"stats": stats, "form": form, "guide": guide})
