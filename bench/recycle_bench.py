"""Latency while gunicorn recycles its workers, against the same server never recycling.

    python bench/recycle_bench.py          (make bench runs it)

gunicorn.conf.py's workers and threads (gthread), pinned to CPU 0; wrk on CPU 1 walks the
question page with BENCH_CONNECTIONS connections for BENCH_SECONDS per variant:
  steady         max_requests 0 (never recycles)
  recycle        max_requests BENCH_RECYCLE_EVERY (3000: production's 5000 scaled so that each
                 worker recycles once or twice in a run; jitter 25%), no preload
  recycle+pre    the same with preload_app, not warmed
  recycle+warm   preload_app, warmed in the master before forking (config/warmup.py): production
and prints each variant's req/s, p50, p99 and the recycles seen. Goal (docs/performance.md): p99
while recycling within 2x the steady p99.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.http_bench import prepare, wrk

SECONDS = int(os.environ.get("BENCH_SECONDS", "45"))
EVERY = int(os.environ.get("BENCH_RECYCLE_EVERY", "3000"))


def main() -> None:
    url = common.setup()
    from django.db import connection

    _, users, attempts = prepare()
    cookies = common.logged_in_cookies(users[0])
    connection.close()
    path = f"/attempts/{attempts[0].pk}/q/{{n}}/"
    variants = {
        "steady": {"GUNICORN_MAX_REQUESTS": "0", "GUNICORN_PRELOAD": "1"},
        "recycle": {"GUNICORN_MAX_REQUESTS": str(EVERY), "GUNICORN_PRELOAD": "0"},
        "recycle+pre": {"GUNICORN_MAX_REQUESTS": str(EVERY), "GUNICORN_PRELOAD": "1", "GUNICORN_WARMUP": "0"},
        "recycle+warm": {"GUNICORN_MAX_REQUESTS": str(EVERY), "GUNICORN_PRELOAD": "1"},
    }
    results = {}
    for name, env in variants.items():
        server = common.Gunicorn(
            url, ["--config", "gunicorn.conf.py"], cpus="0", log=f"recycle_{name}.log", env=env
        )
        try:
            wrk(server, "get.lua", path, cookies, 3, 65)  # warm
            results[name] = wrk(server, "get.lua", path, cookies, SECONDS, 65)
        finally:
            server.stop()
        log = (common.out_dir() / f"recycle_{name}.log").read_text()
        results[name]["recycles"] = log.count("Autorestarting worker")
    steady = results["steady"]["p99_us"]
    print(f"worker recycling: {SECONDS} s each, question page, max_requests {EVERY} (jitter 25%)")
    for name, r in results.items():
        print(
            f"  {name:12} {r['rps']:6.0f} req/s  p50 {r['p50_us'] / 1000:6.1f} ms  p99 {r['p99_us'] / 1000:7.1f} ms "
            f"({r['p99_us'] / steady:.1f}x steady)  recycles {r['recycles']}  non-2xx {r['non2xx']}"
        )
    ok = results["recycle+warm"]["p99_us"] <= 2 * steady
    print(
        f"  p99 while recycling (preloaded and warmed: production) within 2x steady: {'met' if ok else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
