"""Keeping the blueprints of each exam guide in step with the bank's guide files."""

from django.db import transaction

from questions.models import ExamGuide
from questions.services.upserts import UNCHANGED, upsert

from ..models import ExamBlueprint


@transaction.atomic
def blueprint_sync(*, guide: ExamGuide, specs: list[dict]) -> int:
    """Create or update the blueprints a guide file declares; return how many changed."""
    changed = 0
    for spec in specs:
        values = {
            "name": spec["name"],
            "description": spec.get("description", ""),
            "mode": spec.get("mode", ExamBlueprint.Mode.EXAM),
            "question_count": spec["question_count"],
            "duration_minutes": spec["duration_minutes"],
            "score_min": guide.score_min,
            "score_max": guide.score_max,
            "passing_score": guide.passing_score,
            "is_mock": spec.get("mode", ExamBlueprint.Mode.EXAM) == ExamBlueprint.Mode.EXAM,
            "max_case_studies": spec.get("max_case_studies"),
        }
        _, outcome = upsert(
            ExamBlueprint, lookup={"guide": guide, "slug": spec["slug"]}, values=values, validate=True
        )
        changed += outcome != UNCHANGED
    return changed
