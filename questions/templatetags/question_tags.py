from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from .. import rules, selectors
from ..forms import ProblemReportForm
from ..markdown import exhibit_url

register = template.Library()
register.filter("select_words", rules.select_words)
register.filter("exhibit_url", exhibit_url)


@register.inclusion_tag("questions/_exhibits.html")
def exhibits(content, kind: str = "exam"):
    """A version's exhibits under its stem: each image at the width it fits, a link to see it
    full size (in a new tab), its alt text for screen readers. ``content`` is a version's content
    or its id (read through the process's version cache)."""
    if isinstance(content, int):
        content = selectors.version_cached(content).content
    return {"exhibits": (content or {}).get("exhibits", []), "kind": kind}


# One report form for every question of a page: its labels and reasons are the same for all, so
# the form is rendered once per request with these marks in place of what differs per question.
SHARED_FORM = ProblemReportForm()
QUESTION, VERSION = "\x00question\x00", "\x00version\x00"


@register.simple_tag(takes_context=True)
def report_problem_form(context, question_id: int, version_id: int | None = None, current_id=None):
    """The "Report a problem with this question" form, posting to ``questions:report`` and
    coming back to the current page. For review and study pages only (see docs/authoring.md).

    A review shows it under each of 65 questions: the template (``questions/_report_form.html``)
    renders once per request and each question fills in its own numbers. Above it, what became
    of the candidate's own reports on this question (the authors' resolution note), and, given the
    question's ``current_id`` (its current version), that it was corrected after they answered it;
    the candidate's reports are read once per request."""
    request = context["request"]
    shared = getattr(request, "_report_form_html", None)
    if shared is None:
        # The action of question 0, its number then swapped: one reversal per page, not 65.
        action = reverse("questions:report", args=[0]).replace("/0/report/", f"/{QUESTION}/report/")
        shared = render_to_string(
            "questions/_report_form.html",
            {
                "form": SHARED_FORM,
                "question_id": QUESTION,
                "version_id": VERSION,
                "action": action,
                "next": request.get_full_path(),
                "csrf_token": context.get("csrf_token"),
            },
        )
        request._report_form_html = shared
    if not hasattr(request, "_own_reports"):
        request._own_reports = (
            selectors.user_reports_on(user=request.user) if request.user.is_authenticated else {}
        )
    reports = request._own_reports.get(question_id) or []
    corrected = current_id is not None and version_id is not None and current_id != version_id
    notes = (
        render_to_string("questions/_report_notes.html", {"reports": reports, "corrected": corrected})
        if reports or corrected
        else ""
    )
    html = shared.replace(QUESTION, str(int(question_id))).replace(
        VERSION, "" if version_id is None else str(int(version_id))
    )
    return mark_safe(notes + html)  # noqa: S308  # nosec B308 B703 (both escaped by their templates; integers filled in)
