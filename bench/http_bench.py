"""Throughput of the exam's hot paths as a ratio to Django's own floor, measured in the same run.

    python bench/http_bench.py            (make bench runs it; needs wrk and PostgreSQL)

One gunicorn sync worker pinned to CPU 0 (config.settings.bench: DEBUG off, persistent
connections, the production middleware, database sessions), wrk pinned to CPU 1 with one thread
and BENCH_CONNECTIONS connections. Each round runs, back to back, BENCH_SECONDS each of:

  floor-read    GET  /bench/floor/<id>/read/    login, session, user, one-row SELECT
  question      GET  /attempts/<id>/q/<n>/      the exam question page, moving through 65 questions
  floor-update  POST /bench/floor/<id>/update/  login, session, user, CSRF, one-row UPDATE in a transaction
  save          POST /attempts/<id>/save/       autosave: every request a real write (bench/wrk/save.lua)

and reports each target's requests per second divided by its floor's in the same round; the
summary gives the minimum and median of those ratios over BENCH_ROUNDS rounds.
Goals (docs/performance.md): question >= 0.5 of floor-read, save >= 0.8 of floor-update.
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
LUA = common.ROOT / "bench" / "wrk"
GOALS = {"question": ("floor-read", 0.5), "save": ("floor-update", 0.8)}


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
    out = subprocess.run(
        [*pin, "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s",
         "-s", str(LUA / script), server.base],
        env=env, capture_output=True, text=True, timeout=seconds + 30, check=True,
    ).stdout  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian: apt-get install wrk)")
    url = common.setup()
    from django.db import connection

    blueprint, users, attempts = prepare()
    reader, updater, saver = users
    read_cookies = common.logged_in_cookies(reader)
    update_cookies = common.logged_in_cookies(updater)
    save_cookies = common.logged_in_cookies(saver)
    connection.close()  # the server gets the database to itself during the runs

    scenarios = {
        "floor-read": ("get.lua", f"/bench/floor/{attempts[0].pk}/read/", read_cookies, 1),
        "question": ("get.lua", f"/attempts/{attempts[0].pk}/q/{{n}}/", read_cookies, 65),
        "floor-update": ("floor_update.lua", f"/bench/floor/{attempts[1].pk}/update/", update_cookies, 1),
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

    print(f"\n{ROUNDS} rounds of {SECONDS} s, wrk -t1 -c{CONNECTIONS}, one sync worker on CPU 0")
    for name in ("floor-read", "question", "floor-update", "save"):
        rates = [r[name]["rps"] for r in rounds]
        print(
            f"  {name:13} median {statistics.median(rates):7.0f} req/s   min {min(rates):7.0f}   max {max(rates):7.0f}"
        )
    summary = {}
    for target, (floor, goal) in GOALS.items():
        ratios = [r[target]["rps"] / r[floor]["rps"] for r in rounds]
        ok = min(ratios) >= goal
        summary[target] = {
            "floor": floor,
            "min": min(ratios),
            "median": statistics.median(ratios),
            "goal": goal,
        }
        print(
            f"  {target} / {floor}: min {min(ratios):.2f}, median {statistics.median(ratios):.2f} "
            f"(goal >= {goal}: {'met' if ok else 'NOT met'})"
        )
    errors = sum(v["non2xx"] + v["connect"] + v["read"] + v["timeout"] for r in rounds for v in r.values())
    print(f"  non-2xx responses and socket errors over all runs: {errors}")
    (common.out_dir() / "http_bench.json").write_text(
        json.dumps({"rounds": rounds, "summary": summary}, indent=1)
    )


if __name__ == "__main__":
    main()
