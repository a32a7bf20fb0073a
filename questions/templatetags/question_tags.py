from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from .. import rules
from ..forms import ProblemReportForm

register = template.Library()
register.filter("select_words", rules.select_words)

# One report form for every question of a page: its labels and reasons are the same for all, so
# the form is rendered once per request with these marks in place of what differs per question.
SHARED_FORM = ProblemReportForm()
QUESTION, VERSION = "\x00question\x00", "\x00version\x00"


@register.simple_tag(takes_context=True)
def report_problem_form(context, question_id: int, version_id: int | None = None):
    """The "Report a problem with this question" form, posting to ``questions:report`` and
    coming back to the current page. For review and study pages only (see docs/authoring.md).

    A review shows it under each of 65 questions: the template (``questions/_report_form.html``)
    renders once per request and each question fills in its own numbers."""
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
    html = shared.replace(QUESTION, str(int(question_id))).replace(
        VERSION, "" if version_id is None else str(int(version_id))
    )
    return mark_safe(html)  # noqa: S308 (escaped by the template; what is filled in are integers)
