"""Background jobs (django-tasks, database backend; run by `hotline worker`). Each calls the same
service the command line calls, so `hotline tick` and the worker do the same thing."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task

from hotline.directory.models import Role, User
from hotline.workorders.deadlines import sweep
from hotline.workorders.models import Notification
from hotline.workorders.notify import deliver
from hotline.workorders.reminders import notify_deadline_events


@task()
def deadline_sweep() -> dict[str, Any]:
    """The deadline sweep (`hotline tick`), then reminders to the people concerned."""
    now = timezone.now()
    result = sweep(now=now)
    notified = notify_deadline_events(since=now)
    return {"summary": result.summary(), "notified": notified}


@task()
def verify_chains() -> dict[str, Any]:
    """Nightly: check the audit and event hash chains; a broken chain is reported to every administrator."""
    from hotline.audit.chain import Broken
    from hotline.audit.verification import verify_all

    try:
        reports = verify_all()
    except Broken as exc:
        admins = User.objects.filter(role=Role.ADMIN, is_active=True) | User.objects.filter(is_superuser=True,
                                                                                           is_active=True)
        now = timezone.now()
        notes = [Notification.objects.create(user=u, kind=Notification.Kind.INTEGRITY, created_at=now,
                                             text=f"审计/事件哈希链校验失败：{exc}"[:300]) for u in admins.distinct()]
        deliver(notes)
        return {"ok": False, "broken": str(exc)}
    return {"ok": True, "rows": {r.name: r.rows for r in reports}}


@task()
def prune_task_results(days: int = 30) -> int:
    """Finished task rows older than `days` are deleted (the queue table would grow forever)."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _ = DBTaskResult.objects.filter(finished_at__lt=cutoff).delete()
    return deleted
