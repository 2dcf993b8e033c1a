"""The Celery app: background jobs (jobs.tasks) on the shared Redis (REDIS_URL).

Start a worker with ``celery -A config worker`` (make run does, beside gunicorn).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["jobs"])
