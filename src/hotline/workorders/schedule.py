"""The periodic jobs and when each is due. `hotline worker` calls enqueue_due() between task batches;
the last enqueue time is read back from the task table itself, so restarts and several workers agree
(at worst two workers enqueue the same job once, and every job here is idempotent)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Periodic:
    task: Any
    every: dt.timedelta


# Dotted path of each periodic task and its period in seconds. Named here by path (imported when the
# worker runs) so the scheduler does not depend on the apps whose jobs it runs.
PERIODIC = [
    ("hotline.workorders.tasks.deadline_sweep", None),  # every HOTLINE_SWEEP_MINUTES
    ("hotline.workorders.tasks.verify_chains", 86400),
    ("hotline.workorders.tasks.prune_task_results", 86400),
    ("hotline.bulletin.tasks.refresh_dashboards", 60),
]


def periodic_jobs() -> list[Periodic]:
    from django.utils.module_loading import import_string

    sweep = dt.timedelta(minutes=int(getattr(settings, "HOTLINE_SWEEP_MINUTES", 5)))
    return [Periodic(import_string(path), dt.timedelta(seconds=every) if every else sweep)
            for path, every in PERIODIC]


def enqueue_due(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose last run was enqueued longer ago than its period."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    queued = []
    for job in periodic_jobs():
        path = job.task.module_path
        recent = DBTaskResult.objects.filter(task_path=path, enqueued_at__gt=now - job.every).exists()
        if not recent:
            job.task.enqueue()
            queued.append(path)
    return queued
