"""Celery application, used only when TASKS_BACKEND=celery (the scale-out path).

Jobs are written once with the Django tasks API (`django_tasks.task`); the fennel backend turns an
enqueue into a Celery message, so the same job runs on the database queue or on Celery unchanged.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings.dev")

app = Celery("gridgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
