"""Blueprints, attempts and what they were scored."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from questions.models import Domain, ExamFormat, ExamGuide, Question, QuestionVersion, SubDomain

from ..scoring import item_type

# A blueprint may draw from one domain or one task statement only (drills); empty: the whole guide.
_SCOPE = {"on_delete": models.CASCADE, "null": True, "blank": True, "related_name": "+"}


class ExamBlueprint(ExamFormat):
    """A kind of exam a candidate can start: the full mock, a mini mock, a drill, study mode."""

    class Mode(models.TextChoices):
        EXAM = "exam", "Exam conditions"
        STUDY = "study", "Study (answers shown as you go)"
        ADAPTIVE = "adaptive", "Adaptive diagnostic (each question chosen by the answers before)"

    guide = models.ForeignKey(ExamGuide, on_delete=models.CASCADE, related_name="blueprints")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.EXAM)
    domain = models.ForeignKey(Domain, help_text="Draw only from this domain.", **_SCOPE)
    sub_domain = models.ForeignKey(SubDomain, help_text="Draw only from this task statement.", **_SCOPE)
    estimated_cut_percent = models.PositiveSmallIntegerField(
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="Raw percent we map to the passing score; an estimate (see docs/scoring.md).",
    )
    max_case_studies = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The most case studies one form draws; empty: no limit."
    )
    is_mock = models.BooleanField(default=True, help_text="Counts as a mock exam in history and analytics.")
    is_active = models.BooleanField(default=True)
    is_listed = models.BooleanField(
        default=True, help_text="Offered on the exams page; practice sets made on demand are not."
    )

    class Meta:
        ordering = ["guide", "-question_count", "name"]
        constraints = [models.UniqueConstraint(fields=["guide", "slug"], name="blueprint_unique_slug")]

    def __str__(self) -> str:
        return f"{self.guide.code} · {self.name}"


class Attempt(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    class Finish(models.TextChoices):
        CANDIDATE = "candidate", "Ended by the candidate"
        TIMEOUT = "timeout", "Time ran out"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    blueprint = models.ForeignKey(ExamBlueprint, on_delete=models.PROTECT, related_name="attempts")
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    seed = models.BigIntegerField()
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True, help_text="Empty for untimed attempts.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    finish = models.CharField(max_length=10, choices=Finish.choices, blank=True)
    current_position = models.PositiveSmallIntegerField(default=1)
    question_count = models.PositiveSmallIntegerField()
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    scaled_score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    analysed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the breakdown task finished; empty means it is still owed."
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "blueprint"],
                condition=Q(state="in_progress"),
                name="one_open_attempt_per_blueprint",
            )
        ]
        indexes = [
            models.Index(fields=["state", "deadline"], name="attempt_expiry_idx"),
            models.Index(fields=["state", "analysed_at"], name="attempt_owed_idx"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.pk} by {self.user} ({self.blueprint})"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.IN_PROGRESS

    @property
    def time_used(self) -> int | None:
        """Seconds from start to submit (wall time); None while the attempt is open."""
        if self.submitted_at is None:
            return None
        return max(0, round((self.submitted_at - self.started_at).total_seconds()))

    @property
    def time_allowed(self) -> int | None:
        """Seconds from start to deadline (with the candidate's extra time); None if untimed."""
        if self.deadline is None:
            return None
        return round((self.deadline - self.started_at).total_seconds())


class AttemptItem(models.Model):
    """One question of an attempt, pinned to the version drawn, with the candidate's answer."""

    # No index of their own on attempt and question: item_unique_position (attempt, position)
    # and item_question_checked_idx (question, checked_at) serve both, and a start inserts 65
    # rows into every index of this table (docs/performance.md).
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items", db_index=False)
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", db_index=False)
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    sub_domain = models.ForeignKey(SubDomain, on_delete=models.PROTECT, related_name="+")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    # Copied from the version at draw time so a save validates without reading the content.
    # No column of their own for the type and a matching item's response order: they follow from
    # the shape (``type``) and from the prompts' order in ``option_order``. (A start inserts 65
    # rows in one INSERT: on SQLite as many values as the connection allows, exams/sql.py.)
    choice_count = models.PositiveSmallIntegerField()
    select_count = models.PositiveSmallIntegerField()
    option_order = models.JSONField(
        help_text="Choice indexes of the version, in the order shown (ordering: the steps; "
        "matching: the prompts, then the responses)."
    )
    # single/multiple: the chosen choice indexes, sorted. ordering: per choice (step) index, the
    # position (0-based) the candidate gave it, or null. matching: per choice (prompt) index, the
    # choice index of the response the candidate paired with it, or null. [] when nothing is chosen.
    selected = models.JSONField(default=list, blank=True, help_text="The answer, in the version's indexes.")
    flagged = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(
        default=0, help_text="Bumped by every save; stale saves are refused."
    )
    saved_at = models.DateTimeField(null=True, blank=True)
    # The save that set this answer, as the browser named it ("<tab>:<sequence>", exams/answers.py):
    # a retry of that save is acknowledged again, and a later change from the same tab builds on
    # it even when the tab never heard that it landed.
    save_request = models.CharField(max_length=64, blank=True, default="")
    active_seconds = models.PositiveIntegerField(
        default=0,
        help_text="How long the question was on screen, visible and focused (seconds, as the browser "
        "measured it; never more than the attempt's elapsed time).",
    )
    is_correct = models.BooleanField(null=True, blank=True)
    checked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When this answer was marked: at submit, or at 'Check' in study mode.",
    )

    class Meta:
        # No default ordering: ordering by the attempt joined and sorted the attempts table in
        # every query of items that did not order itself. Order explicitly where it matters.
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="item_unique_position")]
        indexes = [models.Index(fields=["question", "checked_at"], name="item_question_checked_idx")]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"

    @property
    def answered(self) -> bool:
        return bool(self.selected)

    @property
    def type(self) -> str:
        return item_type(self.choice_count, self.select_count, self.option_order)

    @property
    def shown_order(self) -> list[int]:
        """Choice indexes in the order shown: the options, the steps, or a matching item's prompts."""
        return self.option_order[: self.choice_count]

    @property
    def response_order(self) -> list[int]:
        """Matching: the choice indexes of the responses, in the order shown; [] for the others."""
        return self.option_order[self.choice_count :]


class AttemptDomainScore(models.Model):
    """Per-domain result of a submitted attempt, computed in the background."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="domain_scores")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    meets = models.BooleanField()

    class Meta:  # no default ordering, for the reason AttemptItem has none
        constraints = [models.UniqueConstraint(fields=["attempt", "domain"], name="domain_score_unique")]

    def __str__(self) -> str:
        return f"{self.attempt_id} domain {self.domain_id}: {self.correct}/{self.total}"

    @property
    def percent(self) -> float:
        return round(100 * self.correct / self.total, 1) if self.total else 0.0


class AttemptSubDomainScore(models.Model):
    """Per-task-statement result of a submitted attempt, computed in the background."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="sub_domain_scores")
    sub_domain = models.ForeignKey(SubDomain, on_delete=models.PROTECT, related_name="+")
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()

    class Meta:  # no default ordering, for the reason AttemptItem has none
        constraints = [
            models.UniqueConstraint(fields=["attempt", "sub_domain"], name="sub_domain_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} task {self.sub_domain_id}: {self.correct}/{self.total}"

    @property
    def percent(self) -> float:
        return round(100 * self.correct / self.total, 1) if self.total else 0.0
