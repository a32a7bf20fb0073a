"""Production settings: deploy checks pass, and nothing runs without a secret key."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_has_no_warnings():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-for-the-check",
        DJANGO_ALLOWED_HOSTS="exams.example.com",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_mail_goes_where_email_url_says():
    result = manage(
        "shell", "-c",
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS)",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 50,
        EMAIL_URL="smtp+tls://mailer:secret@mail.example.com:587",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == [
        "django.core.mail.backends.smtp.EmailBackend", "mail.example.com", "587", "mailer", "True",
    ]  # fmt: skip


# env.str("NAME", env.int("NAME", env.email_url("NAME", os.environ.get("NAME", ...
READS = re.compile(r"""\b(?:env(?:\.\w+)?|os\.environ\.(?:get|setdefault))\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_the_readme_documents_every_variable_the_settings_read():
    sources = [*(ROOT / "config" / "settings").glob("*.py"), ROOT / "gunicorn.conf.py"]
    read = {name for path in sources for name in READS.findall(path.read_text())}
    assert {"DATABASE_URL", "EMAIL_URL", "AXES_PROXY_COUNT", "WEB_CONCURRENCY"} <= read  # the pattern works
    readme = (ROOT / "README.md").read_text()
    assert sorted(name for name in read if f"`{name}`" not in readme) == []
