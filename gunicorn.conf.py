"""Production gunicorn settings (the Dockerfile runs ``gunicorn -c gunicorn.conf.py config.wsgi``).

Why these numbers (measured in docs/performance.md):
- A request here is mostly Python on the CPU, and the rest waits on PostgreSQL; a login waits
  ~0.4 s in the password hasher, which releases the GIL. So: processes for the cores, threads to
  overlap the waits. One process per core plus one (so that a core never idles while one
  process's threads all wait), 4 threads each: on 2 cores, 3 x 4 = 12 requests in flight, so
  that slow logins and submits do not hold up the autosaves.
- Every thread holds its own persistent database connection (CONN_MAX_AGE): workers x threads
  per host must stay under PostgreSQL's max_connections (100 by default) across all hosts.
- Workers are recycled after 5,000 +- 1,250 requests to bound the memory a long-lived Python
  process accumulates; the jitter spreads the recycles apart, and the app is loaded once in the
  master (preload_app) and warmed there before the first fork (``when_ready``: templates
  compiled, URLs resolved, config/warmup.py), so that a recycled worker is a fork that serves
  its first requests at full speed instead of importing Django or compiling templates while its
  share of requests waits (docs/performance.md, "Worker recycling").
Override with WEB_CONCURRENCY and GUNICORN_THREADS (e.g. when a container's CPU quota is less
than the host's cores, which the count below cannot see).
"""

import os

from config.warmup import warm

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", cores + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request slower than this is a bug or a dead database: kill the worker rather than queue behind it.
timeout = 30
graceful_timeout = 30
# Behind a reverse proxy that reuses connections.
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 4
# Import the app once in the master; workers (and their replacements) are forks of it. Nothing
# opens a database or broker connection at import, so no connection is shared across the fork.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
# The heartbeat file in memory, not on a possibly slow container overlay filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (gunicorn's own advice)


def when_ready(server):
    """With the app preloaded, warm it in the master before the first fork (config/warmup.py;
    GUNICORN_WARMUP=0 skips it, for bench/recycle_bench.py's comparison)."""
    if preload_app and os.environ.get("GUNICORN_WARMUP", "1") == "1":
        server.log.info("warmed %d templates before forking", warm())
