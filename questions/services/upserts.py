"""The two writes every loader and editor of the bank shares: create or update a row writing
only what changed, and replace a question's options when they changed."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models

from ..models import Choice, Question

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def _differs(obj: models.Model, name: str, value) -> bool:
    field = obj._meta.get_field(name)
    if field.many_to_one:  # compare the key, without loading the related row
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def upsert(
    model: type[models.Model], *, lookup: dict, values: dict, validate: bool = False
) -> tuple[models.Model, str]:
    """The row ``lookup`` holding ``values``, and ``CREATED``, ``UPDATED`` or ``UNCHANGED``.

    An update writes only the fields that differ (and any ``auto_now`` field); a row that
    already holds ``values`` is not written at all, so loading the same files twice is a no-op.
    ``validate`` runs ``full_clean()`` before each write.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        outcome, changed = CREATED, None
    else:
        changed = [name for name, value in values.items() if _differs(obj, name, value)]
        if not changed:
            return obj, UNCHANGED
        for name in changed:
            setattr(obj, name, values[name])
        outcome = UPDATED
        changed += [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    if validate:
        obj.full_clean()
    obj.save(update_fields=changed)
    return obj, outcome


def choices_replace(question: Question, wanted: Sequence[tuple]) -> bool:
    """Give ``question`` exactly the options ``wanted`` ((text, correct, why) or (text, correct,
    why, prompt), in order); ``False`` when it already has them. Positions are the authoring
    order (an ordering item's right order): attempts keep their own copy in the version they
    drew, so replacing the rows changes no attempt."""
    wanted = [(c[0], bool(c[1]), c[2], c[3] if len(c) > 3 else "") for c in wanted]
    have = [(c.text, c.is_correct, c.why, c.prompt) for c in question.choices.order_by("position")]
    if have == wanted:
        return False
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, position=i, text=text, is_correct=correct, why=why, prompt=prompt)
        for i, (text, correct, why, prompt) in enumerate(wanted)
    )
    return True
