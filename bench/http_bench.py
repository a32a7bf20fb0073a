"""Throughput of the exam's hot paths as a ratio to Django's own floor, measured in the same run.

    python bench/http_bench.py            (make bench runs it; needs wrk and PostgreSQL)

One gunicorn sync worker pinned to CPU 0 (config.settings.bench: DEBUG off, persistent
connections, the production middleware, database sessions), wrk pinned to CPU 1 with one thread
and BENCH_CONNECTIONS connections. Each round runs, back to back, BENCH_SECONDS each of:

  floor-bare    GET  /bench/floor/bare/         no session, no user, no query: the true floor
  floor-login   GET  /bench/floor/login/        login_required and nothing else (session and user)
  floor-read    GET  /bench/floor/<id>/read/    login, session, user, one-row SELECT
  question      GET  /attempts/<id>/q/<n>/      the exam question page, moving through 65 questions
  floor-update  POST /bench/floor/<id>/update/  login, session, user, CSRF, one-row UPDATE in a transaction
  save          POST /attempts/<id>/save/       autosave: every request a real write (bench/wrk/save.lua)
  review        GET  /attempts/<id>/review/     the review of a submitted 65-question mock

and reports each target's requests per second divided by its floor's in the same round; the
summary gives the minimum and median of those ratios over BENCH_ROUNDS rounds, and the worker's
CPU time per request beside them (the machine may be shared: CPU time still judges a run).
Goals (docs/performance.md): question >= 0.5 of floor-read and >= 0.3 of floor-bare, save >=
0.8 of floor-update and >= 0.35 of floor-bare; the review of 65 questions costs at most 2x the
question page per question shown (65 x review req/s >= question req/s / 2).

BENCH_BASELINE=1 runs the server with Django's own session store and ModelBackend (the code
before the session work), for a before/after on the same machine.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
BASELINE = os.environ.get("BENCH_BASELINE") == "1"
LUA = common.ROOT / "bench" / "wrk"
GOALS = {
    "question": ("floor-read", 0.5),
    "save": ("floor-update", 0.8),
    "question ": ("floor-bare", 0.3),
    "save ": ("floor-bare", 0.35),
    "floor-login": ("floor-bare", None),
    "floor-read": ("floor-bare", None),
}
ORDER = ("floor-bare", "floor-login", "floor-read", "question", "floor-update", "save", "review")


def prepare():
    """Three candidates: one reads (floors and question page), one for the update floor, one saves."""
    from django.utils import timezone

    from accounts.models import User
    from exams.models import Attempt, ExamBlueprint
    from exams.services.attempts import attempt_start

    blueprint = ExamBlueprint.objects.get(guide__code="MLS-C01", slug="full")
    common.seed_candidates("perf-http", 3)
    users = list(User.objects.filter(username__startswith="perf-http-").order_by("username"))
    Attempt.objects.filter(user__in=users).delete()
    attempts = []
    for user in users:
        attempt = attempt_start(user=user, blueprint=blueprint, seed=7)
        # Far from its deadline, so that no save is refused for time during the run.
        Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(days=30))
        attempts.append(attempt)
    return blueprint, users, attempts


def fresh_save_attempt(user, blueprint):
    from django.utils import timezone

    from exams.models import Attempt
    from exams.services.attempts import attempt_start

    Attempt.objects.filter(user=user).delete()
    attempt = attempt_start(user=user, blueprint=blueprint, seed=11)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(days=30))
    return attempt


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes so far (the gunicorn worker)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def wrk(server, script: str, path: str, cookies: tuple[str, str], seconds: int, positions: int = 1) -> dict:
    env = dict(
        os.environ,
        BENCH_SESSION=cookies[0],
        BENCH_CSRF=cookies[1],
        BENCH_PATH=path,
        BENCH_POSITIONS=str(positions),
        BENCH_LUA_DIR=str(LUA),
    )
    pin = ["taskset", "-c", "1"] if shutil.which("taskset") else []
    workers = server.worker_pids()
    cpu = cpu_seconds(workers)
    out = subprocess.run(
        [*pin, "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s",
         "-s", str(LUA / script), server.base],
        env=env, capture_output=True, text=True, timeout=seconds + 30, check=True,
    ).stdout  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["cpu_ms"] = 1000 * (cpu_seconds(workers) - cpu) / max(result["requests"], 1)
    return result


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian: apt-get install wrk)")
    url = common.setup()
    from django.db import connection

    from bench.profile_view import submitted_attempt

    blueprint, users, attempts = prepare()
    reader, updater, saver = users
    reviewer, reviewed = submitted_attempt(blueprint)
    read_cookies = common.logged_in_cookies(reader)
    update_cookies = common.logged_in_cookies(updater)
    save_cookies = common.logged_in_cookies(saver)
    review_cookies = common.logged_in_cookies(reviewer)
    connection.close()  # the server gets the database to itself during the runs

    scenarios = {
        "floor-bare": ("get.lua", "/bench/floor/bare/", read_cookies, 1),
        "floor-login": ("get.lua", "/bench/floor/login/", read_cookies, 1),
        "floor-read": ("get.lua", f"/bench/floor/{attempts[0].pk}/read/", read_cookies, 1),
        "question": ("get.lua", f"/attempts/{attempts[0].pk}/q/{{n}}/", read_cookies, 65),
        "floor-update": ("floor_update.lua", f"/bench/floor/{attempts[1].pk}/update/", update_cookies, 1),
        "review": ("get.lua", f"/attempts/{reviewed.pk}/review/", review_cookies, 1),
    }
    server = common.Gunicorn(
        url,
        [
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--threads",
            "1",
            "--max-requests",
            "0",
            "--timeout",
            "30",
        ],
        cpus="0",
        log="http_bench.log",
        env={"BENCH_BASELINE": "1"} if BASELINE else None,
    )
    rounds = []
    try:
        for script, path, cookies, positions in scenarios.values():  # warm up every path
            wrk(server, script, path, cookies, 2, positions)
        attempt = fresh_save_attempt(saver, blueprint)
        connection.close()
        wrk(server, "save.lua", f"/attempts/{attempt.pk}/save/", save_cookies, 2, 65)
        for n in range(1, ROUNDS + 1):
            figures = {}
            for name, (script, path, cookies, positions) in scenarios.items():
                figures[name] = wrk(server, script, path, cookies, SECONDS, positions)
            attempt = fresh_save_attempt(saver, blueprint)
            connection.close()
            figures["save"] = wrk(
                server, "save.lua", f"/attempts/{attempt.pk}/save/", save_cookies, SECONDS, 65
            )
            rounds.append(figures)
            print(
                f"round {n}: "
                + "  ".join(f"{k} {v['rps']:.0f}/s (p95 {v['p95_us'] / 1000:.1f} ms)" for k, v in figures.items())
                + "  non-2xx: " + str(sum(v["non2xx"] for v in figures.values())),
                flush=True,
            )  # fmt: skip
    finally:
        server.stop()

    print(f"\n{ROUNDS} rounds of {SECONDS} s, wrk -t1 -c{CONNECTIONS}, one sync worker on CPU 0"
          f"{' (BASELINE: Django session store and ModelBackend)' if BASELINE else ''}")  # fmt: skip
    for name in ORDER:
        rates = [r[name]["rps"] for r in rounds]
        cpu = statistics.median(r[name]["cpu_ms"] for r in rounds)
        print(
            f"  {name:13} median {statistics.median(rates):7.0f} req/s   min {min(rates):7.0f}   "
            f"max {max(rates):7.0f}   worker CPU {cpu:.2f} ms/request"
        )
    summary = {}
    for target, (floor, goal) in GOALS.items():
        name = target.strip()
        ratios = [r[name]["rps"] / r[floor]["rps"] for r in rounds]
        summary[f"{name}/{floor}"] = {"min": min(ratios), "median": statistics.median(ratios), "goal": goal}
        verdict = "" if goal is None else f" (goal >= {goal}: {'met' if min(ratios) >= goal else 'NOT met'})"
        print(f"  {name} / {floor}: min {min(ratios):.2f}, median {statistics.median(ratios):.2f}{verdict}")
    per_question = [65 * r["review"]["rps"] / r["question"]["rps"] for r in rounds]
    summary["review per question / question"] = {
        "min": min(per_question),
        "median": statistics.median(per_question),
    }
    print(
        f"  review, per question shown / question page: min {min(per_question):.2f}, median "
        f"{statistics.median(per_question):.2f} (goal >= 0.5, i.e. within 2x: "
        f"{'met' if min(per_question) >= 0.5 else 'NOT met'})"
    )
    errors = sum(v["non2xx"] + v["connect"] + v["read"] + v["timeout"] for r in rounds for v in r.values())
    print(f"  non-2xx responses and socket errors over all runs: {errors}")
    (common.out_dir() / f"http_bench{'_baseline' if BASELINE else ''}.json").write_text(
        json.dumps({"rounds": rounds, "summary": summary}, indent=1)
    )


if __name__ == "__main__":
    main()
