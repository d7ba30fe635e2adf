"""Deadline reminders to people: after a sweep, each new remind/overdue event becomes a Notification for
the unit's handlers (and, when overdue, the supervisors). Idempotent: one notification per user and event."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from hotline.directory.models import Role, User
from hotline.workorders.models import Action, Event, Notification
from hotline.workorders.notify import deliver


def _recipients(event: Event, supervisors: list[User]) -> list[User]:
    handlers = list(User.objects.filter(role=Role.UNIT_HANDLER, unit_id=event.unit_id, is_active=True)) \
        if event.unit_id else []
    return handlers + (supervisors if event.kind == Action.OVERDUE else [])


def notify_deadline_events(*, since: dt.datetime) -> int:
    """Notify the people concerned by every remind/overdue event at or after `since`; returns new rows."""
    events = (Event.objects.filter(kind__in=[Action.REMIND, Action.OVERDUE], at__gte=since)
              .select_related("order").order_by("at", "id"))
    supervisors = list(User.objects.filter(Q(role=Role.SUPERVISOR), is_active=True))
    created: list[Notification] = []
    now = timezone.now()
    for event in events:
        deadline = timezone.localtime(event.order.deadline).strftime("%m-%d %H:%M") if event.order.deadline else ""
        text = (f"工单 {event.order.number} 已超过办理时限（{deadline}）" if event.kind == Action.OVERDUE
                else f"工单 {event.order.number} 将于 {deadline} 到期，请及时办理")
        for user in _recipients(event, supervisors):
            note, made = Notification.objects.get_or_create(
                user=user, event=event,
                defaults={"kind": event.kind, "order": event.order, "text": text, "created_at": now})
            if made:
                created.append(note)
    deliver(created)
    return len(created)
