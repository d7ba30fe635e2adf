"""The deadline sweep: flag open orders that passed their deadline, remind those about to.

Rules (docs/exchange.md, section "The deadline sweep"):
- open orders are those dispatched, accepted or supervised that have a deadline;
- past its deadline (now > deadline) and not yet flagged: overdue=True and one `overdue` event;
- not overdue, not yet reminded and inside the reminder window: reminded=True and one `remind` event.
  The window opens one working day before a working-day deadline (the same clock time on the previous
  working day), and for an hour deadline when a quarter of the allotted hours remain (at most 24 h);
- an order whose latest event is later than `now` is skipped: the sweep never writes history out of order;
- each event is appended under a row lock with seq = the bumped WorkOrder.version, so running the sweep
  twice, or beside transition(), adds nothing twice and keeps seqs contiguous.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from hotline.directory.models import Role
from hotline.workcalendar.models import DeadlineRule
from hotline.workcalendar.services import WorkingCalendar, find_rule
from hotline.workorders.chain import event_hash
from hotline.workorders.models import OPEN_STATUSES, Action, Event, WorkOrder

CHUNK = 200  # orders locked per transaction
MAX_HOUR_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class SweepResult:
    now: dt.datetime
    checked: int  # open orders with a deadline examined
    overdue: int  # newly flagged overdue
    reminded: int  # newly reminded
    skipped: int  # history already later than `now`

    def summary(self) -> str:
        line = (f"tick {timezone.localtime(self.now).isoformat()}: {self.checked} open orders checked, "
                f"{self.overdue} newly overdue, {self.reminded} reminded")
        return line + (f", {self.skipped} skipped (history later than now)" if self.skipped else "")


class _Windows:
    """When the reminder window opens for an order's deadline; rules and calendar read once per sweep."""

    def __init__(self) -> None:
        self.calendar = WorkingCalendar.load()
        self.rules: dict[tuple[str, int | None, str], DeadlineRule | None] = {}

    def remind_from(self, order: WorkOrder) -> dt.datetime:
        assert order.deadline is not None
        key = (order.box, order.appeal_type_id, order.urgency)
        if key not in self.rules:
            self.rules[key] = find_rule(box=order.box, appeal_type_id=order.appeal_type_id, urgency=order.urgency)
        rule = self.rules[key]
        if rule is not None and rule.unit == DeadlineRule.Unit.HOURS:
            return order.deadline - min(MAX_HOUR_WINDOW, dt.timedelta(hours=rule.amount) / 4)
        local = timezone.localtime(order.deadline)
        day = local.date() - dt.timedelta(days=1)
        while not self.calendar.is_workday(day):
            day -= dt.timedelta(days=1)
        return dt.datetime.combine(day, local.timetz())


def sweep(*, now: dt.datetime) -> SweepResult:
    """Flag overdue and remind due-soon open orders as of `now` (timezone-aware). Idempotent."""
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    windows = _Windows()
    open_orders = WorkOrder.objects.filter(status__in=OPEN_STATUSES, deadline__isnull=False)
    checked = open_orders.count()
    # Candidates: not yet overdue, and either past the deadline or not yet reminded.
    ids = list(open_orders.filter(Q(overdue=False) & (Q(deadline__lt=now) | Q(reminded=False)))
               .order_by("pk").values_list("pk", flat=True))
    overdue = reminded = skipped = 0
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            orders = list(open_orders.select_for_update().filter(pk__in=ids[start:start + CHUNK]).order_by("pk"))
            latest = dict(Event.objects.filter(order__in=[o.pk for o in orders]).values("order")
                          .annotate(last=Max("at")).values_list("order", "last"))
            tips = dict(Event.objects.filter(order__in=[o.pk for o in orders], seq=F("order__version"))
                        .values_list("order", "hash"))
            events: list[Event] = []
            for order in orders:
                assert order.deadline is not None
                if order.overdue:
                    continue
                if order.deadline < now:
                    kind = Action.OVERDUE
                elif not order.reminded and now >= windows.remind_from(order):
                    kind = Action.REMIND
                else:
                    continue
                if latest.get(order.pk) and latest[order.pk] > now:
                    skipped += 1
                    continue
                order.overdue = order.overdue or kind == Action.OVERDUE
                order.reminded = order.reminded or kind == Action.REMIND
                order.version += 1
                order.save(update_fields=["overdue", "reminded", "version"])
                content: dict[str, Any] = dict(kind=kind, at=now, actor_role=Role.SYSTEM, from_status=order.status,
                               to_status=order.status, unit_id=order.unit_id, reason="",
                               data={"deadline": timezone.localtime(order.deadline).isoformat()})
                digest = event_hash(tips.get(order.pk, ""), number=order.number, seq=order.version,
                                    actor_id=None, **content)
                events.append(Event(order=order, seq=order.version, actor=None, box=order.box, hash=digest,
                                    **content))
                overdue += kind == Action.OVERDUE
                reminded += kind == Action.REMIND
            Event.objects.bulk_create(events)
    return SweepResult(now=now, checked=checked, overdue=overdue, reminded=reminded, skipped=skipped)
