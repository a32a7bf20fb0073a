"""A real Celery worker started by the test suite: test settings, but a real broker and a
queue of its own so that concurrent or earlier runs never feed it stray tasks."""

from .test import *

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = env.str("REDIS_URL")
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TEST_QUEUE")
# Redeliver a dead worker's unacknowledged task after 10 s, not the default hour.
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "visibility_timeout": 10}
# DATABASE_URL names the test database of the run that started this worker.
