from django import template

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


@register.inclusion_tag("questions/_report_form.html", takes_context=True)
def report_problem_form(context, question_id: int, version_id: int | None = None, current_id=None):
    """The "Report a problem with this question" form, posting to ``questions:report`` and
    coming back to the current page. For review and study pages only (see docs/authoring.md).

    Above it, what became of the candidate's own reports on this question (the authors'
    resolution note), and, given the question's ``current_id`` (its current version), that it
    was corrected after they answered it. The candidate's reports are read once per request."""
    request = context["request"]
    if not hasattr(request, "_own_reports"):
        request._own_reports = (
            selectors.user_reports_on(user=request.user) if request.user.is_authenticated else {}
        )
    reports = request._own_reports.get(question_id)
    form = ProblemReportForm(initial={"version": version_id, "next": request.get_full_path()})
    return {
        "form": form,
        "question_id": question_id,
        "csrf_token": context.get("csrf_token"),
        "reports": reports or [],
        "corrected": current_id is not None and version_id is not None and current_id != version_id,
    }
