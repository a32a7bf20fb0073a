"""Fault injection on the real services. Destructive (they stop PostgreSQL and Redis), so they run
in `make faults` (and CI), never in `make test`."""

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.services import is_postgres, need, redis_url

pytestmark = pytest.mark.faults


def _pg_cluster() -> str | None:
    root = Path("/etc/postgresql")
    versions = sorted(p.name for p in root.iterdir()) if root.exists() else []
    return versions[0] if versions else None


def _pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0


def pg_ctl(action: str) -> None:
    if action == "start" and _pg_ready():
        return
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", _pg_cluster(), "main", action, "--", "-m", "fast"]
        if action == "stop"
        else ["pg_ctlcluster", "--skip-systemctl-redirect", _pg_cluster(), "main", action],
        check=True,
        capture_output=True,
        timeout=60,
    )
    if action == "start":
        for _ in range(60):
            if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0:
                return
            time.sleep(0.5)
        raise RuntimeError("PostgreSQL did not come back")


REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


def redis_stop() -> None:
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], check=False, capture_output=True)
    for _ in range(40):
        if subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True).returncode != 0:
            return
        time.sleep(0.25)


def redis_start() -> None:
    os.makedirs("/var/lib/redis", exist_ok=True)
    os.makedirs("/var/log/redis", exist_ok=True)
    subprocess.run(REDIS_START, check=True, capture_output=True)
    for _ in range(40):
        if subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True).returncode == 0:
            return
        time.sleep(0.25)
    raise RuntimeError("Redis did not come back")


@pytest.fixture
def postgres_control():
    need(
        is_postgres() and _pg_cluster() is not None,
        "needs a local PostgreSQL cluster it may restart (pg_ctlcluster)",
    )
    yield pg_ctl
    pg_ctl("start")  # whatever happened, leave it running


@pytest.fixture
def redis_control():
    need(redis_url() is not None, "needs a local Redis it may stop and start")
    yield
    redis_start()


class PrivateRedis:
    """A redis-server of the test's own on a free port, so that a long outage (30 s) stops nobody
    else's broker: the shared Redis on 6379 serves other suites on this machine."""

    def __init__(self, workdir: Path):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.dir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/4"

    def _ping(self) -> bool:
        ping = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "ping"]
        return subprocess.run(ping, capture_output=True, check=False).returncode == 0

    def start(self) -> None:
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no", "--dir", str(self.dir),
             "--logfile", str(self.dir / "redis.log"), "--pidfile", str(self.dir / "redis.pid")],
            check=True, capture_output=True,
        )  # fmt: skip
        for _ in range(40):
            if self._ping():
                return
            time.sleep(0.25)
        raise RuntimeError("the test's Redis did not come up")

    def stop(self) -> None:
        """As a crash looks to clients: no save, connections dropped."""
        shutdown = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "shutdown", "nosave"]
        subprocess.run(shutdown, capture_output=True, check=False)
        for _ in range(40):
            if not self._ping():
                return
            time.sleep(0.25)
        raise RuntimeError("the test's Redis did not stop")


@pytest.fixture
def private_redis(tmp_path):
    import shutil

    need(shutil.which("redis-server") is not None, "needs redis-server to run a Redis of its own")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()  # whatever happened: it is the test's own server
