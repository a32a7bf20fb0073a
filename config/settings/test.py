"""The test suite. Tasks run inline unless a test starts a real worker (tests/conftest.py)."""

import os
import tempfile
from pathlib import Path

from .base import *

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
CELERY_TASK_ALWAYS_EAGER = True
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a server or worker process started by a test sees the same data;
    # one per test run, so that two runs on one machine never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"mockexam-test-{os.getpid()}.sqlite3")
    }
# Serve static files from the app folders (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Exhibits uploaded by tests: one folder the test process and its server share, out of git.
MEDIA_ROOT = str(BASE_DIR / ".test-media")
