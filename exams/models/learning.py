"""What the learning engine keeps (issue 22): each candidate's memory of each question (spaced
review, FSRS), each question's calibrated parameters (IRT), and the adaptive diagnostic's results.
The rules are pure modules: ``exams.spacing``, ``exams.irt``, ``exams.adaptive``."""

from django.conf import settings
from django.db import models

from questions.models import ExamGuide, Question

from .attempts import Attempt, AttemptItem


class ReviewCard(models.Model):
    """A candidate's memory of one question, scheduled by FSRS. It follows the question, not the
    version: an edit keeps the schedule (docs/analytics.md)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    state = models.PositiveSmallIntegerField(help_text="FSRS: 1 learning, 2 review, 3 relearning.")
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, help_text="Days until recall falls to 90%.")
    difficulty = models.FloatField(null=True, help_text="FSRS difficulty, 1 to 10.")
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True)
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0, help_text="Wrong answers after the first.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="review_card_unique")]
        indexes = [models.Index(fields=["user", "due"], name="review_card_due_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.question_id} due {self.due:%Y-%m-%d}"


class ItemReview(models.Model):
    """An answered item's part in spaced review: the candidate's confidence (given before or as
    it is marked) and, once marked, the FSRS rating it gave. An item is reviewed once."""

    item = models.OneToOneField(AttemptItem, on_delete=models.CASCADE, primary_key=True, related_name="+")
    unsure = models.BooleanField(default=False)
    rating = models.PositiveSmallIntegerField(null=True, blank=True, help_text="FSRS: 1 again ... 4 easy.")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"review of item {self.item_id}"


class ItemCalibration(models.Model):
    """A question's 2PL parameters with their standard errors, calibrated from every candidate's
    first scored answer to it (the question, not the version: a typo fix keeps the calibration)."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="calibration")
    guide = models.ForeignKey(ExamGuide, on_delete=models.CASCADE, related_name="+")
    a = models.FloatField(help_text="Discrimination.")
    b = models.FloatField(help_text="Difficulty, on the candidates' ability scale.")
    se_a = models.FloatField()
    se_b = models.FloatField()
    responses = models.PositiveIntegerField()
    rmsd = models.FloatField(help_text="Misfit: observed against model curve (0 fits).")
    calibrated = models.BooleanField(help_text="Enough responses that the data, not the prior, decide.")
    misfit = models.BooleanField(default=False)
    weak = models.BooleanField(default=False, help_text="Barely discriminates (a low, or a wrong key).")
    node_counts = models.JSONField(help_text="Expected respondents and right answers per quadrature node.")
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["guide", "calibrated"], name="calibration_guide_idx")]

    def __str__(self) -> str:
        return f"{self.question_id}: a={self.a:.2f} b={self.b:.2f}"

    @property
    def flagged(self) -> bool:
        return self.misfit or self.weak


class CalibrationSchedule(models.Model):
    """Per guide: up to when responses are counted in the calibration, and the debounce."""

    guide = models.OneToOneField(ExamGuide, on_delete=models.CASCADE, related_name="+")
    counted_until = models.DateTimeField(null=True, help_text="Responses marked up to here are counted.")
    queued_until = models.DateTimeField(null=True)
    last_full_at = models.DateTimeField(null=True)
    last_incremental_at = models.DateTimeField(null=True)
    exposure_plan = models.JSONField(
        null=True,
        blank=True,
        help_text="The diagnostic's exposure plan from the last full calibration (exams/exposure.py): "
        "nodes, planned information, prices by question, floor.",
    )

    def __str__(self) -> str:
        return f"calibration of {self.guide_id}"


class DiagnosticResult(models.Model):
    """What an adaptive diagnostic concluded: the ability, the scaled score with its 80% interval,
    P(pass) and the verdict per domain."""

    attempt = models.OneToOneField(Attempt, on_delete=models.CASCADE, related_name="diagnostic")
    theta = models.FloatField()
    se = models.FloatField()
    scaled = models.PositiveSmallIntegerField()
    low_scaled = models.PositiveSmallIntegerField()
    high_scaled = models.PositiveSmallIntegerField()
    probability = models.FloatField()
    domains = models.JSONField(help_text="Per domain: number, title, right, asked, expected, verdict.")
    stopped = models.CharField(max_length=20, help_text="precise, longest, or bank (nothing left to ask).")

    def __str__(self) -> str:
        return f"diagnostic {self.attempt_id}: {self.scaled}"
