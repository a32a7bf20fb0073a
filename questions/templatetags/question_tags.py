from django import template

from .. import rules
from ..forms import ProblemReportForm

register = template.Library()
register.filter("select_words", rules.select_words)


@register.inclusion_tag("questions/_report_form.html", takes_context=True)
def report_problem_form(context, question_id: int, version_id: int | None = None):
    """The "Report a problem with this question" form, posting to ``questions:report`` and
    coming back to the current page. For review and study pages only (see docs/authoring.md)."""
    request = context["request"]
    form = ProblemReportForm(initial={"version": version_id, "next": request.get_full_path()})
    return {"form": form, "question_id": question_id, "csrf_token": context.get("csrf_token")}
