"""EXPLAIN ANALYZE every query of the hot paths, on the perf database after a load test.

    python bench/explain_plans.py

Runs the question page, the autosave, a start, the practice hub, a submit with its analysis,
the review and a draw from the 10,000-question bank (if bench/assembly_bench.py made it)
in-process, captures their SQL, and prints each statement's plan (writes inside a transaction
that is rolled back), flagging any sequential scan of a table that grows with use (attempts,
items, sessions, users). It uses a candidate of the load test if there is one, else makes one
with three submitted mocks.
"""

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

GROWING = ("exams_attempt", "exams_attemptitem", "django_session", "accounts_user", "exams_itemresponse")


def main() -> None:
    common.setup()  # loads the bank if this database has not got it yet (idempotent)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from exams.models import Attempt, ExamBlueprint
    from exams.services.assembly import assemble
    from exams.services.attempts import attempt_start, attempt_submit

    mock = ExamBlueprint.objects.get(guide__code="MLS-C01", slug="full")
    user = User.objects.filter(username__startswith="perf-cand-", attempts__isnull=False).first()
    if user is None:
        user = User.objects.get(username=common.seed_candidates("perf-plan", 1)[0])
        for seed in range(3 - user.attempts.count()):
            attempt_submit(user=user, attempt_id=attempt_start(user=user, blueprint=mock, seed=seed).pk)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    Attempt.objects.filter(user=user, state=Attempt.State.IN_PROGRESS).delete()
    paths = {}
    with CaptureQueriesContext(connection) as ctx:
        client.post(f"/exams/{mock.pk}/start/")
    paths["start"] = ctx.captured_queries
    attempt = Attempt.objects.get(user=user, blueprint=mock, state=Attempt.State.IN_PROGRESS)
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/attempts/{attempt.pk}/q/7/")
    paths["question"] = ctx.captured_queries
    body = {"position": 7, "selected": [1], "flagged": False, "revision": 0}
    with CaptureQueriesContext(connection) as ctx:
        client.post(f"/attempts/{attempt.pk}/save/", json.dumps(body), "application/json")
    paths["save"] = ctx.captured_queries
    with CaptureQueriesContext(connection) as ctx:
        client.get("/practice/")
    paths["practice hub"] = ctx.captured_queries
    with CaptureQueriesContext(connection) as ctx:  # tasks run inline: the analysis is included
        client.post(f"/attempts/{attempt.pk}/submit/")
    paths["submit and analysis"] = ctx.captured_queries
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/attempts/{attempt.pk}/review/?show=wrong")
    paths["review"] = ctx.captured_queries
    big = ExamBlueprint.objects.filter(guide__code="PERF-10K", slug="full").first()
    if big is not None:
        with CaptureQueriesContext(connection) as ctx:
            assemble(blueprint=big, user=user, rng=random.Random(1))
        paths["assembly (10,000 questions)"] = ctx.captured_queries

    seq_scans = []
    for name, queries in paths.items():
        print(f"\n=== {name}: {len(queries)} queries")
        for q in queries:
            sql = q["sql"]
            if sql.startswith("SET LOCAL "):  # the position write's asynchronous commit (exams/sql.py)
                sql = sql.split("; ", 1)[1]
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT", "DELETE")):
                continue
            if sql.lstrip().upper().startswith("INSERT"):
                print(f"-- {sql[:100]}… (insert, not explained)")
                continue
            with connection.cursor() as cursor:
                cursor.execute("BEGIN")
                try:
                    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql)
                    plan = [row[0] for row in cursor.fetchall()]
                finally:
                    cursor.execute("ROLLBACK")
            print(f"-- {sql[:140]}{'…' if len(sql) > 140 else ''}")
            for line in plan:
                print(f"   {line}")
                if "Seq Scan on " in line and any(f"Seq Scan on {t} " in line + " " for t in GROWING):
                    seq_scans.append((name, line.strip()))
    print("\nsequential scans of growing tables:", seq_scans or "none")


if __name__ == "__main__":
    main()
