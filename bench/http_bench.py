"""Throughput of the exam's hot paths as a ratio to Django's own floor, measured in the same run.

    python bench/http_bench.py            (make bench runs it; needs wrk and PostgreSQL)

One gunicorn sync worker pinned to CPU 0 (config.settings.bench: DEBUG off, persistent
connections, the production middleware, database sessions), wrk pinned to CPU 1 with one thread
and BENCH_CONNECTIONS connections. Each round runs, back to back, BENCH_SECONDS each of:

  floor-bare    GET  /bench/floor/bare/         no session, no user, no query: the true floor
  floor-session GET  /bench/floor/session/      the session read and nothing else
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

Before and after in one run: every round runs each of BENCH_VARIANTS (a server each, started
once, all pinned to CPU 0 and idle while another runs), one after the other:

  ours          the project as deployed (config.settings.bench)
  django        Django's own session store, middleware and ModelBackend (before the session work)
  nohealth      ours without CONN_HEALTH_CHECKS (what the check before each request costs)

BENCH_VARIANTS defaults to "ours,django".
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
# A server per variant: the environment it adds (config/settings/bench.py reads these), the
# authentication backend its sessions name (a session names the backend that signed it in; one
# the server does not list is a signed-out request, and every page a redirect to the login), and
# the session store (its table) the server reads them from.
OURS = ("accounts.backends.UserBackend", "accounts.sessions")
VARIANTS = {
    "ours": ({}, *OURS),
    "django": (
        {"BENCH_BASELINE": "1"},
        "django.contrib.auth.backends.ModelBackend",
        "django.contrib.sessions.backends.db",
    ),
    "nohealth": ({"BENCH_NO_HEALTH_CHECKS": "1"}, *OURS),
}
CHOSEN = os.environ.get("BENCH_VARIANTS", "ours,django").split(",")
LUA = common.ROOT / "bench" / "wrk"
GOALS = {
    "question": ("floor-read", 0.5),
    "save": ("floor-update", 0.8),
    "question ": ("floor-bare", 0.3),
    "save ": ("floor-bare", 0.35),
    "floor-login": ("floor-bare", None),
    "floor-read": ("floor-bare", None),
}
ORDER = (
    "floor-bare",
    "floor-session",
    "floor-login",
    "floor-read",
    "question",
    "floor-update",
    "save",
    "review",
)


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
    """User + system CPU time of processes so far (the gunicorn worker); one gone since counts nothing."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker recycled since (bench/recycle_bench.py): its time is gone
            continue
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


def preflight(server, scenarios: dict) -> None:
    """Every page answers 200 to its session before anything is timed: wrk counts only 4xx and
    5xx as errors, and a session the server does not accept is a fast 302 to the login page."""
    for name, (script, path, cookies, _) in scenarios.items():
        if script != "get.lua":
            continue
        request = urllib.request.Request(
            server.base + path.replace("{n}", "1"),
            headers={"Cookie": f"sessionid={cookies[0]}; csrftoken={cookies[1]}"},
        )
        opener = urllib.request.build_opener(NoRedirect)
        try:
            status = opener.open(request, timeout=10).status
        except urllib.error.HTTPError as exc:
            status = exc.code
        if status != 200:
            raise RuntimeError(f"{name} answered {status} before the run; nothing was timed")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def run_round(server, scenarios, saver, blueprint, seconds: int) -> dict:
    """Every scenario once on ``server``; the autosave on a fresh attempt."""
    from django.db import connection

    figures = {}
    for name, (script, path, cookies, positions) in scenarios.items():
        if name == "save":
            attempt = fresh_save_attempt(saver, blueprint)
            connection.close()  # the server gets the database to itself during the runs
            path = f"/attempts/{attempt.pk}/save/"
        figures[name] = wrk(server, script, path, cookies, seconds, positions)
    return figures


def report(variant: str, rounds: list[dict]) -> dict:
    """One variant's table: req/s and CPU per path, and the ratios to the floors with their goals."""
    print(
        f"\n{variant}: {len(rounds)} rounds of {SECONDS} s, wrk -t1 -c{CONNECTIONS}, one sync worker on CPU 0"
    )
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
    return summary


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian: apt-get install wrk)")
    unknown = set(CHOSEN) - set(VARIANTS)
    if unknown:
        sys.exit(
            f"BENCH_VARIANTS: no variant {', '.join(sorted(unknown))} (choose from {', '.join(VARIANTS)})"
        )
    url = common.setup()
    from django.db import connection

    from bench.profile_view import submitted_attempt

    blueprint, users, attempts = prepare()
    reader, updater, saver = users
    reviewer, reviewed = submitted_attempt(blueprint)

    def scenarios_for(backend: str, engine: str) -> dict:
        """Each path with its wrk script, a session of the right candidate and how many positions."""
        read = common.logged_in_cookies(reader, backend, engine)
        return {
            "floor-bare": ("get.lua", "/bench/floor/bare/", read, 1),
            "floor-session": ("get.lua", "/bench/floor/session/", read, 1),
            "floor-login": ("get.lua", "/bench/floor/login/", read, 1),
            "floor-read": ("get.lua", f"/bench/floor/{attempts[0].pk}/read/", read, 1),
            "question": ("get.lua", f"/attempts/{attempts[0].pk}/q/{{n}}/", read, 65),
            "floor-update": (
                "floor_update.lua",
                f"/bench/floor/{attempts[1].pk}/update/",
                common.logged_in_cookies(updater, backend, engine),
                1,
            ),
            "review": (
                "get.lua",
                f"/attempts/{reviewed.pk}/review/",
                common.logged_in_cookies(reviewer, backend, engine),
                1,
            ),
            "save": ("save.lua", None, common.logged_in_cookies(saver, backend, engine), 65),
        }

    plans = {name: scenarios_for(*VARIANTS[name][1:]) for name in CHOSEN}
    connection.close()  # the servers get the database to themselves during the runs
    args = ["--workers", "1", "--worker-class", "sync", "--threads", "1", "--max-requests", "0"]
    servers = {}
    rounds: dict[str, list] = {name: [] for name in CHOSEN}
    try:
        for name in CHOSEN:
            servers[name] = common.Gunicorn(
                url, [*args, "--timeout", "30"], cpus="0", log=f"http_bench_{name}.log", env=VARIANTS[name][0]
            )
            preflight(servers[name], plans[name])
        for name, server in servers.items():  # warm up every path of every server
            run_round(server, plans[name], saver, blueprint, 2)
        for n in range(1, ROUNDS + 1):
            for name, server in servers.items():
                figures = run_round(server, plans[name], saver, blueprint, SECONDS)
                rounds[name].append(figures)
                print(
                    f"round {n} {name}: "
                    + "  ".join(f"{k} {v['rps']:.0f}/s" for k, v in figures.items())
                    + "  non-2xx: " + str(sum(v["non2xx"] for v in figures.values())),
                    flush=True,
                )  # fmt: skip
    finally:
        for server in servers.values():
            server.stop()
    summaries = {name: report(name, rounds[name]) for name in CHOSEN}
    if len(CHOSEN) > 1:
        first = CHOSEN[0]
        print(f"\nworker CPU per request, side by side (median of {ROUNDS} rounds, the same rounds):")
        print("  path          " + "".join(f"{name:>12}" for name in CHOSEN))
        for path in ORDER:
            cells = [statistics.median(r[path]["cpu_ms"] for r in rounds[name]) for name in CHOSEN]
            print(f"  {path:13} " + "".join(f"{c:9.2f} ms" for c in cells))
        for name in CHOSEN[1:]:
            ratios = [
                statistics.median(
                    a[p]["rps"] / b[p]["rps"] for a, b in zip(rounds[first], rounds[name], strict=True)
                )
                for p in ORDER
            ]
            print(f"  {first} / {name} req/s (median of the rounds): " + ", ".join(
                f"{p} {r:.2f}" for p, r in zip(ORDER, ratios, strict=True)))  # fmt: skip
    (common.out_dir() / "http_bench.json").write_text(
        json.dumps({"variants": CHOSEN, "rounds": rounds, "summary": summaries}, indent=1)
    )


if __name__ == "__main__":
    main()
