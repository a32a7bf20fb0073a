"""The locust load test, headless with CSV output, against gunicorn with gunicorn.conf.py.

    python bench/load_test.py [journey|burst ...]      (make loadtest; both when none is named)

journey  LOAD_USERS (1,000) candidates, spawned at LOAD_SPAWN_RATE (2) a second, each one full
         but shortened session (bench/locustfile.py: 5 questions) with 10–30 s think time; the
         run ends when the last candidate has seen their result, or at LOAD_RUN_TIME (15m).
         Goals: 0 failures, autosave p95 within 50 ms.
burst    BURST_USERS (300) candidates log in while they are spawned (BURST_SPAWN_RATE, 2 a
         second), then all start the mock within the same 10 seconds. Goals: 0 failures, start
         p95 within 1 s.

The spawn rates are bounded by the login: the production password hasher (PBKDF2, 1,000,000
iterations) costs ~0.4 s of CPU per login, so 3 logins a second already take 1.1 of 2 cores.

Before each run the candidates' attempts are deleted, so every start assembles a new exam.
Celery tasks run inline (no REDIS_URL): the submit includes the per-attempt analysis. The peak
resident memory (VmHWM) of each web worker is read when the run ends.
"""

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

USERS = int(os.environ.get("LOAD_USERS", "1000"))
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "2"))
RUN_TIME = os.environ.get("LOAD_RUN_TIME", "15m")
BURST_USERS = int(os.environ.get("BURST_USERS", "300"))
BURST_SPAWN_RATE = float(os.environ.get("BURST_SPAWN_RATE", "2"))
GOALS = {"journey": ("save", 50), "burst": ("start", 1000)}


def reset(prefix: str) -> int:
    from exams.models import Attempt, ExamBlueprint

    Attempt.objects.filter(user__username__startswith=prefix + "-").delete()
    return ExamBlueprint.objects.get(guide__code="MLS-C01", slug="full").pk


def number(value: str) -> float:
    return float("nan") if value in ("", "N/A") else float(value)


def read_stats(prefix: Path) -> dict:
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = row
    return rows


def run(name: str, url: str, blueprint: int) -> dict:
    from django.db import connection

    connection.close()
    out = common.out_dir()
    users = USERS if name == "journey" else BURST_USERS
    rate = SPAWN_RATE if name == "journey" else BURST_SPAWN_RATE
    env = dict(
        os.environ,
        LOCUST_BLUEPRINT=str(blueprint),
        LOCUST_PASSWORD=common.PASSWORD,
        LOCUST_PREFIX="perf-cand",
    )
    if name == "burst":
        # Everyone logs in while spawning; the start window opens a little after the last login.
        env["LOCUST_START_AT"] = str(time.time() + users / rate + 15)
    server = common.Gunicorn(url, ["--config", str(common.ROOT / "gunicorn.conf.py")], log=f"load_{name}.log")
    prefix = out / f"load_{name}"
    try:
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(common.ROOT / "bench" / "locustfile.py"),
             "--headless", "-u", str(users), "-r", str(rate), "--run-time", RUN_TIME, "--stop-timeout", "30",
             "--host", server.base, "--csv", str(prefix), "--csv-full-history", "--only-summary", "--loglevel", "WARNING"],
            env=env, cwd=common.ROOT, timeout=20 * 60, check=False,
        )  # fmt: skip
        elapsed = time.monotonic() - started
        memory = {pid: common.memory_kib(pid) for pid in server.worker_pids()}
    finally:
        server.stop()
    stats = read_stats(prefix)
    total = stats["Aggregated"]
    key, limit = GOALS[name]
    p95 = number(stats[key]["95%"]) if key in stats else float("nan")
    result = {
        "run": name,
        "users": users,
        "spawn_rate": rate,
        "elapsed_s": round(elapsed),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": number(total["Requests/s"]),
        "per_request": {
            n: {
                "count": int(r["Request Count"]),
                "failures": int(r["Failure Count"]),
                "median_ms": number(r["50%"]),
                "p95_ms": number(r["95%"]),
                "p99_ms": number(r["99%"]),
                "max_ms": number(r["Max Response Time"]),
            }
            for n, r in stats.items()
        },
        "goal": {
            "request": key,
            "p95_ms": p95,
            "limit_ms": limit,
            "met": p95 <= limit and not int(total["Failure Count"]),
        },
        "workers_kib": memory,
    }
    print(f"\n{name}: {users} candidates at {rate}/s, {result['requests']} requests in {elapsed:.0f} s, "
          f"{result['failures']} failures")  # fmt: skip
    for n, r in result["per_request"].items():
        print(f"  {n:12} n={r['count']:6}  median {r['median_ms']:6.0f} ms  p95 {r['p95_ms']:6.0f} ms  "
              f"p99 {r['p99_ms']:6.0f} ms  max {r['max_ms']:6.0f} ms  failures {r['failures']}")  # fmt: skip
    for pid, m in memory.items():
        print(
            f"  worker {pid}: peak RSS (VmHWM) {m['VmHWM'] / 1024:.0f} MiB, now {m['VmRSS'] / 1024:.0f} MiB"
        )
    print(f"  goal: 0 failures and {key} p95 <= {limit} ms: {'met' if result['goal']['met'] else 'NOT met'}")
    (out / f"load_{name}.json").write_text(json.dumps(result, indent=1))
    return result


def main() -> None:
    names = sys.argv[1:] or ["journey", "burst"]
    url = common.setup()
    common.seed_candidates("perf-cand", max(USERS, BURST_USERS))
    for name in names:
        blueprint = reset("perf-cand")
        run(name, url, blueprint)


if __name__ == "__main__":
    main()
