"""Reads for exams, with their joins and prefetches applied, so that a page's query count does
not grow with its rows. Scoped to the candidate wherever a candidate reads: another's attempt
is ``NotFound``. Selectors import no service. One module per family of screens; everything is
importable from here (``from exams import selectors``)."""

from .analytics import (
    ITEM_STAT_FLAGS,
    ITEM_STAT_SORTS,
    attempts_owing_analysis,
    blueprint_of_the_exam,
    candidate_dashboard,
    item_statistics,
    matching_answers,
    mock_trend,
    versions_counted,
)
from .attempts import (
    PROGRESS_FILTERS,
    Progress,
    attempt_active_seconds,
    attempt_domain_scores,
    attempt_get,
    attempt_item_find,
    attempt_item_get,
    attempt_progress,
    attempt_statuses,
    attempt_urls,
    attempts_history,
    attempts_open,
    blueprint_startable,
    blueprints_active,
    item_arrangement,
    item_options,
)
from .practice import (
    guide_outline,
    guides_outlined,
    mistakes_per_sub_domain,
    mistakes_question_ids,
    practice_overview,
)
from .review import REVIEW_SHOW, Review, attempt_review, item_review

__all__ = [
    "ITEM_STAT_FLAGS",
    "ITEM_STAT_SORTS",
    "PROGRESS_FILTERS",
    "REVIEW_SHOW",
    "Progress",
    "Review",
    "attempt_active_seconds",
    "attempt_domain_scores",
    "attempt_get",
    "attempt_item_find",
    "attempt_item_get",
    "attempt_progress",
    "attempt_review",
    "attempt_statuses",
    "attempt_urls",
    "attempts_history",
    "attempts_open",
    "attempts_owing_analysis",
    "blueprint_of_the_exam",
    "blueprint_startable",
    "blueprints_active",
    "candidate_dashboard",
    "guide_outline",
    "guides_outlined",
    "item_arrangement",
    "item_options",
    "item_review",
    "item_statistics",
    "matching_answers",
    "mistakes_per_sub_domain",
    "mistakes_question_ids",
    "mock_trend",
    "practice_overview",
    "versions_counted",
]
