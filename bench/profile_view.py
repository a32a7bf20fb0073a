"""Profile one exam request in-process with pyinstrument, on the perf database.

    python bench/profile_view.py question|save|review|floor-bare|floor-session|floor-login|floor-read|floor-update [requests]

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
    client.force_login(users[2] if what == "save" else users[0])
    attempt = attempts[0] if what != "save" else fresh_save_attempt(users[2], blueprint)
    if what == "review":
        reviewer, attempt = submitted_attempt(blueprint)
        client.force_login(reviewer)
    state = {"n": 0}

    def one():
        n = state["n"]
        state["n"] += 1
        if what == "question":
            return client.get(f"/attempts/{attempt.pk}/q/{n % 65 + 1}/")
        if what == "review":
            return client.get(f"/attempts/{attempt.pk}/review/")
        if what in ("floor-bare", "floor-session", "floor-login"):
            return client.get(f"/bench/{what.replace('-', '/')}/")
        if what == "floor-read":
            return client.get(f"/bench/floor/{attempt.pk}/read/")
        if what == "floor-update":
            return client.post(f"/bench/floor/{attempt.pk}/update/")
        visit, position = divmod(n, 65)
        body = {"position": position + 1, "selected": [visit % 2], "flagged": False, "revision": visit}
        return client.post(f"/attempts/{attempt.pk}/save/", json.dumps(body), "application/json")

    for _ in range(20):
        response = one()
        assert response.status_code == 200, response.status_code
    print(f"{len(response.content):,} bytes")
    with CaptureQueriesContext(connection) as ctx:
        one()
    print(f"{len(ctx.captured_queries)} queries:")
    for q in ctx.captured_queries:
        print(f"  {q['time']}s  {q['sql'][:160]}")
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        one()
    print(
        f"{count} x {what}: {1000 * (time.perf_counter() - started) / count:.2f} ms per request in-process "
        f"(CPU {1000 * (time.process_time() - cpu) / count:.2f} ms)"
    )
    profiler = Profiler(interval=0.0002 if what != "review" else 0.002)
    started = time.perf_counter()
    with profiler:
        for _ in range(count):
            one()
    elapsed = time.perf_counter() - started
    print(f"{count} x {what}: {1000 * elapsed / count:.2f} ms per request in-process (profiler on)")
    # Flat: where the time is spent, by function (self time); deep middleware stacks hide it otherwise.
    print(profiler.output_text(unicode=True, color=False, flat=True, flat_time="self")[:6000])
    print(profiler.output_text(unicode=True, color=False, flat=True, flat_time="total")[:8000])


def submitted_attempt(blueprint):
    """A candidate of its own (perf-review-0001) and their 65-question mock, every question
    answered (half of them right), submitted."""
    from accounts.models import User
    from exams.models import Attempt
    from exams.services.attempts import attempt_save_answer, attempt_start, attempt_submit
    from tests.factories import correct_positions

    common.seed_candidates("perf-review", 1)
    user = User.objects.get(username="perf-review-0001")
    done = Attempt.objects.filter(user=user, blueprint=blueprint, state="submitted").first()
    if done:
        return user, done
    Attempt.objects.filter(user=user, blueprint=blueprint).delete()
    attempt = attempt_start(user=user, blueprint=blueprint, seed=5)
    for item in attempt.items.select_related("version").order_by("position"):
        right = correct_positions(item)
        answer = right if item.position % 2 else [p for p in range(item.choice_count) if p not in right][:1]
        if item.type in ("ordering", "matching") and not item.position % 2:
            answer = list(reversed(right))
        attempt_save_answer(
            user=user,
            attempt_id=attempt.pk,
            position=item.position,
            selected=answer,
            flagged=False,
            base_revision=0,
        )
    attempt_submit(user=user, attempt_id=attempt.pk)
    return user, attempt


if __name__ == "__main__":
    main()
