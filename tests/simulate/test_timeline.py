"""Simulated times: deadlines as the product computes them, chains of steps inside their bounds."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from hotline.directory.models import AppealType
from hotline.simulate.timeline import TZ, Clock, Gap, History, Step, schedule
from hotline.workcalendar.services import compute_deadline
from hotline.workorders.services import transition
from tests.factories import City

STARTS = [dt.datetime(2024, 4, 28, 9, 30, tzinfo=TZ), dt.datetime(2024, 4, 30, 22, 0, tzinfo=TZ),
          dt.datetime(2024, 5, 31, 16, 0, tzinfo=TZ), dt.datetime(2023, 9, 27, 10, 0, tzinfo=TZ),
          dt.datetime(2023, 10, 7, 9, 0, tzinfo=TZ)]


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("box,urgency", [("hotline", "normal"), ("mailbox", "normal"), ("hotline", "urgent"),
                                         ("hotline", "very_urgent")])
def test_clock_deadlines_are_those_of_compute_deadline(calendar: None, start: dt.datetime, box: str,
                                                       urgency: str) -> None:
    clock = Clock(dict(AppealType.objects.values_list("code", "id")))
    expected = compute_deadline(start=start, box=box, appeal_type_id=None, urgency=urgency)
    assert clock.deadline(start, box, None, urgency) == (expected.at, expected.fallback)


def test_clock_extension_is_that_of_an_approved_request(city: City) -> None:
    order = city.dispatched(at=dt.datetime(2024, 4, 26, 10, tzinfo=TZ))
    handler, dispatcher = city.user("handler_a"), city.user("dispatcher")
    transition(order=order, action="accept", actor=handler, at=dt.datetime(2024, 4, 26, 11, tzinfo=TZ))
    transition(order=order, action="request_extension", actor=handler, reason="需协调", data={"days": 5},
               at=dt.datetime(2024, 4, 28, 9, tzinfo=TZ))
    before = order.deadline
    transition(order=order, action="approve_extension", actor=dispatcher, at=dt.datetime(2024, 4, 28, 10, tzinfo=TZ))
    order.refresh_from_db()
    clock = Clock({})
    assert before is not None and clock.extend(before, 5)[0] == order.deadline


def test_schedule_keeps_every_step_inside_its_bounds() -> None:
    rng = random.Random(7)
    start = dt.datetime(2024, 5, 29, 15, 0, tzinfo=TZ)
    month_end = dt.datetime(2024, 6, 1, tzinfo=TZ)
    for _ in range(200):
        gaps = [Gap(0.2, 6, 0.1), Gap(3, 80, 1, before=start + dt.timedelta(days=1)), Gap(0.3, 12, 0.1),
                Gap(0.3, 30, 0.05, before=month_end - dt.timedelta(seconds=1)),
                Gap(1, 20, 0.5, after=month_end, optional=True)]
        times = schedule(rng, start, gaps, dt.datetime(2024, 6, 10, tzinfo=TZ))
        required = [t for t in times[:4] if t is not None]
        assert len(required) == 4
        assert required == sorted(required) and required[0] > start
        assert required[1] <= start + dt.timedelta(days=1)
        assert required[3] < month_end
        assert times[4] is None or times[4] >= month_end


def test_schedule_refuses_a_chain_that_cannot_fit() -> None:
    start = dt.datetime(2024, 5, 31, 23, 0, tzinfo=TZ)
    with pytest.raises(ValueError):
        schedule(random.Random(1), start, [Gap(3, 80, 2, before=start + dt.timedelta(hours=1))],
                 dt.datetime(2024, 6, 10, tzinfo=TZ))


def test_replay_raises_the_sweeps_remind_and_overdue_events(calendar: None) -> None:
    clock = Clock({})
    h = History(clock, "hotline", None, "normal", dt.datetime(2024, 6, 10, tzinfo=TZ))
    t = dt.datetime(2024, 5, 6, 10, 0, tzinfo=TZ)
    h.replay([Step("create", t, "op", "operator", data={"channel": "phone"}),
              Step("dispatch", t + dt.timedelta(minutes=30), "d", "dispatcher", data={"unit": "U1"}),
              Step("accept", t + dt.timedelta(hours=2), "h", "unit_handler")])
    kinds = [e["kind"] for e in h.events]
    assert kinds == ["create", "dispatch", "accept", "remind", "overdue"]
    # dispatched Monday 6 May 2024: five working days end on Saturday 11 May (a make-up working day),
    # so the sweep reminds at the first tick after Friday 10 May 23:59:59 and flags it overdue after the 11th
    assert [e["at"] for e in h.events[3:]] == ["2024-05-11T00:00:00+08:00", "2024-05-12T00:00:00+08:00"]
    assert h.overdue and h.reminded and h.status == "accepted"
