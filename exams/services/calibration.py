"""Item calibration (issue 22): the 2PL parameters of every question of a guide from all
candidates' first scored answers (``exams.irt``), in full (nightly, and the first time) or
incrementally as answers arrive. Run by Celery (``tasks.calibrate_guide``); docs/analytics.md."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from questions.models import ExamGuide

from .. import adaptive, exposure, irt, selectors
from ..models import CalibrationSchedule, ItemCalibration
from .analytics import claim_window

DEBOUNCE = timedelta(minutes=1)
INCREMENTAL_BATCH = 1  # candidates with new answers that make an incremental run worth it


@dataclass(frozen=True)
class Outcome:
    kind: str  # "full", "incremental" or "nothing"
    items: int  # calibrations written
    responses: int  # responses counted in this run


def _schedule(guide: ExamGuide) -> CalibrationSchedule:
    schedule, _ = CalibrationSchedule.objects.get_or_create(guide=guide)
    return schedule


def calibration_due(*, guide_id: int, now: datetime | None = None) -> bool:
    """Claim the guide's next debounced incremental calibration; True if the caller should queue it."""
    return claim_window(CalibrationSchedule, guide_id=guide_id, now=now or timezone.now(), window=DEBOUNCE)


def _record(guide, question_id, *, a, b, se_a, se_b, responses, rmsd_value, n_q, r_q, now) -> ItemCalibration:
    return ItemCalibration(
        guide=guide,
        question_id=question_id,
        a=float(a),
        b=float(b),
        se_a=float(se_a),
        se_b=float(se_b),
        responses=int(responses),
        rmsd=float(rmsd_value),
        calibrated=int(responses) >= irt.MIN_RESPONSES,
        node_counts={"n": [round(float(v), 6) for v in n_q], "r": [round(float(v), 6) for v in r_q]},
        updated_at=now,
        **irt.flags(responses=int(responses), a=float(a), rmsd_value=float(rmsd_value)),
    )


def calibration_full(*, guide: ExamGuide, now: datetime | None = None) -> Outcome:
    """Calibrate every question of the guide answered at least once, from scratch, replacing
    every calibration of the guide. Questions never answered keep the authored prior (no row)."""
    now = now or timezone.now()
    responses = selectors.first_responses(guide=guide, until=now)
    params = selectors.item_parameters(guide=guide)
    questions = sorted({q for _, q, _, _ in responses})
    index = {q: n for n, q in enumerate(questions)}
    users = {u: n for n, u in enumerate(sorted({u for u, _, _, _ in responses}))}
    records = []
    if responses:
        cal = irt.calibrate(
            [users[u] for u, _, _, _ in responses],
            [index[q] for _, q, _, _ in responses],
            [bool(c) for _, _, c, _ in responses],
            n_items=len(questions),
            prior_b=[params[q]["prior_b"] for q in questions],
        )
        records = [
            _record(
                guide,
                q,
                a=cal.a[n],
                b=cal.b[n],
                se_a=cal.se_a[n],
                se_b=cal.se_b[n],
                responses=cal.responses[n],
                rmsd_value=cal.rmsd[n],
                n_q=cal.n_q[n],
                r_q=cal.r_q[n],
                now=now,
            )
            for n, q in enumerate(questions)
        ]
    plan = _exposure_plan(guide, params, records)
    with transaction.atomic():
        ItemCalibration.objects.filter(guide=guide).delete()
        ItemCalibration.objects.bulk_create(records, batch_size=1000)
        CalibrationSchedule.objects.update_or_create(
            guide=guide,
            defaults={
                "counted_until": now,
                "last_full_at": now,
                "queued_until": None,
                "exposure_plan": plan.as_json() if plan else None,
            },
        )
    return Outcome("full", len(records), len(responses))


def _exposure_plan(guide: ExamGuide, params: dict[int, dict], records: list[ItemCalibration]):
    """The diagnostic's exposure plan (``exams.exposure``) for the pool the new calibrations make;
    None while that pool cannot give every diagnostic its questions under the cap. Incremental
    runs keep it: a question new to the pool has no price until the next full run."""
    fresh = {r.question_id: r for r in records}
    pool = selectors.diagnostic_pool(
        guide=guide,
        params={
            q: {**p, "a": fresh[q].a, "b": fresh[q].b, "usable": fresh[q].calibrated and not fresh[q].weak}
            for q, p in params.items()
            if q in fresh
        },
    )
    if not pool:
        return None
    return exposure.plan(
        [i.question_id for i in pool],
        [i.domain_id for i in pool],
        [i.a for i in pool],
        [i.b for i in pool],
        weights=selectors.domain_weights(guide=guide),
        length=adaptive.MAX_ITEMS,
        cap=adaptive.EXPOSURE_CAP,
    )


def calibration_incremental(*, guide: ExamGuide, now: datetime | None = None) -> Outcome:
    """Count the answers marked since the last run: for each candidate with new first answers,
    their posterior (from all their first answers, at the current parameters) is added to those
    questions' expected counts, which are re-estimated (``irt.update``). The first calibration
    of a guide is a full one."""
    now = now or timezone.now()
    schedule = _schedule(guide)
    if schedule.last_full_at is None:
        return calibration_full(guide=guide, now=now)
    since = schedule.counted_until
    users = selectors.users_answering_since(guide=guide, since=since, until=now)
    if len(users) < INCREMENTAL_BATCH:
        return Outcome("nothing", 0, 0)
    params = selectors.item_parameters(guide=guide)
    per_user: dict[int, list[tuple[int, bool, datetime]]] = defaultdict(list)
    for user, question, correct, at in selectors.first_responses_of(guide=guide, user_ids=users):
        if at <= now:
            per_user[user].append((question, bool(correct), at))
    state: dict[int, dict] = {}  # question -> current a, b, counts (this run's changes)
    counted = 0
    for user in users:
        answers = per_user.get(user, [])
        new = [since is None or at > since for _, _, at in answers]
        if not any(new):
            continue  # their new answers were not first answers: nothing new to learn
        for question, _, _ in answers:
            if question not in state:
                state[question] = _current(params[question])
        a = np.array([state[q]["a"] for q, _, _ in answers])
        b = np.array([state[q]["b"] for q, _, _ in answers])
        correct = [c for _, c, _ in answers]
        fresh = [q for (q, _, _), is_new in zip(answers, new, strict=True) if is_new]
        rows = [state[q] for q in fresh]
        out = irt.update(
            np.array([r["a"] for r in rows]),
            np.array([r["b"] for r in rows]),
            np.array([r["n"] for r in rows]),
            np.array([r["r"] for r in rows]),
            np.array([params[q]["prior_b"] for q in fresh]),
            a,
            b,
            correct,
            new,
        )
        for n, row in enumerate(rows):
            row.update(a=out[0][n], b=out[1][n], se_a=out[2][n], se_b=out[3][n], n=out[4][n], r=out[5][n])
            row["responses"] += 1
            row["changed"] = True
        counted += len(fresh)
    records = []
    for question, row in state.items():
        if row.get("changed"):
            rmsd_value = irt.rmsd(
                row["n"][None, :], row["r"][None, :], np.array([row["a"]]), np.array([row["b"]])
            )
            records.append(
                _record(
                    guide,
                    question,
                    a=row["a"],
                    b=row["b"],
                    se_a=row["se_a"],
                    se_b=row["se_b"],
                    responses=row["responses"],
                    rmsd_value=rmsd_value[0],
                    n_q=row["n"],
                    r_q=row["r"],
                    now=now,
                )
            )
    with transaction.atomic():
        ItemCalibration.objects.filter(question_id__in=[r.question_id for r in records]).delete()
        ItemCalibration.objects.bulk_create(records)
        CalibrationSchedule.objects.filter(pk=schedule.pk).update(
            counted_until=now, last_incremental_at=now, queued_until=None
        )
    return Outcome("incremental", len(records), counted)


def _current(param: dict) -> dict:
    """A question's parameters and expected counts as the incremental run starts from them."""
    cal = param["calibration"]
    zeros = np.zeros(len(irt.NODES))
    return {
        "a": param["a"],
        "b": param["b"],
        "se_a": cal.se_a if cal else irt.PRIOR_A_SD,
        "se_b": cal.se_b if cal else irt.PRIOR_B_SD,
        "n": np.array(cal.node_counts["n"]) if cal else zeros,
        "r": np.array(cal.node_counts["r"]) if cal else zeros.copy(),
        "responses": cal.responses if cal else 0,
    }


def calibrate(*, guide_id: int | None = None, full: bool = False) -> dict:
    """Calibrate one guide (or all): in full, or incrementally."""
    guides = ExamGuide.objects.filter(pk=guide_id) if guide_id else ExamGuide.objects.all()
    done = {}
    for guide in guides:
        outcome = calibration_full(guide=guide) if full else calibration_incremental(guide=guide)
        done[guide.code] = {"kind": outcome.kind, "items": outcome.items, "responses": outcome.responses}
    return done
