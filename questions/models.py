"""Exam guides (domains, task statements) and the questions written against them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from . import rules
from .rules import letter


def _choices(name: str, labels: dict[str, str]) -> type[models.TextChoices]:
    """Django choices from one of the vocabularies of ``rules`` (each defined there once)."""
    return models.TextChoices(name, [(value.upper(), (value, label)) for value, label in labels.items()])


# How exams are listed everywhere: the ones candidates can book first ("current" sorts before
# "retired"), then by code. The model's default ordering, and the key of lists sorted in Python.
GUIDE_ORDER = ("status", "code")


class ExamFormat(models.Model):
    """What a sitting is: how many questions, how long, and the scaled score's range and pass
    mark. An exam guide has AWS's; each blueprint its own (exams/models), often the guide's."""

    question_count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    duration_minutes = models.PositiveSmallIntegerField(help_text="0 means untimed.")
    score_min = models.PositiveSmallIntegerField()
    score_max = models.PositiveSmallIntegerField()
    passing_score = models.PositiveSmallIntegerField()

    class Meta:
        abstract = True

    @property
    def is_timed(self) -> bool:
        return self.duration_minutes > 0


class ExamGuide(ExamFormat):
    """A certification's published exam guide, held as data (MLS-C01, MLA-C01, ...)."""

    Status = _choices("Status", rules.GUIDE_STATUSES)

    code = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    version = models.CharField(max_length=20, blank=True)
    competency_threshold = models.PositiveSmallIntegerField(
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Percent correct at which a domain 'meets competencies' on the score report.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CURRENT)
    retired_on = models.DateField(null=True, blank=True, help_text="The last day AWS offered the exam.")
    successor = models.CharField(max_length=32, blank=True, help_text="Code of the exam that replaced it.")
    guide_url = models.URLField(blank=True, help_text="AWS's exam guide, where the guide's facts come from.")

    class Meta:
        ordering = GUIDE_ORDER

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Domain(models.Model):
    guide = models.ForeignKey(ExamGuide, on_delete=models.CASCADE, related_name="domains")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    weight = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)], help_text="Share of the exam, in percent."
    )

    class Meta:
        ordering = ["guide", "number"]
        constraints = [models.UniqueConstraint(fields=["guide", "number"], name="domain_unique_number")]

    def __str__(self) -> str:
        return f"Domain {self.number}: {self.title}"


class SubDomain(models.Model):
    """A task statement of the exam guide, e.g. "3.2 Select the appropriate model(s)"."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="sub_domains")
    code = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    knowledge = models.TextField(blank=True, help_text="The guide's knowledge points, one per line.")

    class Meta:
        ordering = ["domain__guide", "domain__number", "code"]
        constraints = [models.UniqueConstraint(fields=["domain", "code"], name="subdomain_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def knowledge_points(self) -> list[str]:
        return [line.strip() for line in self.knowledge.splitlines() if line.strip()]


class CaseStudy(models.Model):
    """A scenario that several questions share (two to four): drawn together, in their order,
    with the scenario in view beside each of them. Its questions may test different task
    statements; each counts against its own."""

    guide = models.ForeignKey(ExamGuide, on_delete=models.CASCADE, related_name="case_studies")
    code = models.CharField(max_length=64, unique=True, help_text="Stable id, e.g. MLA-CS-01.")
    title = models.CharField(max_length=200)
    scenario = models.TextField(help_text="Markdown: the company, its data and its constraints.")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "case studies"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Tag(models.Model):
    """A label authors give questions to find them again (a service, a campaign, "needs-image")."""

    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    Type = _choices("Type", rules.QUESTION_TYPES)
    Difficulty = _choices("Difficulty", rules.DIFFICULTIES)
    Status = _choices("Status", rules.STATUSES)

    external_id = models.CharField(max_length=64, unique=True, help_text="Stable id, e.g. MLS-3.2-007.")
    sub_domain = models.ForeignKey(SubDomain, on_delete=models.PROTECT, related_name="questions")
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.SINGLE)
    select_count = models.PositiveSmallIntegerField(default=1, help_text="How many options to select.")
    stem = models.TextField(help_text="Markdown.")
    explanation = models.TextField(help_text="Markdown: the concept the question tests.")
    references = models.JSONField(default=list, blank=True, help_text="Links to documentation.")
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # SET_NULL, not PROTECT: a question takes its versions with it when it is deleted (only
    # possible while no attempt drew it: attempt items protect the versions they point at).
    current_version = models.ForeignKey(
        "QuestionVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case_study = models.ForeignKey(
        CaseStudy, on_delete=models.PROTECT, null=True, blank=True, related_name="questions"
    )
    case_order = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Its place among the case study's questions (1, 2, ...)."
    )
    # Questions that must never share a drawn form (the same concept or key under another id).
    enemies = models.ManyToManyField("self", symmetrical=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["external_id"]
        indexes = [models.Index(fields=["status", "sub_domain"], name="question_draw_idx")]

    def __str__(self) -> str:
        return self.external_id


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(
        help_text="Authoring order; for an ordering item, the step's place in the right order."
    )
    # Matching: the prompt this option (a response) answers; empty for the other types.
    prompt = models.TextField(blank=True, help_text="Matching only: the prompt this response answers.")
    text = models.TextField(help_text="Markdown.")
    is_correct = models.BooleanField(default=False)
    why = models.TextField(help_text="Why this option is right or wrong.")

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="choice_unique_position")
        ]

    def __str__(self) -> str:
        return f"Option {letter(self.position)}"


class Exhibit(models.Model):
    """An image shown with the question's stem. The file is stored once under a name made from
    its content (``exhibits/<sha256>.<ext>``) through Django's storage API and never deleted or
    overwritten, so every version that names it keeps it (docs/authoring.md, "Exhibits")."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="exhibits")
    position = models.PositiveSmallIntegerField()
    image = models.FileField(max_length=200, help_text="PNG, JPEG, WebP or GIF, up to 2 MB.")
    alt = models.CharField(
        "alt text", max_length=rules.ALT_MAX, help_text="What the image shows, for screen readers."
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="exhibit_unique_position")
        ]

    def __str__(self) -> str:
        return f"Exhibit {self.position + 1}"


class QuestionVersion(models.Model):
    """An immutable snapshot of a question as candidates see it; attempts point at one.

    ``content`` holds the Markdown and its sanitised HTML for the stem, explanation and every
    choice, so an attempt shows, scores and reviews exactly what was drawn, whatever later edits.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    type = models.CharField(max_length=10, choices=Question.Type.choices, default=Question.Type.SINGLE)
    choice_count = models.PositiveSmallIntegerField()
    select_count = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    # The second pair of eyes: who approved this version for publishing, and when. A bank file
    # can record a reviewer who has no account here (``reviewer_name``).
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewer_name = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_override = models.BooleanField(
        default=False, help_text="Published by a superuser who made it, without a second author."
    )

    class Meta:
        # No default ordering: it joined the questions table in every read of versions by id
        # (an exam's draw). The history orders itself (selectors.question_versions, the admin).
        constraints = [models.UniqueConstraint(fields=["question", "number"], name="version_unique_number")]

    def __str__(self) -> str:
        return f"{self.question.external_id} v{self.number}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def reviewer(self) -> str:
        return self.reviewer_name or (self.reviewed_by.get_username() if self.reviewed_by else "")


class ProblemReport(models.Model):
    """A candidate's report that something is wrong with a question, and how an author closed it."""

    class Reason(models.TextChoices):
        WRONG_KEY = "wrong_key", "The marked answer is wrong"
        UNCLEAR = "unclear", "The question or an option is unclear"
        OUTDATED = "outdated", "Out of date with the service today"
        TYPO = "typo", "Typo or formatting"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    version = models.ForeignKey(
        QuestionVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version the candidate saw.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="problem_reports"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    text = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution_note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "question"], name="report_open_idx")]

    def __str__(self) -> str:
        return f"Report {self.pk} on {self.question.external_id}: {self.get_reason_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class BankLoad(models.Model):
    """The fingerprint of the last load of a bank folder: ``load_bank`` skips a bank whose files
    (and the loader's code) and whose tables are as that load left them (questions.services.bank)."""

    root = models.CharField(max_length=1000, unique=True, help_text="The bank folder, resolved.")
    files_digest = models.CharField(max_length=64, help_text="SHA-256 of the files and the loader's code.")
    state_digest = models.CharField(max_length=64, help_text="SHA-256 of the bank's tables after the load.")
    loaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.root} loaded {self.loaded_at:%Y-%m-%d %H:%M}"
