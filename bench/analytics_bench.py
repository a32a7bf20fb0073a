"""Analytics at scale: 100,000 submitted mock attempts of 65 answers, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mockexam_bench python bench/analytics_bench.py

Creates (or reuses) the bench database, loads the bundled bank, generates synthetic attempts
in SQL (generate_series: one candidate per 4 attempts, abilities spread evenly, a 1PL-like
chance of answering each question right), then times:
  - the full rebuild of all analytics and item statistics (goal: within 30 s),
  - the per-attempt task on a fresh attempt against that database (goal: within 100 ms), on a
    vacuumed database, then again right after a full rebuild has rewritten every standing and
    before any vacuum (the minutes after the nightly rebuild until autovacuum has run),
and prints the figures recorded in docs/performance.md, each with the CPU time it took beside
the wall time: this process's and its PostgreSQL backend's (read from /proc when the server runs
on this machine), so that a run on a loaded machine can still be judged.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ensure_database  # noqa: E402 (after the path is set)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")

ATTEMPTS = int(os.environ.get("BENCH_ATTEMPTS", "100000"))
PER_CANDIDATE = 4


GENERATE = """
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT '!', false, 'bench' || g, '', '', '', false, true, now()
FROM generate_series(1, %(users)s) g;

INSERT INTO exams_attempt (user_id, blueprint_id, state, seed, started_at, deadline, submitted_at, finish,
    current_position, question_count, correct_count, percent, scaled_score, passed, analysed_at)
SELECT u.id, %(blueprint)s, 'submitted', n, now() - (n || ' minutes')::interval, NULL,
       now() - (n || ' minutes')::interval + interval '150 minutes', 'candidate', 1, 65, 0, 0, 100, false, now()
FROM (SELECT id, row_number() OVER (ORDER BY id) AS r FROM accounts_user WHERE username LIKE 'bench%%') u
CROSS JOIN generate_series(1, %(per)s) n;

CREATE TEMP TABLE bench_q AS
SELECT row_number() OVER (ORDER BY q.id) - 1 AS k, q.id, q.current_version_id AS version_id,
       q.sub_domain_id, sd.domain_id, v.choice_count
FROM questions_question q JOIN questions_subdomain sd ON sd.id = q.sub_domain_id
JOIN questions_questionversion v ON v.id = q.current_version_id
WHERE q.status = 'published';

CREATE TEMP TABLE bench_r AS
SELECT a.id AS attempt_id, q.id AS question_id, q.version_id, q.sub_domain_id, q.domain_id,
       (random() < 0.25 + 0.6 * ((a.user_id %% 100) / 100.0) * (0.6 + 0.8 * ((q.k %% 10) / 10.0))) AS is_correct,
       q.choice_count
FROM exams_attempt a
CROSS JOIN generate_series(0, 64) i
JOIN bench_q q ON q.k = (a.id * 7 + i * 4) %% (SELECT count(*) FROM bench_q)
WHERE a.blueprint_id = %(blueprint)s;

UPDATE exams_attempt a SET correct_count = s.c, percent = round(100.0 * s.c / 65, 2),
       scaled_score = LEAST(1000, 100 + 9 * s.c), passed = s.c >= 47
FROM (SELECT attempt_id, sum(is_correct::int) AS c FROM bench_r GROUP BY attempt_id) s
WHERE a.id = s.attempt_id;

INSERT INTO exams_itemresponse (attempt_id, guide_id, question_id, version_id, is_correct, selected_mask, rest_score,
    answer)
SELECT r.attempt_id, %(guide)s, r.question_id, r.version_id, r.is_correct,
       CASE WHEN r.is_correct THEN 1 ELSE (1 << (1 + (r.attempt_id %% (r.choice_count - 1))::int)) END,
       (a.correct_count - r.is_correct::int) / 64.0, '[]'::jsonb
FROM bench_r r JOIN exams_attempt a ON a.id = r.attempt_id;

INSERT INTO exams_attemptdomainscore (attempt_id, domain_id, correct, total, meets)
SELECT attempt_id, domain_id, sum(is_correct::int), count(*), sum(is_correct::int) * 100 >= 70 * count(*)
FROM bench_r GROUP BY attempt_id, domain_id;

INSERT INTO exams_attemptsubdomainscore (attempt_id, sub_domain_id, correct, total)
SELECT attempt_id, sub_domain_id, sum(is_correct::int), count(*) FROM bench_r GROUP BY attempt_id, sub_domain_id;
ANALYZE;
"""


def backend_cpu(connection) -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, if it runs here."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clock:
    """Wall time, this process's CPU time and the database backend's CPU time of a block."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        self.db = backend_cpu(self.connection)
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        after = backend_cpu(self.connection)
        self.db = None if after is None or self.db is None else after - self.db


def vacuum(connection) -> None:
    """Clear what the last rebuild left before timing the next: a rebuild rewrites the standings
    (about 900,000 rows), and back-to-back runs come faster than autovacuum (off altogether on
    this machine's PostgreSQL). Without this each rebuild reads the dead rows of the ones before
    (20 s, then 24, then 29 in three runs) and the figures measure the bench's own history."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def main() -> None:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mockexam_bench")
    if not url.startswith("postgres"):
        sys.exit("the analytics benchmark needs PostgreSQL: set DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from exams.models import Attempt, ExamBlueprint, ItemResponse
    from exams.services.analysis import attempt_analyse
    from exams.services.analytics import analytics_rebuild
    from exams.services.attempts import attempt_start, attempt_submit
    from tests.factories import UserFactory  # noqa: F401 (factory_boy is a dev dependency)

    call_command("migrate", verbosity=0)
    call_command("load_bank", verbosity=0)
    blueprint = ExamBlueprint.objects.get(guide__code="MLS-C01", slug="full")
    if Attempt.objects.filter(blueprint=blueprint).count() < ATTEMPTS:
        print(f"generating {ATTEMPTS:,} attempts x 65 answers ...", flush=True)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                GENERATE,
                {
                    "users": ATTEMPTS // PER_CANDIDATE,
                    "per": PER_CANDIDATE,
                    "blueprint": blueprint.pk,
                    "guide": blueprint.guide_id,
                },
            )
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    print(
        f"attempts: {Attempt.objects.filter(blueprint=blueprint).count():,}; "
        f"item responses: {ItemResponse.objects.count():,}"
    )

    rebuilds = []
    for _ in range(3):
        vacuum(connection)
        with Clock(connection) as clock:
            result = analytics_rebuild()
        rebuilds.append(clock)
    best = min(rebuilds, key=lambda c: c.wall)
    print(
        f"full rebuild: {best.wall:.2f} s best, {statistics.median(c.wall for c in rebuilds):.2f} s median of 3 "
        f"({result}); CPU of the best: Python {best.cpu:.2f} s + PostgreSQL {best.db or 0:.2f} s "
        f"= {best.cpu + (best.db or 0):.2f} s"
    )

    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-live")
    attempts = []
    for n in range(10):
        attempt = attempt_start(user=user, blueprint=blueprint, seed=n)
        # Inline mode: its task runs now, and the first also claims the guide's debounced rebuild
        # (a full one, inline): the standings are rewritten after the vacuum above.
        attempt_submit(user=user, attempt_id=attempt.pk)
        attempts.append(attempt)

    def per_attempt(label: str) -> None:
        """Time a clean rerun of each attempt's per-attempt task."""
        clocks = []
        for attempt in attempts:
            with Clock(connection) as clock:
                attempt_analyse(attempt_id=attempt.pk)
            clocks.append(clock)
        walls = sorted(1000 * c.wall for c in clocks)
        cpus = sorted(1000 * (c.cpu + (c.db or 0)) for c in clocks)
        print(
            f"per-attempt task, {label}: median {statistics.median(walls):.0f} ms, max {walls[-1]:.0f} ms "
            f"over {len(walls)} attempts; CPU (Python + PostgreSQL) median {statistics.median(cpus):.0f} ms, "
            f"max {cpus[-1]:.0f} ms"
        )

    vacuum(connection)
    per_attempt("vacuumed (goal: within 100 ms)")
    analytics_rebuild()
    per_attempt("right after a full rebuild, before any vacuum")


if __name__ == "__main__":
    main()
