import logging
import os

from celery import Celery
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # <app>/tasks.py: what the web process sends
app.autodiscover_tasks(related_name="periodic")  # <app>/periodic.py: what beat sends

analysis_log = logging.getLogger("mockexam.analysis")


@task_postrun.connect
def log_analysis(sender=None, task_id=None, args=None, kwargs=None, retval=None, state=None, **extra):
    """One line per analysis that ran to the end, with the worker that ran it.

    The analysis is idempotent (a rerun replaces the breakdown), so a duplicate run is invisible
    in the database; this line is what shows how many times each attempt was analysed
    (bench/scale_out.py counts them across workers). A run that did nothing (attempt missing or
    not submitted yet) returns False and is not counted.
    """
    if getattr(sender, "name", None) != "exams.tasks.analyse_attempt":
        return
    if state != "SUCCESS" or retval is not True:
        return
    attempt_id = args[0] if args else (kwargs or {}).get("attempt_id")
    hostname = getattr(getattr(sender, "request", None), "hostname", None)
    analysis_log.info("analysed attempt=%s task=%s worker=%s", attempt_id, task_id, hostname)
