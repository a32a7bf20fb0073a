"""Browser tests: a real gunicorn server process and Debian's Chromium driven by Playwright."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import UserFactory
from tests.services import chromium_path, need, test_database_url

# Playwright's sync API keeps an event loop in this thread; the ORM calls in the tests are
# still synchronous and never share a connection with it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the project against the test database; can be killed and restarted."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc = None
        self.log = open(ROOT / ".e2e-server.log", "a")  # noqa: SIM115 (kept open for the server's life)

    def start(self) -> None:
        env = dict(
            os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=test_database_url()
        )
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--threads", "4", "--timeout", "60",
             "--control-socket", str(Path(tempfile.gettempdir()) / f"mockexam-gunicorn-{self.port}.ctl")],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/accounts/login/", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("the server exited; see .e2e-server.log") from None
                time.sleep(0.2)
        raise RuntimeError("the server did not come up in 30 s")

    def kill(self) -> None:
        """SIGKILL to the master and its workers: no graceful shutdown, as when a machine dies."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


@pytest.fixture(scope="session")
def browser():
    need(chromium_path() is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def server(transactional_db, browser):
    instance = Server(free_port())
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def bank(transactional_db):
    """The bundled MLS-C01 bank, loaded as `make run` loads it."""
    call_command("load_bank", verbosity=0)


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    violations = []
    tab.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    yield tab
    context.close()
    assert violations == [], f"the page broke its Content-Security-Policy: {violations}"


def log_in(page, username: str, password: str = "pass-word-123") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


@pytest.fixture
def candidate_page(page, bank):
    UserFactory(username="sam")
    log_in(page, "sam")
    return page


def start_from_exam_list(page, name: str, guide: str = "MLS-C01") -> None:
    """Start (or resume) the exam ``name`` of ``guide`` as a candidate does: its card's Start
    opens the instructions, whose Begin starts the clock; Resume goes straight back."""
    page.goto("/exams/")
    section = page.locator(f"#exam-{guide.lower()}")
    section.locator(".card", has_text=name).get_by_role("link", name=re.compile(r"^(Start|Resume)\b")).click()
    page.wait_for_url(re.compile(r"/(exams/\d+|q/\d+)/$"))
    if re.search(r"/exams/\d+/$", page.url):
        page.get_by_role("button", name="Begin").click()
        page.wait_for_url(re.compile(r"/q/\d+/$"))


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def axe_serious(page) -> list:
    """Serious and critical accessibility violations on the current page (axe-core)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def axe_violations(page) -> list:
    """Every accessibility violation axe-core finds on the current page, whatever its impact."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]


def no_sideways_scroll(page) -> None:
    """The page is no wider than the window: nothing scrolls sideways or is cut off. Given a
    moment to settle after the window changes size (a chart redraws for its new width on the
    next resize event, not at once)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    measure = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    with contextlib.suppress(PlaywrightTimeout):  # measured, and the culprits named, below
        page.wait_for_function(f"(([wide, window]) => wide <= window)({measure})", timeout=3000)
    wide, window = page.evaluate(measure)
    if wide > window:
        culprits = page.evaluate(WIDEST, window)
        raise AssertionError(f"{page.url} scrolls sideways: {wide}px of content in {window}px: {culprits}")


# The five elements that reach furthest past a window ``w`` wide, named with their extent.
WIDEST = """w => [...document.querySelectorAll('body *')]
    .map(e => [e, e.getBoundingClientRect()])
    .filter(([e, box]) => box.right > w + 1)
    .sort(([, a], [, b]) => b.right - a.right)
    .slice(0, 5)
    .map(([e, box]) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.') : '')
        + ' ' + Math.round(box.left) + '..' + Math.round(box.right) + 'px')"""


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression until it is truthy.

    Playwright's wait_for_function compiles its predicate inside the page, which our
    Content-Security-Policy (no unsafe-eval) rightly forbids; page.evaluate is not affected.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {expression}")


def wait_saved(page, timeout: float = 15.0) -> None:
    wait_until(page, "window.mockexam !== undefined && window.mockexam.pending() === 0", timeout)
