"""Background jobs of the bulletin app (django-tasks; run by `hotline worker`)."""
from __future__ import annotations

from django.core.cache import cache
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
    stamp = dashboard._stamp()
    refreshed = []
    for box in ("hotline", "mailbox"):
        snap = cache.get(dashboard._key(month, box))
        if isinstance(snap, dashboard._Snapshot) and snap.stamp != stamp:
            dashboard.refresh_leader_month(month, box, stamp=stamp)
            refreshed.append(f"{month}:{box}")
    return refreshed
