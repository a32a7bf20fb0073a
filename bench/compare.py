"""One page served by two checkouts side by side: this one and another (the code before a change).

    python bench/compare.py review|item-statistics OTHER_CHECKOUT [requests]

Starts one gunicorn sync worker from each checkout on the perf database (pinned to CPU 0, one
after the other), requests the page ``requests`` times (20) on each, alternating in blocks of 5,
and prints per checkout: wall time (median, max), the worker's CPU time per request, the bytes
and the worker's VmRSS before and after. The review is of perf-review-0001's submitted mock
(bench/profile_view.py); item statistics are PERF-10K's (bench/item_stats_bench.py).
"""

import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.http_bench import cpu_seconds


def main() -> None:
    what, other = sys.argv[1], Path(sys.argv[2]).resolve()
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    url = common.setup(load_bank=what == "review")
    from django.contrib.auth.models import Group
    from django.db import connection

    from accounts.models import AUTHORS_GROUP, User
    from bench.profile_view import submitted_attempt
    from exams.models import ExamBlueprint

    if what == "review":
        user, attempt = submitted_attempt(ExamBlueprint.objects.get(guide__code="MLS-C01", slug="full"))
        path = f"/attempts/{attempt.pk}/review/"
    else:
        common.seed_candidates("perf-author", 1)
        user = User.objects.get(username="perf-author-0001")
        user.groups.add(Group.objects.get(name=AUTHORS_GROUP))
        path = "/authoring/statistics/?guide=PERF-10K"
    session, _ = common.logged_in_cookies(user)
    connection.close()
    results = {}
    for label, root in (("this", common.ROOT), ("other", other)):
        server = common.Gunicorn(
            url, ["--workers", "1", "--worker-class", "sync", "--max-requests", "0", "--timeout", "120"],
            cpus="0", log=f"compare_{label}.log", root=root,
        )  # fmt: skip
        try:
            (worker,) = server.worker_pids()
            request = urllib.request.Request(server.base + path, headers={"Cookie": f"sessionid={session}"})
            urllib.request.urlopen(request, timeout=120).read()  # warm
            before = common.memory_kib(worker)["VmRSS"]
            cpu, walls = cpu_seconds([worker]), []
            for _ in range(count):
                started = time.perf_counter()
                size = len(urllib.request.urlopen(request, timeout=120).read())
                walls.append(1000 * (time.perf_counter() - started))
            cpu = 1000 * (cpu_seconds([worker]) - cpu) / count
            after = common.memory_kib(worker)
        finally:
            server.stop()
        results[label] = (walls, cpu, size, before, after)
    print(f"{what}: {count} requests each, one sync worker on CPU 0 ({path})")
    for label, (walls, cpu, size, before, after) in results.items():
        print(
            f"  {label:5} ({common.ROOT if label == 'this' else other}): wall median {statistics.median(walls):.1f} ms, "
            f"max {max(walls):.1f} ms; worker CPU {cpu:.1f} ms/request; {size:,} bytes; "
            f"VmRSS {before / 1024:.0f} -> {after['VmRSS'] / 1024:.0f} MiB (VmHWM {after['VmHWM'] / 1024:.0f})"
        )


if __name__ == "__main__":
    main()
