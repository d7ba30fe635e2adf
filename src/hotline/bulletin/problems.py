"""存在的问题: problems detected in the event history, each row listing the cases behind it.

- seriously overdue: orders open at the cut-off (dispatched, accepted or under supervision)
  still open `working_days` working days after their deadline in force (the assessment's
  threshold), whose unit asked for no extension since the order last reached it. This is the
  stock at the cut-off ("1 月份的工单至今未办理"); the ledger's −0.5 points count each case
  once, in the month it crossed the line;
- bounced: orders (re)dispatched in the month whose dispatch + redispatch events, up to the
  cut-off, number `threshold` or more;
- rejected replies: per unit, replies sent back for rework in the month and dissatisfaction
  upheld on verification in the month (reply judged false or off the point on callback).

Rows name the accountable unit: the top of the responsible unit's tree.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from hotline.bulletin.period import Month
from hotline.bulletin.selectors import Box, boxes, cutoff
from hotline.directory.models import Unit
from hotline.workcalendar.services import WorkingCalendar
from hotline.workorders.models import OPEN_STATUSES, Action, Event, WorkOrder

# Events that (re)start the clock on an order: an extension asked before them does not carry over.
RESTART = frozenset({Action.DISPATCH, Action.REDISPATCH, Action.SUPERVISE})
ASSIGN = (Action.DISPATCH, Action.REDISPATCH)


class _Units:
    def __init__(self) -> None:
        self.rows = {u[0]: u[1:] for u in Unit.objects.values_list("id", "name", "parent_id")}

    def top(self, unit_id: int | None) -> int | None:
        seen: set[int] = set()
        while unit_id is not None and unit_id in self.rows and self.rows[unit_id][1] is not None:
            if unit_id in seen:
                break
            seen.add(unit_id)
            unit_id = self.rows[unit_id][1]
        return unit_id

    def name(self, unit_id: int | None) -> str:
        return self.rows[unit_id][0] if unit_id in self.rows else "（未派单）"


def seriously_overdue(
    month: Month, box: Box, *, as_of: dt.datetime | None = None, working_days: int = 5, lookback_days: int = 366,
) -> list[dict[str, Any]]:
    """Per accountable unit: seriously overdue open orders at the cut-off, the oldest month still open."""
    end = cutoff(month, as_of)
    # Open at the cut-off means open now, or touched after the cut-off (its state then may differ).
    candidates = WorkOrder.objects.filter(
        Q(status__in=OPEN_STATUSES) | Exists(Event.objects.filter(order=OuterRef("pk"), at__gt=end)),
        Exists(Event.objects.filter(order=OuterRef("pk"), kind=Action.DISPATCH, at__lte=end)),
        box__in=boxes(box), received_at__gte=end - dt.timedelta(days=lookback_days),
    )
    state: dict[int, dict[str, Any]] = {}
    events = Event.objects.filter(order__in=candidates, at__lte=end).order_by("order_id", "seq")
    for order_id, kind, to_status, unit_id, data in events.values_list("order_id", "kind", "to_status", "unit_id",
                                                                        "data").iterator():
        s = state.setdefault(order_id, {"deadline": None, "asked": False})
        s["status"], s["unit"] = to_status, unit_id
        if kind in RESTART:
            s["asked"] = False
        if kind == Action.REQUEST_EXTENSION:
            s["asked"] = True
        if (data or {}).get("deadline") and kind != Action.REPLY:
            s["deadline"] = dt.datetime.fromisoformat(data["deadline"])
    calendar = WorkingCalendar.load()

    def crossed(deadline: dt.datetime) -> bool:
        local = timezone.localtime(deadline)
        limit = dt.datetime.combine(calendar.add_working_days(local.date(), working_days).date, local.timetz())
        return limit < end

    late = [oid for oid, s in state.items()
            if s["status"] in OPEN_STATUSES and not s["asked"] and s["deadline"] and crossed(s["deadline"])]
    units = _Units()
    per_unit: dict[int | None, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for oid, number, received in WorkOrder.objects.filter(pk__in=late).values_list("pk", "number", "received_at"):
        per_unit[units.top(state[oid]["unit"])].append((received, number))
    rows = []
    for top_id, cases in per_unit.items():
        cases.sort()
        first = timezone.localtime(cases[0][0])
        oldest = Month(first.year, first.month)
        rows.append({"unit": units.name(top_id), "unit_id": top_id, "count": len(cases),
                     "oldest_month": str(oldest), "oldest_label": oldest.label, "orders": [n for _, n in cases]})
    return sorted(rows, key=lambda r: (-r["count"], r["oldest_month"], r["unit"]))


def bounced(month: Month, box: Box, *, as_of: dt.datetime | None = None, threshold: int = 3) -> list[dict[str, Any]]:
    """Orders (re)dispatched in the month that have been dispatched `threshold` times or more."""
    end = cutoff(month, as_of)
    assigns = Event.objects.filter(kind__in=ASSIGN, at__lte=end, box__in=boxes(box))
    # One grouping of all assignments up to the cut-off: the orders dispatched `threshold` times or
    # more, at least once in the month.
    heavy = (assigns.order_by().values("order_id")
             .annotate(n=Count("id"), in_month=Count("id", filter=Q(at__gte=month.start, at__lt=month.end)))
             .filter(n__gte=threshold, in_month__gte=1).values_list("order_id", flat=True))
    units = _Units()
    chains: dict[int, list[str]] = defaultdict(list)
    for order_id, unit_id in assigns.filter(order_id__in=heavy).order_by("order_id", "seq").values_list(
            "order_id", "unit_id"):
        chains[order_id].append(units.name(units.top(unit_id)))
    numbers = dict(WorkOrder.objects.filter(pk__in=chains).values_list("pk", "number"))
    rows = [{"number": numbers[oid], "times": len(chain), "units": chain} for oid, chain in chains.items()]
    return sorted(rows, key=lambda r: (-r["times"], r["number"]))


def rejected_replies(month: Month, box: Box, *, as_of: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per accountable unit: replies sent back for rework, and dissatisfaction upheld on verification."""
    end = min(cutoff(month, as_of), month.end)
    events = Event.objects.filter(
        kind__in=(Action.REWORK, Action.VERIFY), at__gte=month.start, at__lt=end, box__in=boxes(box),
    ).order_by("at", "order_id", "seq")
    units = _Units()
    rows: dict[int | None, dict[str, Any]] = {}
    for kind, unit_id, data, number in events.values_list("kind", "unit_id", "data", "order__number"):
        if kind == Action.VERIFY and (data or {}).get("upheld") is not True:
            continue
        top = units.top(unit_id)
        row = rows.setdefault(top, {"unit": units.name(top), "unit_id": top, "reworked": 0, "upheld": 0,
                                    "orders": {}})
        row["reworked" if kind == Action.REWORK else "upheld"] += 1
        row["orders"][number] = None  # an insertion-ordered set: first mention first
    for row in rows.values():
        row["orders"] = list(row["orders"])
    return sorted(rows.values(), key=lambda r: (-(r["reworked"] + r["upheld"]), r["unit"]))
