import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # <app>/tasks.py: what the web process sends
app.autodiscover_tasks(related_name="periodic")  # <app>/periodic.py: what beat sends
