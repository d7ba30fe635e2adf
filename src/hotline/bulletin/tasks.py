"""Background jobs of the bulletin app (django-tasks; run by `hotline worker`)."""
from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from hotline.bulletin import dashboard
from hotline.bulletin.period import Month


@task()
def refresh_dashboards() -> list[str]:
    """Recompute the current month's leader figures when something was written since their snapshot.

    Only snapshots someone has looked at (they exist) are refreshed: a city nobody watches costs nothing."""
    today = timezone.localdate()
    month = Month(today.year, today.month)
    return [f"{month}:{box}" for box in ("hotline", "mailbox") if dashboard.refresh_if_stale(month, box)]
