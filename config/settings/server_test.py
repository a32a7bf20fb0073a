"""A gunicorn started by the fault tests: the test settings, but persistent, health-checked
database connections as production keeps them (test.py closes them after every request, which
would hide a stale connection surviving a database restart)."""

from .test import *

DATABASES["default"]["CONN_MAX_AGE"] = 600
