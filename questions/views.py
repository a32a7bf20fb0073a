from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors, services
from .errors import NotFound
from .forms import ProblemReportForm


def home(request):
    return render(request, "questions/home.html", {"guides": selectors.guides_with_coverage()})


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@login_required
@require_POST
def report_problem(request, question_id: int):
    """A candidate reports a problem with a published question (from the review or study page).

    Answers an htmx request with a fragment (201, or 400 with the form's errors); any other
    request is redirected to ``next`` (a local URL) with a message.
    """
    form = ProblemReportForm(request.POST)
    next_url = _safe_next(request, request.POST.get("next"))
    if form.is_valid():
        try:
            services.problem_report_create(
                user=request.user,
                question_id=question_id,
                version_id=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except NotFound as exc:
            raise Http404(exc.message) from None
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    ok = form.is_valid()
    if request.htmx:
        return render(
            request,
            "questions/_report_result.html",
            {"form": form, "ok": ok, "question_id": question_id, "next": next_url},
            status=201 if ok else 400,
        )
    if ok:
        messages.success(request, "Thank you: your report is with the question's authors.")
    else:
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, f"Your report was not sent: {errors}")
    return redirect(next_url)
