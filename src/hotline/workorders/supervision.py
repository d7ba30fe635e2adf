"""Reads for the supervisor's desk (督办台), each scoped through visible_orders(user)."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from hotline.directory.models import Unit, User
from hotline.workorders.models import OPEN_STATUSES, Action, Event, Status, WorkOrder
from hotline.workorders.selectors import unit_subtree_ids, visible_orders

# Cases a unit still owes something on (the "open problems" of a unit).
PENDING = (Status.DISPATCHED, Status.ACCEPTED, Status.SUPERVISED, Status.RETURNED, Status.REPLIED,
           Status.VERIFYING, Status.UNSATISFIED)


def with_joins(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """What a list row shows beside the case itself."""
    return qs.select_related("unit", "category", "channel")


def _listed(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    return qs


def to_verify(user: User) -> QuerySet[WorkOrder]:
    """Unsatisfied callbacks waiting for a person to verify them, oldest first."""
    return _listed(visible_orders(user).filter(status=Status.VERIFYING)).order_by("received_at", "id")


def to_supervise(user: User) -> QuerySet[WorkOrder]:
    """Verified unsatisfied cases, to be supervised back to their unit."""
    return _listed(visible_orders(user).filter(status=Status.UNSATISFIED)).order_by("received_at", "id")


def under_supervision(user: User) -> QuerySet[WorkOrder]:
    """Cases being rectified under supervision, nearest supervision deadline first."""
    return _listed(visible_orders(user).filter(status=Status.SUPERVISED)).order_by("deadline", "id")


def overdue_open(user: User, *, unit: Unit | None = None) -> QuerySet[WorkOrder]:
    """Open cases past their deadline across all units (or one unit's subtree), longest overdue first."""
    qs = visible_orders(user).filter(overdue=True, status__in=OPEN_STATUSES)
    if unit is not None:
        qs = qs.filter(unit_id__in=unit_subtree_ids(unit.pk))
    return _listed(qs).order_by("deadline", "id")


def counts(user: User) -> dict[str, int]:
    """The tab counters: one grouped query over the statuses plus one overdue count."""
    by_status = dict(visible_orders(user).filter(status__in=(Status.VERIFYING, Status.UNSATISFIED, Status.SUPERVISED))
                     .order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        "verify": by_status.get(Status.VERIFYING, 0), "supervise": by_status.get(Status.UNSATISFIED, 0),
        "supervised": by_status.get(Status.SUPERVISED, 0),
        "overdue": visible_orders(user).filter(overdue=True, status__in=OPEN_STATUSES).count(),
    }


def units_at_a_glance(user: User, *, limit: int = 30) -> list[dict[str, Any]]:
    """Per unit: cases it still owes work on, overdue, under supervision, extension pending; worst first.

    Grouped by (status, unit), then summed per unit here: that grouping follows the workorder_status_unit
    index (an index-only read of the pending statuses), where grouping by unit alone made SQLite walk all
    million cases in unit order (263 ms at 1,000,000 cases, docs/decisions.md)."""
    rows = (visible_orders(user).filter(status__in=PENDING, unit__isnull=False).order_by()
            .values("status", "unit")
            .annotate(n=Count("id"), late=Count("id", filter=Q(overdue=True)),
                      ext=Count("id", filter=Q(extension_pending=True))))
    units: dict[int, dict[str, Any]] = {}
    for r in rows:
        u = units.setdefault(r["unit"], {"unit": r["unit"], "pending": 0, "overdue": 0, "supervised": 0,
                                         "unsatisfied": 0, "extension": 0, "returned": 0})
        status = r["status"]
        u["pending"] += r["n"]
        u["extension"] += r["ext"]
        if status in OPEN_STATUSES:
            u["overdue"] += r["late"]
        if status == Status.SUPERVISED:
            u["supervised"] += r["n"]
        elif status in (Status.VERIFYING, Status.UNSATISFIED):
            u["unsatisfied"] += r["n"]
        elif status == Status.RETURNED:
            u["returned"] += r["n"]
    ranked = sorted(units.values(), key=lambda r: (-r["overdue"], -r["supervised"], -r["unsatisfied"],
                                                   -r["pending"], r["unit"]))[:limit]
    names = dict(Unit.objects.filter(pk__in=[r["unit"] for r in ranked]).values_list("pk", "name"))
    return [{**r, "name": names.get(r["unit"], "")} for r in ranked]


def unit_problems(user: User, *, unit: Unit) -> QuerySet[WorkOrder]:
    """One unit's (and its sub-units') open problems: overdue, supervised, unsatisfied, extension pending."""
    problem = (Q(overdue=True, status__in=OPEN_STATUSES) | Q(status__in=(Status.SUPERVISED, Status.VERIFYING,
               Status.UNSATISFIED, Status.RETURNED)) | Q(extension_pending=True))
    qs = visible_orders(user).filter(problem, unit_id__in=unit_subtree_ids(unit.pk))
    return _listed(qs).order_by("deadline", "id")


def last_callback(order: WorkOrder) -> Event | None:
    return Event.objects.filter(order=order, kind=Action.CALLBACK).order_by("-seq").first()


def last_reply(order: WorkOrder) -> Event | None:
    return (Event.objects.filter(order=order, kind__in=(Action.REPLY, Action.RECTIFY))
            .select_related("actor").order_by("-seq").first())
