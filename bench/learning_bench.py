"""The learning engine's proof (issue 22), on simulated candidates; figures in docs/analytics.md.

    python bench/learning_bench.py                  # recovery, girth, the adaptive diagnostic, speed
    python bench/learning_bench.py --speed          # speed only
    GIRTH_PYTHON=/path/to/venv/bin/python ...       # also run girth 0.8.0 (a venv of its own)
    DATABASE_URL=postgres://... python bench/learning_bench.py --service   # the Celery task's service on a DB

1. Calibration recovers known parameters: 2,000 simulated candidates each sit a 65-question form
   drawn by the guide's weights from a bank of the MLS-C01 bank's shape (its questions per domain,
   its authored difficulties as the prior; the true b departs from the authored level by N(0, 0.7)).
2. The adaptive diagnostic against a 65-question fixed mock, on 2,000 other simulated candidates:
   RMSE of ability against the truth (the mock scored by EAP, and by its percentage mapped to
   ability through the same expected-score curve), pass/fail classification, length, exposure;
   each variant of the diagnostic (``VARIANTS``) sat by the same candidates, and the floor no
   selection rule can pass under the exposure cap (``exposure.Plan.floor``).
   The diagnostic uses the *estimated* parameters of step 1; answers come from the true ones.
3. Speed: a full calibration of 100,000 attempts x 65 answers (the estimation), and one
   incremental update for one attempt (the estimation; with --service, the whole service on a DB).
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exams import adaptive, exposure, irt  # noqa: E402 (after the path is set)

SEED = 22
WEIGHTS = {1: 20, 2: 24, 3: 36, 4: 20}  # MLS-C01's domains
QUOTA = {1: 13, 2: 16, 3: 23, 4: 13}  # 65 questions by those weights (largest remainder)


def mls_bank():
    """Per question of the bundled MLS-C01 bank: its domain and authored difficulty."""
    domains, labels = [], []
    for path in sorted((ROOT / "questions/bank/mls-c01").glob("[0-9]*.yaml")):
        data = yaml.safe_load(path.read_text())
        questions = data["questions"] if isinstance(data, dict) else data
        for q in questions:
            domains.append(int(path.name.split(".")[0]))
            labels.append(q.get("difficulty", "medium"))
    return np.array(domains), np.array([irt.PRIOR_B[label] for label in labels])


def true_bank(rng, prior_b):
    return rng.lognormal(0.0, 0.3, len(prior_b)), prior_b + rng.normal(0.0, 0.7, len(prior_b))


def fixed_form(rng, domains):
    return np.concatenate(
        [rng.choice(np.flatnonzero(domains == d), q, replace=False) for d, q in QUOTA.items()]
    )


def simulate_mocks(rng, domains, a, b, n):
    theta = rng.normal(0, 1, n)
    persons, items = [], []
    for p in range(n):
        form = fixed_form(rng, domains)
        items.append(form)
        persons.append(np.full(len(form), p))
    persons, items = np.concatenate(persons), np.concatenate(items)
    correct = rng.random(len(items)) < irt.probability(theta[persons], a[items], b[items])
    return theta, persons, items, correct


def corr(x, y):
    return float(np.corrcoef(x, y)[0, 1])


GIRTH_RUNNER = """
import sys, time, json, numpy as np, girth
data = np.load(sys.argv[1])
started = time.perf_counter()
result = girth.twopl_mml(data["matrix"])
print(json.dumps({"seconds": time.perf_counter() - started,
                  "a": np.asarray(result["Discrimination"]).tolist(), "b": np.asarray(result["Difficulty"]).tolist()}))
"""


def run_girth(persons, items, correct, n_items):
    python = os.environ.get("GIRTH_PYTHON")
    if not python:
        return None
    matrix = np.full((n_items, persons.max() + 1), -99999, dtype=int)  # girth's INVALID_RESPONSE
    matrix[items, persons] = correct.astype(int)
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(Path(tmp) / "data.npz", matrix=matrix)
        (Path(tmp) / "run.py").write_text(GIRTH_RUNNER)
        out = subprocess.run(
            [python, str(Path(tmp) / "run.py"), str(Path(tmp) / "data.npz")],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def recovery(rng, domains, prior_b):
    a, b = true_bank(rng, prior_b)
    _, persons, items, correct = simulate_mocks(rng, domains, a, b, 2000)
    started = time.perf_counter()
    cal = irt.calibrate(persons, items, correct, n_items=len(a), prior_b=prior_b)
    seconds = time.perf_counter() - started
    print("1. calibration recovery: 2,000 candidates x 65 of the MLS-C01 bank's", len(a), "questions")
    print(
        f"   ours (numpy EM, priors): r(b) = {corr(cal.b, b):.3f}, r(a) = {corr(cal.a, a):.3f}, "
        f"RMSE b {np.sqrt(np.mean((cal.b - b) ** 2)):.3f}, a {np.sqrt(np.mean((cal.a - a) ** 2)):.3f}, "
        f"{seconds:.2f} s, {cal.iterations} EM iterations"
    )
    inside = np.mean(np.abs(cal.b - b) < 1.96 * cal.se_b)
    print(
        f"   b within its 95% interval for {100 * inside:.0f}% of questions; flagged misfit: "
        f"{int(sum(irt.flags(responses=r, a=x, rmsd_value=m)['misfit'] for r, x, m in zip(cal.responses, cal.a, cal.rmsd, strict=True)))}"
    )
    girth = run_girth(persons, items, correct, len(a))
    if girth:
        gb, ga = np.array(girth["b"]), np.array(girth["a"])
        ok = np.isfinite(gb) & np.isfinite(ga)
        print(
            f"   girth 0.8.0 twopl_mml: r(b) = {corr(gb[ok], b[ok]):.3f}, r(a) = {corr(ga[ok], a[ok]):.3f}, "
            f"RMSE b {np.sqrt(np.mean((gb[ok] - b[ok]) ** 2)):.3f}, {girth['seconds']:.2f} s "
            f"({int((~ok).sum())} questions without an estimate)"
        )
    else:
        print("   girth: set GIRTH_PYTHON to a venv with girth==0.8.0 to compare")
    return a, b, cal


def scale_of(a, b, domains, prior=False):
    reference = tuple((WEIGHTS[d], tuple(a[domains == d]), tuple(b[domains == d])) for d in WEIGHTS)
    return adaptive.Scale(
        reference, score_min=100, score_max=1000, passing=750, cut_percent=72, exam_questions=65
    )


def percent_to_theta(scale, share):
    low, high = -6.0, 6.0
    for _ in range(40):
        mid = (low + high) / 2
        if scale.expected_share(mid) < share:
            low = mid
        else:
            high = mid
    return (low + high) / 2


# The diagnostic's variants, each sat by the same simulated candidates: (label, SE target, cap,
# with the exposure plan). The first is what ships; the others say what each rule costs or buys.
VARIANTS = (
    (
        "as shipped: the exposure plan, cap 25%, stop when precise",
        adaptive.SE_TARGET,
        adaptive.EXPOSURE_CAP,
        True,
    ),
    ("the plan, always 30", 0.0, adaptive.EXPOSURE_CAP, True),
    ("the cap alone (no plan), always 30", 0.0, adaptive.EXPOSURE_CAP, False),
    ("no cap, always 30", 0.0, 1.0, False),
)


def sit_diagnostics(rng, pool, theta, a, b, *, se_target, cap, plan):
    """Each candidate (``theta``) sits the diagnostic in turn; answers come from the true
    parameters. Returns the estimates, the lengths and how often each question was shown."""
    shown: Counter = Counter()
    pick = random.Random(SEED)
    estimates, lengths = [], []
    for p, truth in enumerate(theta):
        answers = []
        while True:
            _, se = adaptive.ability(answers)
            if adaptive.should_stop(len(answers), se, se_target=se_target):
                break
            item = adaptive.choose_next(
                pool,
                answers,
                weights=WEIGHTS,
                shown=shown,
                started=p + 1,
                enemies={},
                rng=pick,
                cap=cap,
                plan=plan,
            )
            if item is None:
                break
            shown[item.question_id] += 1
            j = item.question_id
            answers.append(adaptive.Answer(item, bool(rng.random() < irt.probability(truth, a[j], b[j]))))
        estimates.append(adaptive.ability(answers)[0])
        lengths.append(len(answers))
    return np.array(estimates), lengths, shown


def diagnostic_vs_mock(rng, domains, a, b, cal, *, n=2000, variants=VARIANTS):
    """RMSE, classification, length and exposure of the diagnostic's ``variants`` and of a fixed
    mock, all sat by the same ``n`` simulated candidates; and the floor no rule can pass under
    the cap (the plan's bound, computed with the true parameters and each ability known)."""
    est_a, est_b = cal.a, cal.b
    pool = [adaptive.Item(j, int(domains[j]), float(est_a[j]), float(est_b[j])) for j in range(len(a))]
    true_scale, est_scale = scale_of(a, b, domains), scale_of(est_a, est_b, domains)
    true_cut, est_cut = true_scale.cut_theta(), est_scale.cut_theta()
    theta = rng.normal(0, 1, n)

    def rmse(e):
        return float(np.sqrt(np.mean(np.square(e))))

    def right(estimates, cut):
        return 100 * float(np.mean((np.asarray(estimates) >= cut) == (theta >= true_cut)))

    mock, pct = [], []
    for truth in theta:
        form = fixed_form(rng, domains)
        x = rng.random(len(form)) < irt.probability(truth, a[form], b[form])
        mock.append(irt.eap(est_a[form], est_b[form], x)[0])
        pct.append((x.mean(), percent_to_theta(est_scale, min(max(x.mean(), 0.01), 0.99))))
    print(
        f"2. the adaptive diagnostic (at most {adaptive.MAX_ITEMS}) against a 65-question fixed mock, the same {n:,} candidates"
    )
    print(
        f"   fixed mock, EAP-scored: RMSE {rmse(np.array(mock) - theta):.3f}, pass/fail right {right(mock, est_cut):.1f}%"
    )
    print(
        f"   fixed mock, percentage-scored (mapped to ability): RMSE {rmse(np.array([t for _, t in pct]) - theta):.3f}, "
        f"pass/fail right {100 * np.mean([(s >= 0.72) == (t >= true_cut) for (s, _), t in zip(pct, theta, strict=True)]):.1f}%"
    )
    ids, doms = list(range(len(a))), [int(d) for d in domains]
    for label, se_target, cap, planned in variants:
        started = time.perf_counter()
        plan = (
            exposure.plan(ids, doms, est_a, est_b, weights=WEIGHTS, length=adaptive.MAX_ITEMS, cap=cap)
            if planned
            else None
        )
        plan_seconds = time.perf_counter() - started
        estimates, lengths, shown = sit_diagnostics(
            rng, pool, theta, a, b, se_target=se_target, cap=cap, plan=plan
        )
        print(
            f"   {label}: RMSE {rmse(estimates - theta):.3f}, mean length {np.mean(lengths):.1f} (max {max(lengths)}), "
            f"pass/fail right {right(estimates, est_cut):.1f}%, most shown question {100 * max(shown.values()) / n:.1f}%"
            + (f" (plan {plan_seconds:.1f} s)" if planned else "")
        )
    floors = {
        cap: exposure.plan(ids, doms, a, b, weights=WEIGHTS, length=adaptive.MAX_ITEMS, cap=cap).floor
        for cap in (adaptive.EXPOSURE_CAP, 1.0)
    }
    truth_info = sum(
        q * irt.information(theta[:, None], a[domains == d][None, :], b[domains == d][None, :]).mean(axis=1)
        for d, q in QUOTA.items()
    )
    print(
        "   floors (true parameters, each ability known in advance, first order): "
        f"RMSE >= {floors[adaptive.EXPOSURE_CAP]:.3f} under the cap, >= {floors[1.0]:.3f} without; "
        f"the fixed mock on the same terms: {float(np.sqrt(np.mean(1 / (1 + truth_info)))):.3f}"
    )


def speed(rng, domains, prior_b):
    a, b = true_bank(rng, prior_b)
    _, persons, items, correct = simulate_mocks(rng, domains, a, b, 100_000)
    wall, cpu = time.perf_counter(), time.process_time()
    cal = irt.calibrate(persons, items, correct, n_items=len(a), prior_b=prior_b)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"3. full calibration, 100,000 attempts x 65 ({len(items):,} responses), from the prior: "
        f"{wall:.1f} s wall, {cpu:.1f} s CPU, {cal.iterations} EM iterations (load average {os.getloadavg()[0]:.1f})"
    )
    wall, cpu = time.perf_counter(), time.process_time()
    warm = irt.calibrate(persons, items, correct, n_items=len(a), prior_b=prior_b, a0=cal.a, b0=cal.b)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"   the nightly case, from the current calibration: {wall:.1f} s wall, {cpu:.1f} s CPU, "
        f"{warm.iterations} EM iterations"
    )
    timings = []
    for _ in range(50):
        form = fixed_form(rng, domains)
        x = rng.random(65) < 0.6
        started = time.perf_counter()
        irt.update(
            cal.a[form],
            cal.b[form],
            cal.n_q[form],
            cal.r_q[form],
            prior_b[form],
            cal.a[form],
            cal.b[form],
            x,
            np.ones(65, dtype=bool),
        )
        timings.append(time.perf_counter() - started)
    print(
        f"   incremental update for one attempt of 65 (the estimation): median {1000 * np.median(timings):.1f} ms"
    )


def _submitted_mock(user, blueprint, seed: int, questions: list, rng, at) -> None:
    """A submitted, analysed 65-question mock of ``user``: questions drawn at random, each
    marked right with probability 0.65."""
    from exams.models import Attempt, AttemptItem

    attempt = Attempt.objects.create(
        user=user,
        blueprint=blueprint,
        seed=seed,
        started_at=at,
        state="submitted",
        submitted_at=at,
        question_count=65,
        analysed_at=at,
    )
    chosen = rng.choice(len(questions), 65, replace=False)
    AttemptItem.objects.bulk_create(
        AttemptItem(
            attempt=attempt,
            position=k,
            question=questions[j],
            version=questions[j].current_version,
            sub_domain_id=questions[j].sub_domain_id,
            domain_id=questions[j].sub_domain.domain_id,
            choice_count=4,
            select_count=1,
            option_order=[0, 1, 2, 3],
            selected=[0],
            is_correct=bool(rng.random() < 0.65),
            checked_at=at,
        )
        for k, j in enumerate(chosen, start=1)
    )


def service():
    """The calibration service on a database: the full run over simulated answers, then one attempt."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from bench.common import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from exams.models import Attempt, ExamBlueprint
    from exams.services.calibration import calibration_full, calibration_incremental
    from questions.models import ExamGuide, Question

    call_command("migrate", verbosity=0)
    call_command("load_bank", verbosity=0)
    guide = ExamGuide.objects.get(code="MLS-C01")
    blueprint = ExamBlueprint.objects.get(guide=guide, slug="full")
    questions = list(
        Question.objects.filter(sub_domain__domain__guide=guide, status="published").select_related(
            "current_version", "sub_domain"
        )
    )
    candidates = int(os.environ.get("BENCH_CANDIDATES", "2000"))
    rng = np.random.default_rng(SEED)
    if Attempt.objects.filter(blueprint=blueprint).count() < candidates:
        print(f"   generating {candidates:,} attempts x 65 ...", flush=True)
        at = timezone.now()
        users = User.objects.bulk_create(
            User(username=f"learn-{n}-{time.time_ns()}", password="!") for n in range(candidates)
        )
        for n, user in enumerate(users):
            _submitted_mock(user, blueprint, n, questions, rng, at)
    started = time.perf_counter()
    outcome = calibration_full(guide=guide)
    print(
        f"   service, full: {outcome.responses:,} responses read and calibrated in {time.perf_counter() - started:.2f} s"
    )
    timings = []
    for n in range(5):
        user = User.objects.create(username=f"learn-live-{n}-{time.time_ns()}", password="!")
        _submitted_mock(user, blueprint, n, questions, rng, timezone.now())
        started = time.perf_counter()
        outcome = calibration_incremental(guide=guide)
        timings.append(time.perf_counter() - started)
    print(
        f"   service, incremental after one attempt: median {1000 * np.median(timings):.0f} ms "
        f"(max {1000 * max(timings):.0f} ms; {outcome.items} items updated)"
    )


def main() -> None:
    if "--service" in sys.argv:
        service()
        return
    rng = np.random.default_rng(SEED)
    domains, prior_b = mls_bank()
    if "--speed" in sys.argv:
        speed(rng, domains, prior_b)
        return
    a, b, cal = recovery(rng, domains, prior_b)
    diagnostic_vs_mock(rng, domains, a, b, cal)
    speed(rng, domains, prior_b)


if __name__ == "__main__":
    main()
