"""Exam assembly from banks of 1,000 and 10,000 published questions, on PostgreSQL.

    python bench/assembly_bench.py        (make bench runs it)

Generates (once, in the perf database) two MLS-shaped guides with 1,000 and 10,000 published
questions (tests.factories.build_guide, in bulk), gives the candidate a history of earlier mock
attempts on each (so "least seen first" has work to do), then times
``exams.services.assembly.assemble`` for a 65-question mock over BENCH_SEEDS seeds and counts its
queries. Goals: p95 within 50 ms on 10,000 questions; the same query count for both banks.

    ASSEMBLY_BEFORE=<git revision> python bench/assembly_bench.py

also times that revision's ``exams/services/assembly.py`` (read with ``git show``) in the same
run, seed by seed in turn with the current one, on the same banks and history, and prints both
side by side (docs/performance.md, "Assembly"). The database is analysed before the timings (the
planner's statistics, as autovacuum keeps them; this machine's PostgreSQL runs without it).

    BENCH_GC_FREEZE=1 python bench/assembly_bench.py

mirrors a production worker (config/warmup.py): after the set-up and the warm-up draws, the
objects made so far are frozen out of the garbage collector's generations (``gc.freeze``), so
that a full collection during a draw walks only what was made since. Without it (the default)
the figures include the full collections of a process that never froze.
"""

import gc
import importlib.util
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

SEEDS = int(os.environ.get("BENCH_SEEDS", "200"))
GC_FREEZE = os.environ.get("BENCH_GC_FREEZE") == "1"
HISTORY = 5
BANKS = {"PERF-1K": 1_000, "PERF-10K": 10_000}


def per_sub(total: int, subs: int = 15) -> list[int]:
    return [total // subs + (1 if i < total % subs else 0) for i in range(subs)]


def assembly_at(revision: str):
    """``exams/services/assembly.py`` as it was at ``revision``, as a module of the package."""
    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(
        ["git", "show", f"{revision}:exams/services/assembly.py"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    name = "exams.services._assembly_before"
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))
    module.__package__ = "exams.services"
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:exams/services/assembly.py", "exec"), module.__dict__)  # nosec B102
    return module


def timed(assemble, blueprint, user) -> dict:
    """Queries of one draw, then the times of SEEDS draws."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assemble(blueprint=blueprint, user=user, rng=random.Random(0))  # warm
    with CaptureQueriesContext(connection) as ctx:
        draws = assemble(blueprint=blueprint, user=user, rng=random.Random(1))
    assert len(draws) == 65, len(draws)
    return {"queries": len(ctx.captured_queries), "timings": []}


def bank(code: str, size: int):
    from questions.models import ExamGuide
    from tests.factories import build_guide

    guide = ExamGuide.objects.filter(code=code).first()
    if guide is None:
        print(f"generating a bank of {size:,} questions ({code}) ...", flush=True)
        started = time.perf_counter()
        guide = build_guide(code=code, per_sub=per_sub(size), seed=size)
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    return guide


def main() -> None:
    common.setup(load_bank=False)
    from django.db import connection

    from accounts.models import User
    from exams.models import Attempt
    from exams.services.assembly import assemble
    from exams.services.attempts import attempt_start, attempt_submit

    common.seed_candidates("perf-assembly", 1)
    user = User.objects.get(username="perf-assembly-0001")
    before = os.environ.get("ASSEMBLY_BEFORE")
    versions = {"after": assemble}
    if before:
        versions = {"before": assembly_at(before).assemble, "after": assemble}
    results = {}
    for code, size in BANKS.items():
        guide = bank(code, size)
        blueprint = guide.blueprints.get(slug="full")
        done = Attempt.objects.filter(user=user, blueprint=blueprint, state="submitted").count()
        for n in range(done, HISTORY):
            attempt = attempt_start(user=user, blueprint=blueprint, seed=1000 + n)
            attempt_submit(user=user, attempt_id=attempt.pk)
        with connection.cursor() as cursor:  # a maintained database (autovacuum) has statistics
            cursor.execute("ANALYZE")
        runs = {label: timed(fn, blueprint, user) for label, fn in versions.items()}
        if GC_FREEZE:
            gc.collect()
            gc.freeze()
        for seed in range(SEEDS):  # in turn, so that both see the same machine
            for label, fn in versions.items():
                started = time.perf_counter()
                fn(blueprint=blueprint, user=user, rng=random.Random(seed))
                runs[label]["timings"].append(1000 * (time.perf_counter() - started))
        for label, run in runs.items():
            timings = run["timings"]
            run.update(median=statistics.median(timings), p95=common.p95(timings), max=max(timings))
            print(
                f"{label:>6} {size:>6,} questions: median {run['median']:.1f} ms, p95 {run['p95']:.1f} ms, "
                f"max {run['max']:.1f} ms over {SEEDS} seeds; {run['queries']} queries",
                flush=True,
            )
        results[code] = runs["after"]
    if GC_FREEZE:
        print("  (gc.freeze() after the set-up, as a production worker)")
    big = results["PERF-10K"]
    same = results["PERF-1K"]["queries"] == big["queries"]
    print(
        f"  p95 on 10,000 questions: {big['p95']:.1f} ms (goal <= 50 ms: {'met' if big['p95'] <= 50 else 'NOT met'})"
    )
    print(f"  query count 1,000 vs 10,000: {results['PERF-1K']['queries']} vs {big['queries']} "
          f"(goal: equal: {'met' if same else 'NOT met'})")  # fmt: skip
    if os.environ.get("BENCH_EXPLAIN"):
        from exams.services.assembly import pool_query

        blueprint = Attempt.objects.filter(blueprint__guide__code="PERF-10K").first().blueprint
        with connection.cursor() as cursor:
            sql, params = pool_query(blueprint).query.sql_with_params()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
