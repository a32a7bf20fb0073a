"""What the HTTP benchmarks and the load test share: a perf database, accounts, a gunicorn server.

Everything runs against a database of its own (``mockexam_perf`` unless PERF_DATABASE_URL
names another), with ``config.settings.bench``, and sends traffic to 127.0.0.1 only.
"""

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PERF_URL = "postgres://postgres@127.0.0.1:5432/mockexam_perf"
PYTHON = sys.executable
PASSWORD = "perf-pass-2024!"  # synthetic accounts in a bench database


def database_url() -> str:
    url = os.environ.get("PERF_DATABASE_URL") or PERF_URL
    name = urlparse(url).path.lstrip("/")
    if not url.startswith("postgres"):
        sys.exit("the benchmarks need PostgreSQL: set PERF_DATABASE_URL")
    if name == "mockexam" or name.startswith("test_"):
        sys.exit(f"refusing to benchmark against {name!r}: use a database of your own")
    return url


def ensure_database(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres", dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def server_env(url: str) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.bench", DATABASE_URL=url)
    env.pop("REDIS_URL", None)  # tasks inline: no stray tasks on a shared broker
    return env


def setup(*, load_bank: bool = True) -> str:
    """Create and migrate the perf database, collect static files, load the bundled bank."""
    url = database_url()
    ensure_database(url)
    os.environ.update(server_env(url))
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    if load_bank:
        call_command("load_bank", verbosity=0)
    return url


def seed_candidates(prefix: str, count: int) -> list[str]:
    """``count`` candidate accounts named prefix-0001…, all with PASSWORD (hashed as in production)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import Profile, User

    names = [f"{prefix}-{i:04d}" for i in range(1, count + 1)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    hashed = make_password(PASSWORD)  # one hash, reused: seeding 1,000 would otherwise take minutes
    User.objects.bulk_create([User(username=n, password=hashed) for n in names if n not in existing])
    users = User.objects.filter(username__in=names)
    Profile.objects.bulk_create(
        [Profile(user=u) for u in users.filter(profile__isnull=True)], ignore_conflicts=True
    )
    return names


def logged_in_cookies(user, backend: str | None = None, engine: str | None = None) -> tuple[str, str]:
    """A session for ``user`` made by Django's own login path (naming ``backend``, by default
    the first that can sign a user in; stored by the session ``engine``, by default the
    settings'), and a CSRF token."""
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client, override_settings

    with override_settings(SESSION_ENGINE=engine or settings.SESSION_ENGINE):
        client = Client()
        client.force_login(user, backend=backend)
    return client.cookies[settings.SESSION_COOKIE_NAME].value, _get_new_csrf_string()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """A gunicorn started by a benchmark, optionally pinned to CPUs; stopped by its own pid."""

    def __init__(
        self,
        url: str,
        args: list[str],
        cpus: str | None = None,
        log: str = "gunicorn.log",
        env: dict | None = None,
        root: Path = ROOT,
    ):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        pin = ["taskset", "-c", cpus] if cpus and shutil.which("taskset") else []
        self.log = open(out_dir() / log, "w")  # noqa: SIM115 (kept open for the server's life)
        self.proc = subprocess.Popen(
            [*pin, PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}", *args],
            cwd=root, env={**server_env(url), **(env or {})}, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"gunicorn exited; see bench/out/{log}") from None
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not come up in 60 s")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()


def memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak resident) and VmRSS of a process, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            fields[key] = int(value.split()[0])
    return fields


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def out_dir() -> Path:
    path = ROOT / "bench" / "out"
    path.mkdir(exist_ok=True)
    return path
