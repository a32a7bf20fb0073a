from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors, services
from .errors import NotFound
from .forms import ProblemReportForm
from .images import EXHIBIT_DIR, is_exhibit_name


def home(request):
    return render(request, "questions/home.html", {"guides": selectors.guides_with_coverage()})


EXHIBIT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}


@login_required
def exhibit(request, name: str):
    """An exhibit image from the local storage. Names come from the image's content, so a file
    never changes: cached for a year. Only names our uploads make are served, with the type
    their content was checked to be."""
    path = f"{EXHIBIT_DIR}/{name}"
    if not is_exhibit_name(path) or not default_storage.exists(path):
        raise Http404("No such exhibit.")
    response = FileResponse(default_storage.open(path), content_type=EXHIBIT_TYPES[name.rsplit(".", 1)[1]])
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def my_reports(request):
    """The candidate's problem reports, newest first, with what the authors did about each."""
    page = Paginator(selectors.user_reports(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "questions/my_reports.html", {"page": page})


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
