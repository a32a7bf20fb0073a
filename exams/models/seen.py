"""What a candidate has been shown: the one row per question that assembly reads."""

from django.conf import settings
from django.db import models

from questions.models import ExamGuide, Question


class SeenQuestion(models.Model):
    """How often a candidate has drawn a question, when last, and how they last answered it.

    Kept up to date by the start (``times``, ``last_seen_at``) and the submit (``last_wrong``) of
    every attempt (``exams/services/seen.py``), so that a start reads at most one row per question
    of the guide, however many attempts the candidate has made (docs/scoring.md).
    """

    # The unique constraint (user, guide, question) is the index every read and upsert uses.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    guide = models.ForeignKey(ExamGuide, on_delete=models.CASCADE, related_name="+", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+", db_index=False)
    times = models.PositiveIntegerField(help_text="Attempts that drew this question.")
    last_seen_at = models.DateTimeField(help_text="When the latest of them started.")
    last_wrong = models.BooleanField(
        null=True, blank=True, help_text="Whether the latest marked answer was wrong; empty: never marked."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "guide", "question"], name="seen_unique_question")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.question_id} {self.times}x"
