"""The deadline sweep (`hotline tick`): overdue flags, reminders, idempotence, row-level history rules."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from hotline.workorders.deadlines import sweep
from hotline.workorders.models import Event, WorkOrder
from hotline.workorders.services import transition

TZ = timezone.get_current_timezone()


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=TZ)


def kinds(order: WorkOrder) -> list[str]:
    return list(order.events.order_by("seq").values_list("kind", flat=True))


@pytest.fixture
def order(city) -> WorkOrder:
    """Dispatched Tuesday 2024-04-30 10:00; 5 working days after the May Day holiday: due 2024-05-10 23:59:59."""
    o = city.dispatched(at=at(4, 30))
    assert o.deadline == dt.datetime(2024, 5, 10, 23, 59, 59, tzinfo=TZ)
    return o


def test_past_deadline_marks_overdue_with_one_system_event(order):
    result = sweep(now=at(5, 11, 9))
    order.refresh_from_db()
    assert (result.overdue, result.reminded) == (1, 0)
    assert order.overdue and not order.reminded
    event = order.events.get(kind="overdue")
    assert (event.seq, event.actor, event.actor_role, event.at) == (3, None, "system", at(5, 11, 9))
    assert (event.from_status, event.to_status, event.unit_id) == ("dispatched", "dispatched", order.unit_id)
    assert event.data == {"deadline": "2024-05-10T23:59:59+08:00"}
    assert order.version == 3


def test_overdue_is_flagged_once(order):
    sweep(now=at(5, 11, 9))
    second = sweep(now=at(5, 13, 9))
    assert (second.overdue, second.reminded) == (0, 0)
    assert kinds(order) == ["create", "dispatch", "overdue"]


def test_deadline_itself_is_not_yet_overdue(order):
    assert sweep(now=dt.datetime(2024, 5, 10, 23, 59, 59, tzinfo=TZ)).overdue == 0


def test_reminder_inside_last_working_day(order):
    assert sweep(now=at(5, 9, 23, 59)).reminded == 0  # before Thursday 23:59:59, the previous working day
    result = sweep(now=at(5, 10, 8))
    order.refresh_from_db()
    assert result.reminded == 1 and order.reminded and not order.overdue
    assert kinds(order) == ["create", "dispatch", "remind"]


def test_reminded_once(order):
    sweep(now=at(5, 10, 8))
    assert sweep(now=at(5, 10, 12)).reminded == 0
    assert kinds(order) == ["create", "dispatch", "remind"]


def test_reminder_window_follows_the_holiday_calendar(city):
    # Dispatched Thu 2024-04-25: due Mon 2024-05-06 (Sun 04-28 is a make-up working day; May 1-5 off).
    o = city.dispatched(at=at(4, 25))
    assert o.deadline.date() == dt.date(2024, 5, 6)
    assert sweep(now=at(4, 30, 12)).reminded == 0
    assert sweep(now=at(5, 1, 10)).reminded == 1  # the last working day before the deadline was April 30


def test_hour_deadline_reminds_when_a_quarter_remains(city):
    o = city.dispatched(at=at(5, 6, 10), urgency="very_urgent")  # 24 h: due 2024-05-07 10:00, window 6 h
    assert o.deadline == at(5, 7, 10)
    assert sweep(now=at(5, 7, 3, 59)).reminded == 0
    assert sweep(now=at(5, 7, 4)).reminded == 1


def test_overdue_order_is_not_also_reminded(order):
    sweep(now=at(5, 11, 9))
    sweep(now=at(5, 11, 10))
    order.refresh_from_db()
    assert order.overdue and not order.reminded
    assert kinds(order) == ["create", "dispatch", "overdue"]


def test_reminded_order_later_becomes_overdue(order):
    sweep(now=at(5, 10, 8))
    sweep(now=at(5, 11, 8))
    assert kinds(order) == ["create", "dispatch", "remind", "overdue"]


def test_closed_and_unopened_orders_are_ignored(city):
    closed = city.dispatched(at=at(4, 1))
    h = city.user("handler_a")
    transition(order=closed, action="accept", actor=h, at=at(4, 2))
    transition(order=closed, action="reply", actor=h, data={"text": "已办理"}, at=at(4, 3))
    transition(order=closed, action="accept_reply", actor=city.user("reviewer"), at=at(4, 3, 12))
    transition(order=closed, action="callback", actor=None, data={"result": "satisfied"}, at=at(4, 4))
    city.new_order(at=at(4, 1))  # new: no deadline yet
    result = sweep(now=at(6, 1))
    assert (result.checked, result.overdue, result.reminded) == (0, 0, 0)
    assert not Event.objects.filter(kind__in=["overdue", "remind"]).exists()


def test_accepted_orders_are_swept(city):
    o = city.dispatched(at=at(4, 30))
    transition(order=o, action="accept", actor=city.user("handler_a"), at=at(5, 6))
    assert sweep(now=at(5, 11)).overdue == 1
    assert o.events.get(kind="overdue").from_status == "accepted"


def test_supervised_orders_are_swept_against_the_rectification_deadline(city):
    o = city.dispatched(at=at(4, 1))
    h, sup = city.user("handler_a"), city.user("supervisor")
    transition(order=o, action="accept", actor=h, at=at(4, 2))
    transition(order=o, action="reply", actor=h, data={"text": "已办理"}, at=at(4, 3))
    transition(order=o, action="accept_reply", actor=city.user("reviewer"), at=at(4, 3, 12))
    transition(order=o, action="callback", actor=None, data={"result": "unsatisfied"}, at=at(4, 4))
    transition(order=o, action="verify", actor=sup, data={"upheld": True}, at=at(4, 5))
    transition(order=o, action="supervise", actor=sup, reason="未解决", at=at(4, 30))
    assert sweep(now=at(5, 10, 9)).reminded == 1
    assert sweep(now=at(5, 11, 9)).overdue == 1
    assert kinds(o)[-2:] == ["remind", "overdue"]
    assert o.events.get(kind="overdue").to_status == "supervised"


def test_seqs_stay_contiguous_with_later_transitions(order, city):
    sweep(now=at(5, 10, 8))
    transition(order=order, action="accept", actor=city.user("handler_a"), at=at(5, 10, 9))
    sweep(now=at(5, 11, 9))
    order.refresh_from_db()
    assert list(order.events.order_by("seq").values_list("seq", "kind")) == [
        (1, "create"), (2, "dispatch"), (3, "remind"), (4, "accept"), (5, "overdue"),
    ]
    assert order.version == 5


def test_history_later_than_now_is_not_rewritten(order, city):
    transition(order=order, action="accept", actor=city.user("handler_a"), at=at(5, 12))
    result = sweep(now=at(5, 11, 9))
    assert (result.overdue, result.skipped) == (0, 1)
    assert kinds(order) == ["create", "dispatch", "accept"]


def test_command_with_now_prints_summary(order):
    out = io.StringIO()
    call_command("tick", "--now", "2024-05-11T09:00:00+08:00", stdout=out)
    assert out.getvalue() == "tick 2024-05-11T09:00:00+08:00: 1 open orders checked, 1 newly overdue, 0 reminded\n"


def test_command_reads_naive_now_in_local_time(order):
    out = io.StringIO()
    call_command("tick", "--now", "2024-05-10T08:00", stdout=out)
    assert "1 reminded" in out.getvalue()
    assert order.events.get(kind="remind").at == at(5, 10, 8)


def test_command_uses_the_clock_by_default(order):
    with time_machine.travel(at(5, 13, 9), tick=False):
        call_command("tick", stdout=io.StringIO())
        call_command("tick", stdout=io.StringIO())
    assert order.events.get(kind="overdue").at == at(5, 13, 9)


def test_command_rejects_bad_now(db):
    with pytest.raises(CommandError, match="--now"):
        call_command("tick", "--now", "tomorrow", stdout=io.StringIO())
