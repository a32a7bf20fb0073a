"""The authors' item statistics on a 10,000-question bank: time, bytes and worker memory.

    python bench/item_stats_bench.py       (make bench runs it, after assembly_bench.py, whose
                                            PERF-10K guide it reuses)

Gives every question of PERF-10K a statistics row (five options, the key marked), starts one
gunicorn sync worker (config.settings.bench), signs an author in and requests BENCH_PAGES pages
of the guide (every page, then filtered and sorted views), recording the time, the bytes and the
worker's resident memory (VmRSS) after every 50 requests. Goal (docs/performance.md): one page's
size independent of the bank, and the worker's memory flat over repeated requests.
"""

import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

PAGES = int(os.environ.get("BENCH_PAGES", "400"))


def statistics_for(code: str) -> int:
    from django.utils import timezone

    from exams.models import ItemStatistic
    from questions.models import ExamGuide, Question

    guide = ExamGuide.objects.get(code=code)
    if not ItemStatistic.objects.filter(guide=guide).exists():
        now = timezone.now()
        rows = []
        for n, (pk, version, sub) in enumerate(
            Question.objects.filter(sub_domain__domain__guide=guide).values_list(
                "pk", "current_version_id", "sub_domain_id"
            )
        ):
            rates = [
                {"option": "ABCDE"[i], "key": i == n % 5, "all": 0.2, "top": 0.3, "bottom": 0.1}
                for i in range(5)
            ]
            rows.append(
                ItemStatistic(guide=guide, question_id=pk, version_id=version, sub_domain_id=sub, responses=100 + n % 50,
                              facility=(n % 97) / 97, discrimination=((n % 41) - 10) / 41, option_rates=rates,
                              too_easy=n % 97 > 92, too_hard=n % 97 < 19, low_discrimination=n % 41 < 14,
                              computed_at=now)
            )  # fmt: skip
        ItemStatistic.objects.bulk_create(rows, batch_size=2000)
    return ItemStatistic.objects.filter(guide=guide).count()


def main() -> None:
    url = common.setup(load_bank=False)
    from django.contrib.auth.models import Group
    from django.db import connection

    from accounts.models import AUTHORS_GROUP, User

    rows = statistics_for("PERF-10K")
    common.seed_candidates("perf-author", 1)
    author = User.objects.get(username="perf-author-0001")
    author.groups.add(Group.objects.get(name=AUTHORS_GROUP))
    session, _ = common.logged_in_cookies(author)
    connection.close()
    server = common.Gunicorn(
        url,
        ["--workers", "1", "--worker-class", "sync", "--max-requests", "0"],
        cpus="0",
        log="item_stats.log",
    )
    views = ["", "&sort=flagged", "&flag=any&sort=facility", "&domain=2", "&task=3.1&sort=-discrimination"]
    timings, sizes, memory = [], [], []
    try:
        (worker,) = server.worker_pids()
        memory.append(common.memory_kib(worker)["VmRSS"])
        for n in range(PAGES):
            path = f"/authoring/statistics/?guide=PERF-10K&page={n % 400 + 1}{views[n % len(views)]}"
            request = urllib.request.Request(server.base + path, headers={"Cookie": f"sessionid={session}"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:
                body = response.read()
            timings.append(1000 * (time.perf_counter() - started))
            sizes.append(len(body))
            if (n + 1) % 50 == 0:
                memory.append(common.memory_kib(worker)["VmRSS"])
        peak = common.memory_kib(worker)["VmHWM"]
    finally:
        server.stop()
    print(f"item statistics, PERF-10K ({rows:,} rows), {PAGES} pages:")
    print(
        f"  time median {statistics.median(timings):.1f} ms, p95 {common.p95(timings):.1f} ms, "
        f"max {max(timings):.1f} ms; bytes median {statistics.median(sizes):,.0f}, max {max(sizes):,}"
    )
    print(
        f"  worker VmRSS every 50 requests (MiB): {' '.join(f'{m / 1024:.0f}' for m in memory)}; VmHWM {peak / 1024:.0f}"
    )
    grew = (memory[-1] - memory[1]) / 1024
    print(
        f"  growth after the first 50 requests: {grew:+.1f} MiB (goal: flat, within 5 MiB: {'met' if grew <= 5 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
