"""Scale out, not only up: two web servers and two Celery workers on one PostgreSQL and one Redis.

    REDIS_URL=redis://127.0.0.1:6379/N PERF_DATABASE_URL=postgres://…/mockexam_x make scaleout

Starts, against one database and one Redis database:
  - 2 gunicorn instances on two ports (gunicorn.conf.py; SCALE_WEB_PROCESSES processes of
    4 threads each, 2 unless set), production settings over plain HTTP (config.settings.bench),
    tasks through the broker (REDIS_URL), not inline;
  - 2 Celery workers (prefork, SCALE_WORKER_CONCURRENCY processes each, 2 unless set) and one
    beat, which runs the sweeper as in production;
and spreads SCALE_USERS (200) candidates, spawned at SCALE_SPAWN_RATE (1) a second, over both
web servers (candidate n goes to server n mod 2, bench/locustfile.py), each making one shortened
journey: log in, start the mock, answer SCALE_QUESTIONS (5) questions with 1-4 s think time,
submit, read the result.

Checks: 0 failed requests; both servers and both workers did work; every submitted attempt
analysed, and exactly once. The analysis is idempotent, so a second run would leave the
database as it was; what counts the runs is the line each finished analysis logs
(config/celery.py::log_analysis), read from both workers' logs. The run waits one more sweep
interval after the last analysis, so a duplicate sent by the sweeper would be seen. Also
recorded: the peak number of PostgreSQL connections of the database (the connection budget).

Figures and the method: docs/operations.md#scaling-out. Results in bench/out/scale_out.json.
"""

import collections
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

USERS = int(os.environ.get("SCALE_USERS", "200"))
SPAWN_RATE = float(os.environ.get("SCALE_SPAWN_RATE", "1"))
# Think time stays under gunicorn's keep-alive (5 s, gunicorn.conf.py): a request sent on a
# pooled connection just as the server closes it for idleness fails without an answer (status 0).
THINK = (os.environ.get("SCALE_THINK_MIN", "1"), os.environ.get("SCALE_THINK_MAX", "4"))
QUESTIONS = os.environ.get("SCALE_QUESTIONS", "5")
WEB_PROCESSES = os.environ.get("SCALE_WEB_PROCESSES", "2")
WORKER_CONCURRENCY = os.environ.get("SCALE_WORKER_CONCURRENCY", "2")
PREFIX = "scale-cand"
SWEEP_SECONDS = 60  # the beat schedule of sweep_pending_analytics (config/settings/base.py)
ANALYSED = re.compile(r"analysed attempt=(\d+) task=\S+ worker=(\S+)")


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url.startswith("redis://") or urlparse(url).path in ("", "/", "/0"):
        sys.exit("scale_out needs REDIS_URL naming a Redis database of its own (not /0)")
    return url


def clear_queues(url: str) -> None:
    """Messages left in this Redis database by an earlier run would be analysed again here."""
    import redis

    redis.Redis.from_url(url).delete("celery", "unacked", "unacked_index")


def start(name: str, args: list[str], env: dict) -> subprocess.Popen:
    with open(common.out_dir() / f"scale_{name}.log", "w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=common.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


class ConnectionWatch(threading.Thread):
    """The peak number of server processes connected to our database, sampled twice a second."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.peak, self.done = url, 0, threading.Event()

    def run(self) -> None:
        import psycopg2

        parsed = urlparse(self.url)
        conn = psycopg2.connect(
            host=parsed.hostname, port=parsed.port or 5432, user=parsed.username, dbname="postgres"
        )
        conn.autocommit = True
        with conn.cursor() as cursor:
            while not self.done.wait(0.5):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [parsed.path.lstrip("/")],
                )
                self.peak = max(self.peak, cursor.fetchone()[0])
        conn.close()


def analyses() -> tuple[collections.Counter, collections.Counter]:
    per_attempt, per_worker = collections.Counter(), collections.Counter()
    for name in ("worker1", "worker2"):
        for attempt, worker in ANALYSED.findall((common.out_dir() / f"scale_{name}.log").read_text()):
            per_attempt[int(attempt)] += 1
            per_worker[worker] += 1
    return per_attempt, per_worker


def requests_served(log: str) -> int:
    return sum(
        1 for line in (common.out_dir() / log).read_text().splitlines() if '" ' in line and "HTTP/1" in line
    )


def main() -> None:
    broker = redis_url()
    url = common.setup()  # migrates, loads the bank; drops REDIS_URL from this process (tasks inline here)
    common.seed_candidates(PREFIX, USERS)
    from django.db import connection

    from exams.models import Attempt, ExamBlueprint

    attempts = Attempt.objects.filter(user__username__startswith=PREFIX + "-")
    attempts.delete()
    blueprint = ExamBlueprint.objects.get(guide__code="MLS-C01", slug="full").pk
    connection.close()
    clear_queues(broker)

    env = {
        **common.server_env(url),
        "REDIS_URL": broker,
        "WEB_CONCURRENCY": WEB_PROCESSES,
        "GUNICORN_THREADS": "4",
    }
    celery = [
        start(
            "worker1",
            ["worker", f"--concurrency={WORKER_CONCURRENCY}", "-n", "scale1@%h", "--loglevel=INFO"],
            env,
        ),
        start(
            "worker2",
            ["worker", f"--concurrency={WORKER_CONCURRENCY}", "-n", "scale2@%h", "--loglevel=INFO"],
            env,
        ),
        start(
            "beat",
            ["beat", "--loglevel=INFO", "--schedule", str(common.out_dir() / "scale-beat-schedule")],
            env,
        ),
    ]
    conf = ["--config", str(common.ROOT / "gunicorn.conf.py")]
    webs = [
        common.Gunicorn(url, [*conf, "--access-logfile", "-"], log=f"scale_web{n}.log", env=env)
        for n in (1, 2)
    ]
    watch = ConnectionWatch(url)
    watch.start()
    prefix = common.out_dir() / "scale"
    started = time.monotonic()
    try:
        locust_env = dict(
            os.environ,
            LOCUST_BLUEPRINT=str(blueprint),
            LOCUST_PASSWORD=common.PASSWORD,
            LOCUST_PREFIX=PREFIX,
            LOCUST_HOSTS=",".join(web.base for web in webs),
            LOCUST_QUESTIONS=QUESTIONS,
            LOCUST_THINK_MIN=THINK[0],
            LOCUST_THINK_MAX=THINK[1],
        )
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(common.ROOT / "bench" / "locustfile.py"),
             "--headless", "-u", str(USERS), "-r", str(SPAWN_RATE), "--run-time", "15m", "--stop-timeout", "30",
             "--host", webs[0].base, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            env=locust_env, cwd=common.ROOT, timeout=20 * 60, check=False,
        )  # fmt: skip
        load_seconds = time.monotonic() - started
        submitted = set(attempts.filter(state=Attempt.State.SUBMITTED).values_list("pk", flat=True))
        deadline = time.monotonic() + 300
        while attempts.filter(state=Attempt.State.SUBMITTED, analysed_at__isnull=True).exists():
            if time.monotonic() > deadline:
                break
            time.sleep(1)
        drained = time.monotonic() - started - load_seconds
        connection.close()
        time.sleep(SWEEP_SECONDS + 10)  # one more sweep: a duplicate it sent would be counted
        unanalysed = attempts.filter(state=Attempt.State.SUBMITTED, analysed_at__isnull=True).count()
        connection.close()
    finally:
        watch.done.set()
        for web in webs:
            web.stop()
        for proc in celery:
            stop(proc)

    per_attempt, per_worker = analyses()
    with open(f"{prefix}_stats.csv") as handle:
        import csv

        stats = {row["Name"]: row for row in csv.DictReader(handle)}
    total = stats["Aggregated"]
    served = {f"web{n}": requests_served(f"scale_web{n}.log") for n in (1, 2)}
    twice = {a: n for a, n in per_attempt.items() if n > 1}
    result = {
        "users": USERS,
        "spawn_rate": SPAWN_RATE,
        "web": {
            "instances": 2,
            "processes_each": int(WEB_PROCESSES),
            "threads_each": 4,
            "requests_served": served,
        },
        "celery": {
            "workers": 2,
            "concurrency_each": int(WORKER_CONCURRENCY),
            "analyses_per_worker": per_worker,
        },
        "load_seconds": round(load_seconds),
        "drain_seconds_after_load": round(drained, 1),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p95_ms": {name: row["95%"] for name, row in stats.items()},
        "attempts_submitted": len(submitted),
        "attempts_unanalysed": unanalysed,
        "analysed_exactly_once": len(submitted) > 0 and set(per_attempt) == submitted and not twice,
        "analysed_more_than_once": twice,
        "analyses_of_other_attempts": sorted(set(per_attempt) - submitted),
        "peak_db_connections": watch.peak,
    }
    (common.out_dir() / "scale_out.json").write_text(json.dumps(result, indent=1, default=str))
    print(json.dumps(result, indent=1, default=str))
    ok = (
        result["failures"] == 0
        and result["analysed_exactly_once"]
        and unanalysed == 0
        and all(served.values())
        and len(per_worker) == 2
    )
    print("\nscale-out:", "PASSED" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
