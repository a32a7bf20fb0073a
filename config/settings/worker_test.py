"""A real Celery worker started by the test suite: test settings, but a real broker and a
queue of its own so that concurrent or earlier runs never feed it stray tasks."""

from .test import *

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = env.str("REDIS_URL")
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TEST_QUEUE")
# DATABASE_URL names the test database of the run that started this worker.
