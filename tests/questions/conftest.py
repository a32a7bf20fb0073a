"""Fixtures for authoring tests: the four kinds of visitor, a small guide, admin form data."""

import pytest

from questions.models import Question, SubDomain
from questions.services import author_grant
from tests.factories import UserFactory, build_guide, client_for

WHY = "Because the documentation says so."
REF = "https://docs.aws.amazon.com/sagemaker/latest/dg/whatis.html"


@pytest.fixture
def author(db):
    user = UserFactory(username="author-a")
    author_grant(user=user)
    return user


@pytest.fixture
def staff_user(db):
    """Staff, but not an author: reaches the admin, may not author."""
    return UserFactory(username="staff-a", is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root-a", is_staff=True, is_superuser=True)


@pytest.fixture
def author_client(author):
    return client_for(author)


@pytest.fixture
def small_guide(db):
    """MLS-shaped, one published question per task statement."""
    return build_guide(per_sub=1, multiple_every=0)


@pytest.fixture
def sub(small_guide):
    return SubDomain.objects.get(domain__guide=small_guide, code="3.2")


def options(n=4, correct=(0,), why=WHY):
    return [(f"Option {i} with its own wording", i in correct, why) for i in range(n)]


def question_form(
    *,
    sub_domain,
    question: Question | None = None,
    choices=None,
    **fields,
) -> dict:
    """POST data for the admin's question form, as a browser would send it."""
    if choices is None:
        choices = (
            [(c.text, c.is_correct, c.why) for c in question.choices.order_by("position")]
            if question
            else options()
        )
    existing = list(question.choices.order_by("position").values_list("pk", flat=True)) if question else []
    data = {
        "external_id": "TEST-3.2-001",
        "sub_domain": sub_domain.pk,
        "type": "single",
        "select_count": 1,
        "difficulty": "medium",
        "status": "draft",
        "stem": "A team trains a model on tabular data. Which algorithm fits best?",
        "explanation": "Gradient-boosted trees suit tabular data.",
        "references": REF,
        "change_note": "",
        "choices-TOTAL_FORMS": max(len(choices), len(existing)),
        "choices-INITIAL_FORMS": len(existing),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
        **exhibit_rows(question),
    }
    if question is not None:
        data.update(
            external_id=question.external_id,
            type=question.type,
            select_count=question.select_count,
            difficulty=question.difficulty,
            status=question.status,
            stem=question.stem,
            explanation=question.explanation,
            references="\n".join(question.references),
        )
        del data["external_id"]  # read-only once given
    data.update(fields)
    for i in range(max(len(choices), len(existing))):
        prefix = f"choices-{i}-"
        data[prefix + "question"] = question.pk if question else ""
        if i < len(existing):
            data[prefix + "id"] = existing[i]
        if i < len(choices):
            text, correct, why = choices[i]
            data[prefix + "text"] = text
            data[prefix + "why"] = why
            if correct:
                data[prefix + "is_correct"] = "on"
        else:
            data[prefix + "DELETE"] = "on"
            data[prefix + "text"] = "x"
            data[prefix + "why"] = "x"
    return data


def exhibit_rows(question: Question | None, *, new: int = 0) -> dict:
    """The exhibits' rows of the admin's question form: the question's own, kept as they are,
    and ``new`` empty ones to fill in (uploads go in as ``exhibits-<n>-upload``)."""
    existing = list(question.exhibits.order_by("position")) if question else []
    data = {
        "exhibits-TOTAL_FORMS": len(existing) + new,
        "exhibits-INITIAL_FORMS": len(existing),
        "exhibits-MIN_NUM_FORMS": 0,
        "exhibits-MAX_NUM_FORMS": 1000,
    }
    for i, e in enumerate(existing):
        data.update({
            f"exhibits-{i}-id": e.pk, f"exhibits-{i}-question": question.pk, f"exhibits-{i}-alt": e.alt,
            f"exhibits-{i}-stored": e.image.name,
        })  # fmt: skip
    return data


@pytest.fixture
def blueprint_small(small_guide):
    """A 10-question set drawn from the small guide."""
    from exams.models import ExamBlueprint

    return ExamBlueprint.objects.create(
        guide=small_guide, slug="mini", name="Mini", question_count=10, duration_minutes=0,
        score_min=100, score_max=1000, passing_score=750,
    )  # fmt: skip
