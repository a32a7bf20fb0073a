"""Profile one exam request in-process with pyinstrument, on the perf database.

    python bench/profile_view.py question|save|floor-read|floor-update [requests]

Runs the request through the whole stack (middleware, session, auth, view, template) with
config.settings.bench, ``requests`` times (200), and prints pyinstrument's profile and the
queries of one request. For a running server, attach py-spy instead:
    py-spy record -o profile.svg --pid <gunicorn worker pid>
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "question"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    common.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from bench.http_bench import fresh_save_attempt, prepare

    blueprint, users, attempts = prepare()
    client = Client(SERVER_NAME="127.0.0.1", enforce_csrf_checks=False)
    client.force_login(users[0] if what != "save" else users[2])
    attempt = attempts[0] if what != "save" else fresh_save_attempt(users[2], blueprint)
    state = {"n": 0}

    def one():
        n = state["n"]
        state["n"] += 1
        if what == "question":
            return client.get(f"/attempts/{attempt.pk}/q/{n % 65 + 1}/")
        if what == "floor-read":
            return client.get(f"/bench/floor/{attempt.pk}/read/")
        if what == "floor-update":
            return client.post(f"/bench/floor/{attempt.pk}/update/")
        visit, position = divmod(n, 65)
        body = {"position": position + 1, "selected": [visit % 2], "flagged": False, "revision": visit}
        return client.post(f"/attempts/{attempt.pk}/save/", json.dumps(body), "application/json")

    for _ in range(20):
        assert one().status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        one()
    print(f"{len(ctx.captured_queries)} queries:")
    for q in ctx.captured_queries:
        print(f"  {q['time']}s  {q['sql'][:160]}")
    started = time.perf_counter()
    for _ in range(count):
        one()
    print(f"{count} x {what}: {1000 * (time.perf_counter() - started) / count:.2f} ms per request in-process")
    profiler = Profiler(interval=0.0002)
    started = time.perf_counter()
    with profiler:
        for _ in range(count):
            one()
    elapsed = time.perf_counter() - started
    print(f"{count} x {what}: {1000 * elapsed / count:.2f} ms per request in-process (profiler on)")
    # Flat: where the time is spent, by function (self time); deep middleware stacks hide it otherwise.
    print(profiler.output_text(unicode=True, color=False, flat=True, flat_time="self")[:6000])
    print(profiler.output_text(unicode=True, color=False, flat=True, flat_time="total")[:8000])


if __name__ == "__main__":
    main()
