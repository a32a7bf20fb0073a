"""Development: the embedded default (SQLite, tasks inline), debug on, e-mail to the console."""

from .base import *

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-deploy")
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))  # e-mail to the console
