"""The leader's month at a glance (领导驾驶舱): one read of the month's figures, cached.

Every figure is one the drill-down (`figure_orders`) can list the cases of. Computing the month scans
all of its cases (a million in a big city), so the result is kept as a snapshot stamped with the
newest event's id and the newest case's id. A view with the same stamp (nothing written since) costs
a few index lookups. After a write the snapshot is recomputed on the spot when that is quick (under
SLOW_SECONDS, e.g. any month of an ordinary city); a month slow to compute is served from a snapshot up
to HOTLINE_DASHBOARD_MAX_AGE seconds old, with its time on the page, and `hotline worker` refreshes the
current month's snapshots every minute (bulletin.tasks.refresh_dashboards), so under a steady stream of
writes no leader waits for the scan. Closed months' callback figures (the satisfaction trend) never
change once the month is over and are cached for a day.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from hotline.bulletin import selectors
from hotline.bulletin.period import Month
from hotline.directory.models import Channel
from hotline.workorders.models import OPEN_STATUSES, Action, Event, WorkOrder

TREND_MONTHS = 12
TOP_CHANNELS = 4  # the rest of the channels are summed as 其他渠道
LEADER_DAY_TAG = "leader_day"
SLOW_SECONDS = 1.0  # a month that computes faster than this is always shown as of now


@dataclass
class LeaderMonth:
    month: Month
    box: str
    received: int
    answered: int
    dispatched: int
    overdue: int
    supervised: int
    leader_day: int
    satisfaction: dict[str, Any]
    channels: list[tuple[str, str]]  # (code, name) in stacking order; "" = the other channels together
    days: list[tuple[dt.date, dict[str, int]]]  # per day: channel code -> cases
    top_categories: list[dict[str, Any]]
    hot_items: list[dict[str, Any]]
    trend: list[tuple[Month, Decimal | None, int]] = field(default_factory=list)  # (month, rate, reached)
    as_of: dt.datetime | None = None  # when the figures were computed
    seconds: float = 0.0  # how long computing them took


@dataclass(frozen=True)
class _Snapshot:
    stamp: tuple[int, int]
    data: LeaderMonth


def _stamp() -> tuple[int, int]:
    events = Event.objects.aggregate(m=Max("id"))["m"] or 0
    orders = WorkOrder.objects.aggregate(m=Max("id"))["m"] or 0
    return events, orders


def leader_month(month: Month, box: str = "hotline") -> LeaderMonth:
    """The month's figures: as of now, or from a snapshot at most HOTLINE_DASHBOARD_MAX_AGE old when
    the month is slow to compute (see the module's docstring)."""
    stamp = _stamp()
    snap = cache.get(_key(month, box))
    if isinstance(snap, _Snapshot) and (snap.stamp == stamp or _recent_enough(snap.data)):
        return snap.data
    return refresh_leader_month(month, box, stamp=stamp)


def refresh_leader_month(month: Month, box: str = "hotline", *, stamp: tuple[int, int] | None = None) -> LeaderMonth:
    """Compute the month's figures now and keep them as the snapshot."""
    stamp = stamp or _stamp()
    started = time.perf_counter()
    data = _compute(month, box)
    data.as_of, data.seconds = timezone.now(), time.perf_counter() - started
    cache.set(_key(month, box), _Snapshot(stamp, data), 86400)
    return data


def _key(month: Month, box: str) -> str:
    return f"leader-month:{month}:{box}"


def _recent_enough(data: LeaderMonth) -> bool:
    max_age = float(getattr(settings, "HOTLINE_DASHBOARD_MAX_AGE", 120))
    return (data.seconds >= SLOW_SECONDS and data.as_of is not None
            and (timezone.now() - data.as_of).total_seconds() < max_age)


def _compute(month: Month, box: str) -> LeaderMonth:
    cube = selectors.month_cube(month, box)
    intake = selectors.intake_figures(month, box, cube=cube)
    valid = selectors.received_orders(month, box)
    channels, days = _days(month, box, cube)
    return LeaderMonth(
        month=month, box=box, received=intake["received"], answered=intake["answered_directly"],
        dispatched=intake["dispatched"],
        overdue=valid.filter(overdue=True, status__in=OPEN_STATUSES).count(),
        supervised=supervised_in(month, box).count(),
        leader_day=selectors.tagged(valid, LEADER_DAY_TAG).count(),
        satisfaction=_satisfaction(month, box), channels=channels, days=days,
        top_categories=selectors.by_subject(month, box, cube=cube)[:8],
        hot_items=selectors.hot_subjects(month, box, cube=cube, limit=10),
        trend=[(m, *_rate(m, box)) for m in _last_months(month)],
    )


def supervised_in(month: Month, box: str) -> Any:
    """Cases supervised (督办) in the month, whatever month they were received in."""
    events = Event.objects.filter(kind=Action.SUPERVISE, at__gte=month.start, at__lt=month.end,
                                  box__in=selectors.boxes(box))
    return WorkOrder.objects.filter(pk__in=events.values("order_id"))


def _days(month: Month, box: str, cube: selectors.MonthCube) -> tuple[list[tuple[str, str]], list[Any]]:
    """Cases per day and channel: one indexed range count per day (no per-row date function)."""
    names = dict(Channel.objects.values_list("pk", "code"))
    labels = dict(Channel.objects.values_list("code", "name"))
    ranked = [names.get(pk, "") for pk, _ in cube.by("channel_id").most_common()]
    top = [c for c in ranked if c][:TOP_CHANNELS]
    valid = selectors.received_orders(month, box)
    out: list[Any] = []
    day = month.first_day
    today = timezone.localdate()
    while day < month.next().first_day:
        start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        counts: Counter[str] = Counter()
        if day > today:  # the rest of the current month: empty slots, so the axis is the whole month
            out.append((day, {}))
            day += dt.timedelta(days=1)
            continue
        rows = (valid.filter(received_at__gte=start, received_at__lt=start + dt.timedelta(days=1))
                .order_by().values_list("channel_id").annotate(n=Count("pk")))
        for pk, n in rows:
            code = names.get(pk, "")
            counts[code if code in top else ""] += n
        out.append((day, dict(counts)))
        day += dt.timedelta(days=1)
    order = [(c, labels.get(c, c)) for c in top]
    if any("" in c for _, c in out):
        order.append(("", "其他渠道"))
    return order, out


def _satisfaction(month: Month, box: str) -> dict[str, Any]:
    return selectors.satisfaction(Counter(dict(
        selectors._callbacks(month, box).order_by().values_list("result").annotate(n=Count("pk")))))


def _rate(month: Month, box: str) -> tuple[Decimal | None, int]:
    current = month >= Month(timezone.localdate().year, timezone.localdate().month)
    key = f"leader-trend:{month}:{box}"
    found = None if current else cache.get(key)
    if found is None:
        figures = _satisfaction(month, box)
        found = (figures["satisfaction_rate"], figures["reached"])
        if not current:
            cache.set(key, found, 86400)
    return found


def _last_months(month: Month) -> list[Month]:
    months = [month]
    for _ in range(TREND_MONTHS - 1):
        months.append(months[-1].previous())
    return months[::-1]



def month_rankings(month: Month, box: str = "hotline") -> Any:
    """The month's unit ranking with grades: the published run of a scheme for `box`, else the latest
    draft; None before the month has been assessed."""
    from hotline.assessment.models import AssessmentRun, RunStatus
    from hotline.assessment.selectors import rankings
    from hotline.assessment.services import compiled

    runs = (AssessmentRun.objects.filter(month=month.first_day).select_related("scheme")
            .order_by("-created_at", "-version"))
    candidates = sorted(runs, key=lambda r: r.status != RunStatus.PUBLISHED)
    for run in candidates:
        if compiled(run.scheme).box == box:
            return rankings(run)
    return None
