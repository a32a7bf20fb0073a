"""Test data: users, and exam guides with a bank of generated questions built in bulk."""

import random
import textwrap
from pathlib import Path

import factory
import yaml
from django.test import Client

from accounts.models import Profile, User
from exams.models import ExamBlueprint
from questions.models import Choice, Domain, ExamGuide, Question, QuestionVersion, SubDomain
from questions.services import question_content

WORDS = [
    "data",
    "model",
    "stream",
    "bucket",
    "shard",
    "feature",
    "label",
    "metric",
    "vector",
    "tensor",
    "epoch",
    "batch",
    "cluster",
    "region",
    "endpoint",
    "pipeline",
    "schema",
    "partition",
    "crawler",
    "catalog",
    "notebook",
    "training",
    "inference",
    "latency",
    "drift",
    "bias",
    "variance",
    "gradient",
    "optimizer",
    "encoder",
    "token",
    "corpus",
    "image",
    "audio",
    "video",
    "sensor",
    "invoice",
    "customer",
    "order",
    "fraud",
    "churn",
    "forecast",
    "anomaly",
    "ranking",
    "embedding",
    "replica",
    "queue",
    "topic",
    "lake",
    "warehouse",
    "table",
    "column",
]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def profile(self, create, extracted, **kwargs):
        if create:
            self.save()
            Profile.objects.create(user=self, extra_time_minutes=extracted or 0)


def sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randrange(1000)) for _ in range(n))


MLS_SHAPE = ((20, 3), (24, 3), (36, 5), (20, 4))


def build_guide(
    *,
    code: str = "MLS-C01",
    shape=MLS_SHAPE,
    per_sub: int | list[int] = 8,
    multiple_every: int = 4,
    seed: int = 1,
    blueprint: tuple[str, int, int] = ("full", 65, 180),
) -> ExamGuide:
    """An exam guide with ``per_sub`` published questions in each task statement, in bulk."""
    rng = random.Random(seed)
    guide = ExamGuide.objects.create(
        code=code, title=f"{code} test guide", version="1", question_count=blueprint[1],
        duration_minutes=blueprint[2], score_min=100, score_max=1000, passing_score=750,
    )  # fmt: skip
    questions = []
    sub_index = 0
    for number, (weight, subs) in enumerate(shape, start=1):
        domain = Domain.objects.create(guide=guide, number=number, title=f"Domain {number}", weight=weight)
        for s in range(1, subs + 1):
            sub = SubDomain.objects.create(domain=domain, code=f"{number}.{s}", title=f"Task {number}.{s}")
            count = per_sub[sub_index] if isinstance(per_sub, list) else per_sub
            sub_index += 1
            for q in range(count):
                multiple = multiple_every and q % multiple_every == multiple_every - 1
                questions.append(
                    Question(
                        external_id=f"{code}-{sub.code}-{q:03d}",
                        sub_domain=sub,
                        type="multiple" if multiple else "single",
                        select_count=2 if multiple else 1,
                        stem=sentence(rng),
                        explanation=sentence(rng, 8),
                        references=["https://docs.aws.amazon.com/"],
                        difficulty="medium",
                        status="published",
                    )
                )
    Question.objects.bulk_create(questions)
    questions = list(Question.objects.filter(sub_domain__domain__guide=guide).order_by("pk"))
    choices, versions = [], []
    for question in questions:
        n = 5 if question.type == "multiple" else 4
        correct = {0, 2} if question.type == "multiple" else {rng.randrange(4)}
        mine = [
            Choice(
                question=question,
                position=i,
                text=f"option {i} {sentence(rng, 3)}",
                is_correct=i in correct,
                why="because",
            )
            for i in range(n)
        ]
        choices += mine
        content = question_content(question, mine)
        versions.append(
            QuestionVersion(
                question=question,
                number=1,
                content=content,
                choice_count=n,
                select_count=question.select_count,
            )
        )
    Choice.objects.bulk_create(choices)
    QuestionVersion.objects.bulk_create(versions)
    for question, version in zip(
        questions, QuestionVersion.objects.filter(question__in=questions).order_by("question_id"), strict=True
    ):
        question.current_version = version
    Question.objects.bulk_update(questions, ["current_version"])
    slug, count, minutes = blueprint
    ExamBlueprint.objects.create(
        guide=guide, slug=slug, name="Full mock exam", question_count=count, duration_minutes=minutes,
        score_min=100, score_max=1000, passing_score=750,
    )  # fmt: skip
    return guide


def correct_positions(item) -> list[int]:
    """What a perfect candidate sends for an item: the displayed positions of the correct
    options; for ordering, per displayed step its position; for matching, per displayed prompt
    the displayed position of its response."""
    if item.type == "ordering":
        return list(item.shown_order)
    if item.type == "matching":
        return [item.response_order.index(original) for original in item.shown_order]
    choices = item.version.content["choices"]
    return [shown for shown, original in enumerate(item.option_order) if choices[original]["correct"]]


# ---- bank files --------------------------------------------------------------------------

GUIDE_YAML = """\
code: {code}
title: {code} test guide
version: "1"
question_count: {count}
duration_minutes: 60
score_min: 100
score_max: 1000
passing_score: 720
domains:
{domains}
blueprints:
  - slug: full
    name: Full mock exam
    question_count: {count}
    duration_minutes: 60
"""


def write_bank(
    root: Path,
    *,
    code: str = "TST-01",
    weights=(20, 24, 36, 20),
    per_sub: int = 3,
    count: int = 20,
    seed: int = 7,
) -> Path:
    """Write a valid bank folder (one task statement per domain) and return the folder."""
    rng = random.Random(seed)
    folder = root / code.lower()
    folder.mkdir(parents=True)
    domains = "".join(
        f"  - number: {n}\n    title: Domain {n}\n    weight: {w}\n    sub_domains:\n"
        f'      - code: "{n}.1"\n        title: Task {n}.1\n        knowledge: Point one.\n'
        for n, w in enumerate(weights, start=1)
    )
    (folder / "guide.yaml").write_text(GUIDE_YAML.format(code=code, count=count, domains=domains))
    for n in range(1, len(weights) + 1):
        questions = []
        for q in range(per_sub):
            correct = rng.randrange(4)
            questions.append(
                {
                    "id": f"{code}-{n}.1-{q:03d}",
                    "type": "single",
                    "difficulty": "medium",
                    "stem": sentence(rng) + "?",
                    "choices": [
                        {"text": f"Option {sentence(rng, 4)}", "correct": i == correct, "why": "Because."}
                        for i in range(4)
                    ],
                    "explanation": "The concept.",
                    "references": ["https://docs.aws.amazon.com/sagemaker/"],
                }
            )
        text = yaml.safe_dump({"sub_domain": f"{n}.1", "questions": questions}, sort_keys=False, width=1000)
        (folder / f"{n}.1.yaml").write_text(text)
    return folder


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def client_for(user) -> Client:
    """A test client logged in as ``user``, or anonymous for None."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
