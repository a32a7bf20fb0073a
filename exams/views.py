"""Exam views: parse the request, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import author_required
from questions.models import ExamGuide
from questions.selectors import sub_domains_in_order

from . import selectors
from .forms import PracticeScopeError, parse_id, parse_save, parse_scope
from .models import ExamBlueprint
from .services import attempts, practice
from .services.assembly import AssemblyError

REVIEW_FILTERS = {
    "all": ("All questions", lambda s: True),
    "unanswered": ("Unanswered", lambda s: not s["answered"]),
    "answered": ("Answered", lambda s: s["answered"]),
    "flagged": ("Flagged", lambda s: s["flagged"]),
}


def exam_list(request):
    context = {"blueprints": selectors.blueprints_active()}
    if request.user.is_authenticated:
        context["open_attempts"] = {a.blueprint_id: a for a in selectors.attempts_open(user=request.user)}
    return render(request, "exams/exam_list.html", context)


@login_required
@require_POST
def attempt_start(request, blueprint_id: int):
    blueprint = get_object_or_404(ExamBlueprint, pk=blueprint_id, is_active=True)
    try:
        attempt = attempts.attempt_start(user=request.user, blueprint=blueprint)
    except AssemblyError as exc:
        messages.error(request, f"This exam cannot start: {exc}")
        return redirect("exams:list")
    return redirect("exams:question", attempt_id=attempt.pk, position=attempt.current_position)


@login_required
@require_GET
def attempt_resume(request, attempt_id: int):
    attempt = selectors.attempt_get(user=request.user, attempt_id=attempt_id)
    if not attempt.is_open:
        return redirect("exams:result", attempt_id=attempt.pk)
    return redirect("exams:question", attempt_id=attempt.pk, position=attempt.current_position)


@never_cache
@login_required
@require_GET
def attempt_question(request, attempt_id: int, position: int):
    item = selectors.attempt_item_get(user=request.user, attempt_id=attempt_id, position=position)
    attempt = attempts.attempt_submit_if_overdue(attempt=item.attempt)
    if not attempt.is_open:
        return redirect("exams:result", attempt_id=attempt.pk)
    attempts.attempt_visit(attempt=attempt, position=position)
    statuses = selectors.attempt_statuses(attempt=attempt)
    study = attempt.blueprint.mode == ExamBlueprint.Mode.STUDY
    urls = selectors.attempt_urls(attempt.pk)
    return render(
        request,
        "exams/question.html",
        {
            "attempt": attempt,
            "item": item,
            "urls": urls,
            "prev_url": f"{urls['question_prefix']}{position - 1}/" if position > 1 else None,
            "next_url": f"{urls['question_prefix']}{position + 1}/"
            if position < attempt.question_count
            else urls["overview"],
            "study": study,
            # Study mode shows the key once the candidate has checked this question; an exam never does.
            "feedback": selectors.item_review(item) if study and item.checked_at else None,
            "stem_html": item.version.content["stem_html"],
            "options": selectors.item_options(item=item),
            "statuses": statuses,
            "answered": sum(s["answered"] for s in statuses),
            "unanswered": sum(not s["answered"] for s in statuses),
            "flagged": sum(s["flagged"] for s in statuses),
            "remaining": attempts.remaining_seconds(attempt),
        },
    )


@never_cache
@login_required
@require_GET
def attempt_overview(request, attempt_id: int):
    attempt = attempts.attempt_submit_if_overdue(
        attempt=selectors.attempt_get(user=request.user, attempt_id=attempt_id)
    )
    if not attempt.is_open:
        return redirect("exams:result", attempt_id=attempt.pk)
    show = request.GET.get("show", "all")
    if show not in REVIEW_FILTERS:
        show = "all"
    statuses = selectors.attempt_statuses(attempt=attempt)
    return render(
        request,
        "exams/overview.html",
        {
            "attempt": attempt,
            "urls": selectors.attempt_urls(attempt.pk),
            "statuses": statuses,
            "rows": [s for s in statuses if REVIEW_FILTERS[show][1](s)],
            "show": show,
            "filters": [(key, label) for key, (label, _) in REVIEW_FILTERS.items()],
            "answered": sum(s["answered"] for s in statuses),
            "unanswered": sum(not s["answered"] for s in statuses),
            "flagged": sum(s["flagged"] for s in statuses),
            "remaining": attempts.remaining_seconds(attempt),
        },
    )


@login_required
@require_POST
def attempt_save(request, attempt_id: int):
    try:
        payload = parse_save(request.body)
    except ValidationError as exc:
        return JsonResponse({"error": exc.messages[0]}, status=400)
    try:
        ack = attempts.attempt_save_answer(
            user=request.user,
            attempt_id=attempt_id,
            position=payload.position,
            selected=payload.selected,
            flagged=payload.flagged,
            base_revision=payload.revision,
        )
    except attempts.SaveRejected as exc:
        return JsonResponse({"error": exc.message, **exc.extra}, status=exc.status)
    return JsonResponse(
        {"revision": ack.revision, "saved_at": ack.saved_at.isoformat(), "remaining": ack.remaining_seconds}
    )


@login_required
@require_POST
def attempt_check(request, attempt_id: int, position: int):
    """Study mode: mark this question now and show its answer and explanation."""
    try:
        attempts.attempt_check_answer(user=request.user, attempt_id=attempt_id, position=position)
    except attempts.SaveRejected as exc:
        messages.error(request, exc.message)
    return redirect("exams:question", attempt_id=attempt_id, position=position)


@login_required
@require_POST
def attempt_submit(request, attempt_id: int):
    attempt = attempts.attempt_submit(user=request.user, attempt_id=attempt_id)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"result": reverse("exams:result", args=[attempt.pk])})
    return redirect("exams:result", attempt_id=attempt.pk)


@login_required
@require_GET
def attempt_result(request, attempt_id: int):
    attempt = attempts.attempt_submit_if_overdue(
        attempt=selectors.attempt_get(user=request.user, attempt_id=attempt_id)
    )
    if attempt.is_open:
        return redirect("exams:question", attempt_id=attempt.pk, position=attempt.current_position)
    return render(
        request,
        "exams/result.html",
        {"attempt": attempt, "scores": selectors.attempt_domain_scores(attempt=attempt)},
    )


@login_required
@require_GET
def attempt_breakdown(request, attempt_id: int):
    """The per-domain table; htmx polls it until the background task has filled it."""
    attempt = selectors.attempt_get(user=request.user, attempt_id=attempt_id)
    return render(
        request,
        "exams/_breakdown.html",
        {"attempt": attempt, "scores": selectors.attempt_domain_scores(attempt=attempt)},
    )


@never_cache
@login_required
@require_GET
def attempt_review(request, attempt_id: int):
    """A submitted attempt, question by question, filtered by status, domain and task statement."""
    attempt = selectors.attempt_get(user=request.user, attempt_id=attempt_id)
    if attempt.is_open:
        return redirect("exams:question", attempt_id=attempt.pk, position=attempt.current_position)
    show = request.GET.get("show", "all")
    show = show if show in selectors.REVIEW_SHOW else "all"
    domain = parse_id(request.GET.get("domain", ""))
    task = request.GET.get("task", "").strip()[:10] or None
    reviews, summary = selectors.attempt_review(attempt=attempt, show=show, domain=domain, task=task)
    return render(
        request,
        "exams/review.html",
        {
            "attempt": attempt,
            "reviews": reviews,
            "summary": summary,
            "show": show,
            "domain": domain,
            "task": task,
            "shows": selectors.REVIEW_SHOW.items(),
            "domains": sorted({row["domain"] for row in summary}),
        },
    )


@login_required
@require_GET
def practice_hub(request):
    return render(
        request,
        "exams/practice.html",
        {
            "guides": selectors.practice_overview(user=request.user),
            "sizes": practice.DRILL_SIZES,
        },
    )


def _start_or_explain(request, blueprint, **kwargs):
    try:
        attempt = attempts.attempt_start(user=request.user, blueprint=blueprint, **kwargs)
    except AssemblyError as exc:
        messages.error(request, f"This practice set cannot start: {exc}")
        return redirect("exams:practice")
    return redirect("exams:question", attempt_id=attempt.pk, position=attempt.current_position)


@login_required
@require_POST
def practice_drill(request):
    guide = get_object_or_404(ExamGuide, pk=parse_id(request.POST.get("guide")) or 0)
    try:
        domain, sub_domain = parse_scope(request.POST.get("scope", ""), guide)
        count = int(request.POST.get("count", "0"))
        blueprint = practice.blueprint_for_drill(
            guide=guide,
            count=count,
            study=request.POST.get("mode") != "exam",
            domain=domain,
            sub_domain=sub_domain,
        )
    except (PracticeScopeError, ValueError, AssemblyError) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc) or "Choose a scope and a size.")
        return redirect("exams:practice")
    return _start_or_explain(request, blueprint)


@login_required
@require_POST
def practice_mistakes(request):
    guide = get_object_or_404(ExamGuide, pk=parse_id(request.POST.get("guide")) or 0)
    try:
        domain, sub_domain = parse_scope(request.POST.get("scope", ""), guide)
    except PracticeScopeError as exc:
        messages.error(request, exc.message)
        return redirect("exams:practice")
    try:
        attempt = practice.attempt_start_mistakes(
            user=request.user, guide=guide, domain=domain, sub_domain=sub_domain
        )
    except AssemblyError as exc:
        messages.info(request, str(exc))
        return redirect("exams:practice")
    return redirect("exams:question", attempt_id=attempt.pk, position=attempt.current_position)


@login_required
@require_GET
def history(request):
    return render(
        request,
        "exams/history.html",
        {
            "groups": [
                (
                    "Mock exams",
                    True,
                    selectors.attempts_history(user=request.user).filter(blueprint__is_mock=True),
                ),
                (
                    "Practice",
                    False,
                    selectors.attempts_history(user=request.user).filter(blueprint__is_mock=False),
                ),
            ],
            "trends": selectors.mock_trend(user=request.user),
        },
    )


@login_required
@require_GET
def dashboard(request):
    return render(
        request, "exams/dashboard.html", {"guides": selectors.candidate_dashboard(user=request.user)}
    )


@author_required
@require_GET
def item_statistics(request):
    """For authors: how every question performs, from all submitted mock attempts."""
    domain = request.GET.get("domain", "")
    stats = selectors.item_statistics(
        domain=parse_id(domain),
        task=request.GET.get("task", "").strip()[:10] or None,
        flag=request.GET.get("flag", ""),
        sort=request.GET.get("sort", ""),
    )
    return render(
        request,
        "exams/item_statistics.html",
        {
            "stats": stats,
            "filters": request.GET,
            "sub_domains": sub_domains_in_order(),
        },
    )
