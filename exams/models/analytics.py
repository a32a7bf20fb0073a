"""Precomputed analytics: written by Celery tasks, read by the dashboards, never computed on a page."""

from django.conf import settings
from django.db import models

from questions.models import Domain, ExamGuide, Question, QuestionVersion, SubDomain

from .attempts import Attempt


class ItemResponse(models.Model):
    """One scored answer of a submitted mock attempt, flattened for SQL aggregation.

    ``selected_mask`` has bit i set when the candidate chose the version's option i, so option
    choice rates are sums of bitwise tests; ``rest_score`` is the attempt's share correct without
    this item, for the item-rest correlation.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="+")
    guide = models.ForeignKey(ExamGuide, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(QuestionVersion, on_delete=models.CASCADE, related_name="+")
    is_correct = models.BooleanField()
    selected_mask = models.PositiveIntegerField()
    rest_score = models.FloatField()
    # Ordering and matching: the answer as stored on the item (selected_mask then has bit i set
    # for each step or pair i placed right), for the most chosen wrong pairings.
    answer = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "version"], name="item_response_unique")]
        indexes = [models.Index(fields=["guide", "version"], name="item_response_guide_idx")]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.version_id}"


class ItemStatistic(models.Model):
    """Classical item statistics of one question version over all submitted mock attempts."""

    guide = models.ForeignKey(ExamGuide, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="statistics")
    version = models.OneToOneField(QuestionVersion, on_delete=models.CASCADE, related_name="statistic")
    sub_domain = models.ForeignKey(SubDomain, on_delete=models.CASCADE, related_name="+")
    responses = models.PositiveIntegerField()
    facility = models.FloatField(help_text="Share of responses that were correct.")
    discrimination = models.FloatField(
        null=True, help_text="Correlation of the item with the rest of the test (empty: too few responses)."
    )
    option_rates = models.JSONField(
        help_text="Per option: choice rate overall, in the top and bottom thirds "
        "(ordering and matching: the rate each step or pair is placed right)."
    )
    wrong_pairings = models.JSONField(
        default=list, blank=True, help_text="Matching: the wrong pairings chosen most, with their rates."
    )
    too_easy = models.BooleanField(default=False)
    too_hard = models.BooleanField(default=False)
    low_discrimination = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["guide", "sub_domain"], name="item_stat_guide_idx")]

    def __str__(self) -> str:
        return f"stats of {self.version_id}"

    @property
    def flagged(self) -> bool:
        return self.too_easy or self.too_hard or self.low_discrimination


class CandidateStanding(models.Model):
    """A candidate's mastery of one domain (sub_domain empty) or task statement, from mock exams.

    Derived data, rebuilt wholesale: its foreign keys are not database constraints (Django still
    cascades deletes), which makes the rebuild's bulk insert several times faster.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standings", db_constraint=False
    )
    guide = models.ForeignKey(
        ExamGuide, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    domain = models.ForeignKey(  # indexed by standing_rank_idx
        Domain, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    sub_domain = models.ForeignKey(
        SubDomain, on_delete=models.CASCADE, null=True, related_name="+", db_constraint=False, db_index=False
    )
    mastery = models.FloatField(help_text="Recency-weighted share correct, 0 to 1.")
    answered = models.PositiveIntegerField(help_text="Questions answered in this area across mock exams.")
    attempts = models.PositiveSmallIntegerField()
    percentile = models.FloatField(
        null=True, help_text="Share of candidates with lower mastery (domains only)."
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "domain"],
                condition=models.Q(sub_domain__isnull=True),
                name="standing_domain_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "sub_domain"],
                condition=models.Q(sub_domain__isnull=False),
                name="standing_task_unique",
            ),
        ]
        indexes = [models.Index(fields=["domain", "sub_domain", "mastery"], name="standing_rank_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.sub_domain_id or self.domain_id}: {self.mastery:.2f}"


class CandidateReadiness(models.Model):
    """The estimated probability that a candidate would pass the real exam now."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    guide = models.ForeignKey(ExamGuide, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    expected_scaled = models.PositiveSmallIntegerField()
    low_scaled = models.PositiveSmallIntegerField(help_text="80% interval of the score on a fresh exam.")
    high_scaled = models.PositiveSmallIntegerField()
    answered = models.PositiveIntegerField()
    theta = models.FloatField(null=True, help_text="Ability estimate (EAP) from all the candidate's answers.")
    theta_se = models.FloatField(null=True, help_text="Its standard error.")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "guide"], name="readiness_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.guide_id}: {self.probability:.0%}"


class AnalyticsSchedule(models.Model):
    """Debounces the item-statistics rebuild: at most one queued per guide at a time."""

    guide = models.OneToOneField(ExamGuide, on_delete=models.CASCADE, related_name="+")
    queued_until = models.DateTimeField(null=True)
    last_rebuild_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"schedule of {self.guide_id}"
