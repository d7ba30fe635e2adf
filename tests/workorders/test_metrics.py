"""Monthly assessment inputs from the event history (docs/metrics.md), built through transition()."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hotline.directory.models import Unit, User
from hotline.workorders.metrics import (
    METRICS, UnitMonthMetrics, default_cutoff, floor_sql, metric_cases, month_bounds, roll_up,
    unit_month_metrics,
)
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import DomainError, transition
from tests.factories import City

TZ = ZoneInfo("Asia/Shanghai")
APRIL, MAY, JUNE = dt.date(2024, 4, 1), dt.date(2024, 5, 1), dt.date(2024, 6, 1)


def t(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=TZ)


class Flow:
    """Drives orders through transition() at explicit times."""

    def __init__(self, city: City) -> None:
        self.city = city

    def u(self, name: str) -> User:
        return self.city.user(name)

    def handler(self, unit: Unit) -> User:
        return {self.city.unit_a.pk: self.u("handler_a"), self.city.unit_a1.pk: self.u("handler_a1"),
                self.city.unit_b.pk: self.u("handler_b")}[unit.pk]

    def do(self, order: WorkOrder, action: str, actor: User | None, at: dt.datetime, reason: str = "",
           **data: Any) -> None:
        transition(order=order, action=action, actor=actor, at=at, reason=reason, data=data)

    def dispatch(self, unit: Unit, at: dt.datetime, box: str = "hotline") -> WorkOrder:
        return self.city.dispatched(unit=unit, at=at, box=box)

    def handle(self, order: WorkOrder, unit: Unit, *, accept: dt.datetime, reply: dt.datetime | None,
               contact: dt.datetime | None = None) -> None:
        h = self.handler(unit)
        self.do(order, "accept", h, accept)
        if contact:
            self.do(order, "contact", h, contact)
        if reply:
            self.do(order, "reply", h, reply, text="已办理")

    def approve(self, order: WorkOrder, at: dt.datetime) -> None:
        self.do(order, "accept_reply", self.u("reviewer"), at)

    def callback(self, order: WorkOrder, at: dt.datetime, result: str, method: str = "sms") -> None:
        self.do(order, "callback", None if method == "sms" else self.u("callback"), at, result=result)

    def simple(self, unit: Unit, day: int, *, box: str = "hotline", result: str | None = "satisfied",
               month: int = 5) -> WorkOrder:
        """Dispatched, accepted, contacted, replied on time, approved and (optionally) called back by SMS."""
        order = self.dispatch(unit, t(month, day, 9), box)
        self.handle(order, unit, accept=t(month, day, 10), contact=t(month, day, 11), reply=t(month, day, 15))
        self.approve(order, t(month, day, 16))
        if result:
            self.callback(order, t(month, day, 17), result)
        return order


@pytest.fixture
def flow(city: City) -> Flow:
    return Flow(city)


def metrics_of(unit: Unit, box: str = "hotline", month: dt.date = MAY, **kw: Any) -> UnitMonthMetrics:
    return unit_month_metrics(box=box, month=month, **kw).get(unit.pk, UnitMonthMetrics(unit_id=unit.pk))


def cases(unit: Unit, metric: str, box: str = "hotline", month: dt.date = MAY, **kw: Any) -> set[int]:
    return set(metric_cases(box=box, month=month, unit_id=unit.pk, metric=metric, **kw).values_list("pk", flat=True))


def numbers(m: UnitMonthMetrics) -> dict[str, int]:
    return {name: getattr(m, name) for name in METRICS if getattr(m, name)}


def test_month_boundaries_are_shanghai_midnights():
    start, end = month_bounds(MAY)
    assert (start, end) == (t(5, 1, 0), t(6, 1, 0))
    assert start.astimezone(dt.timezone.utc) == dt.datetime(2024, 4, 30, 16, tzinfo=dt.timezone.utc)
    assert default_cutoff(MAY) == t(6, 10, 0)
    assert month_bounds(dt.date(2024, 12, 1))[1] == dt.datetime(2025, 1, 1, tzinfo=TZ)


def test_plain_case_counts_every_input(flow, city):
    order = flow.simple(city.unit_a, 6)
    m = metrics_of(city.unit_a)
    assert numbers(m) == {"due": 1, "done": 1, "on_time": 1, "contacted": 1, "callbacks": 1, "satisfied": 1,
                          "system_callbacks": 1, "system_satisfied": 1}
    assert m.system_satisfaction == Decimal(100) and m.spot_check_satisfaction == Decimal(0)
    for metric in numbers(m):
        assert cases(city.unit_a, metric) == {order.pk}


def test_rework_twice_counts_once_and_first_reply_decides_on_time(flow, city):
    a, h = city.unit_a, flow.u("handler_a")
    order = flow.dispatch(a, t(5, 6, 9))  # deadline 2024-05-13 23:59:59
    flow.handle(order, a, accept=t(5, 6, 10), reply=t(5, 7))
    for day in (8, 16):
        flow.do(order, "rework", flow.u("reviewer"), t(5, day), reason="答非所问")
        flow.do(order, "contact", h, t(5, day, 11))  # after the first reply: does not count
        flow.do(order, "reply", h, t(5, day + 1), text="再次答复")  # the last one is late
    m = metrics_of(a)
    assert (m.due, m.done, m.on_time, m.reworked, m.contacted) == (1, 1, 1, 1, 0)
    assert cases(a, "reworked") == {order.pk} and cases(a, "contacted") == set()


def test_late_first_reply_is_not_on_time_even_if_later_reply_is(flow, city):
    b = city.unit_b
    order = flow.dispatch(b, t(5, 6, 9))
    flow.handle(order, b, accept=t(5, 6, 10), reply=t(5, 15))  # after the 13th
    m = metrics_of(b)
    assert (m.due, m.done, m.on_time) == (1, 1, 0)
    assert cases(b, "on_time") == set() and cases(b, "done") == {order.pk}


def test_extension_approved_after_original_deadline_extends_it(flow, city):
    b, h, desk = city.unit_b, flow.u("handler_b"), flow.u("dispatcher")
    order = flow.dispatch(b, t(5, 6, 9))  # deadline 05-13
    flow.handle(order, b, accept=t(5, 6, 10), reply=None)
    flow.do(order, "request_extension", h, t(5, 10), reason="需现场勘查", days=5)
    flow.do(order, "approve_extension", desk, t(5, 15), days=5)  # approved late: new deadline 05-20
    flow.do(order, "contact", h, t(5, 16))
    flow.do(order, "reply", h, t(5, 17), text="已办理")
    m = metrics_of(b)
    assert (m.due, m.done, m.on_time, m.extended, m.contacted) == (1, 1, 1, 1, 1)
    assert cases(b, "extended") == {order.pk}


def test_refused_extension_is_not_extended(flow, city):
    b, h = city.unit_b, flow.u("handler_b")
    order = flow.dispatch(b, t(5, 6, 9))
    flow.handle(order, b, accept=t(5, 6, 10), reply=None)
    flow.do(order, "request_extension", h, t(5, 7), reason="需协调", days=3)
    flow.do(order, "refuse_extension", flow.u("dispatcher"), t(5, 8), reason="无正当理由")
    assert metrics_of(b).extended == 0


def test_return_and_redispatch_due_for_the_unit_that_kept_it(flow, city):
    a, b, desk = city.unit_a, city.unit_b, flow.u("dispatcher")
    order = flow.dispatch(a, t(5, 7, 9))
    flow.do(order, "accept", flow.u("handler_a"), t(5, 7, 10))
    flow.do(order, "contact", flow.u("handler_a"), t(5, 7, 11))  # A's tenure: not B's contact
    flow.do(order, "return", flow.u("handler_a"), t(5, 8), reason="非本单位职责")
    flow.do(order, "redispatch", desk, t(5, 8, 14), reason="改派", unit=b.pk)
    flow.handle(order, b, accept=t(5, 9), reply=t(5, 10))
    assert numbers(metrics_of(a)) == {"returned": 1}
    assert numbers(metrics_of(b)) == {"due": 1, "done": 1, "on_time": 1}
    assert cases(a, "returned") == cases(b, "due") == {order.pk}
    assert cases(a, "due") == set()


def test_returned_and_not_yet_redispatched_is_due_for_nobody(flow, city):
    a = city.unit_a
    order = flow.dispatch(a, t(5, 20, 9))
    flow.do(order, "return", flow.u("handler_a"), t(5, 21), reason="非本单位职责")
    assert unit_month_metrics(box="hotline", month=MAY) == {a.pk: UnitMonthMetrics(unit_id=a.pk, returned=1)}


def test_hotline_redispatch_without_return_moves_the_order(flow, city):
    a, b = city.unit_a, city.unit_b
    order = flow.dispatch(a, t(5, 7, 9))
    flow.do(order, "accept", flow.u("handler_a"), t(5, 7, 10))
    flow.do(order, "redispatch", flow.u("dispatcher"), t(5, 9), reason="协调改派", unit=b.pk)
    assert a.pk not in unit_month_metrics(box="hotline", month=MAY)
    assert cases(b, "due") == {order.pk}


def test_returned_twice_counts_both_events_but_one_case(flow, city):
    a, desk, h = city.unit_a, flow.u("dispatcher"), flow.u("handler_a")
    order = flow.dispatch(a, t(5, 7, 9))
    flow.do(order, "return", h, t(5, 7, 10), reason="非本单位职责")
    flow.do(order, "redispatch", desk, t(5, 7, 11), reason="仍属甲区", unit=a.pk)
    flow.do(order, "return", h, t(5, 7, 12), reason="非本单位职责")
    assert metrics_of(a).returned == 2
    assert cases(a, "returned") == {order.pk}


def test_unreachable_callback_is_not_counted_then_satisfied_is(flow, city):
    b = city.unit_b
    order = flow.simple(b, 6, result="unreachable")
    flow.callback(order, t(5, 8), "satisfied", method="manual")
    m = metrics_of(b)
    assert (m.callbacks, m.satisfied, m.system_callbacks, m.spot_callbacks, m.spot_satisfied) == (1, 1, 0, 1, 1)
    assert m.spot_check_satisfaction == Decimal(100)
    assert cases(b, "system_callbacks") == set() and cases(b, "spot_satisfied") == {order.pk}


def test_unsatisfied_overturned_by_verification_is_not_unsatisfied(flow, city):
    b = city.unit_b
    order = flow.simple(b, 6, result="unsatisfied")
    flow.do(order, "verify", flow.u("callback"), t(5, 7), upheld=False)
    m = metrics_of(b)
    assert (m.callbacks, m.satisfied, m.unsatisfied, m.system_callbacks, m.system_satisfied) == (1, 0, 0, 1, 0)
    assert cases(b, "unsatisfied") == set() and cases(b, "callbacks") == {order.pk}


def test_upheld_dissatisfaction_then_rectified_is_called_back_again(flow, city):
    b, h = city.unit_b, flow.u("handler_b")
    order = flow.simple(b, 6, result="unsatisfied")
    flow.do(order, "verify", flow.u("callback"), t(5, 7), upheld=True)
    flow.do(order, "supervise", flow.u("supervisor"), t(5, 8), reason="督办整改")
    flow.do(order, "rectify", h, t(5, 10), text="已整改")
    flow.callback(order, t(5, 11), "basic", method="manual")
    m = metrics_of(b)
    assert (m.due, m.callbacks, m.satisfied, m.unsatisfied) == (1, 2, 1, 1)
    assert (m.system_callbacks, m.system_satisfied, m.spot_callbacks, m.spot_satisfied) == (1, 0, 1, 1)
    assert m.system_satisfaction == Decimal(0) and m.spot_check_satisfaction == Decimal(100)
    assert cases(b, "callbacks") == cases(b, "unsatisfied") == {order.pk}


def test_verification_after_cut_off_leaves_it_unsatisfied(flow, city):
    b = city.unit_b
    order = flow.simple(b, 31, result="unsatisfied")
    flow.do(order, "verify", flow.u("callback"), t(6, 12), upheld=False)
    assert metrics_of(b).unsatisfied == 1  # default cut-off 06-10 00:00
    assert metrics_of(b, as_of=t(6, 30)).unsatisfied == 0


def test_satisfaction_rates_are_unrounded_decimals(city):
    m = UnitMonthMetrics(unit_id=city.unit_a.pk, system_callbacks=69, system_satisfied=38, spot_callbacks=9,
                         spot_satisfied=7)
    assert str(m.system_satisfaction)[:12] == "55.072463768"
    assert m.spot_check_satisfaction.quantize(Decimal("0.000001")) == Decimal("77.777778")


def test_case_spanning_the_month_boundary(flow, city):
    a = city.unit_a
    april = flow.dispatch(a, t(4, 29, 9))
    flow.handle(april, a, accept=t(4, 29, 10), reply=t(5, 6))
    flow.approve(april, t(5, 6, 12))
    flow.callback(april, t(5, 7), "satisfied")  # a May callback of an April case
    may = flow.dispatch(a, t(5, 30, 9))  # deadline 06-06
    flow.handle(may, a, accept=t(5, 30, 10), reply=t(6, 5))
    flow.approve(may, t(6, 5, 12))
    flow.callback(may, t(6, 6), "satisfied")  # a June callback
    assert cases(a, "due", month=APRIL) == cases(a, "done", month=APRIL) == {april.pk}
    assert cases(a, "due") == cases(a, "on_time") == {may.pk}
    assert cases(a, "callbacks") == {april.pk}
    assert cases(a, "callbacks", month=JUNE) == {may.pk} and cases(a, "due", month=JUNE) == set()


def test_reply_after_the_cut_off_is_not_done(flow, city):
    a = city.unit_a
    order = flow.dispatch(a, t(5, 28, 9))
    flow.handle(order, a, accept=t(5, 28, 10), reply=t(6, 12))
    assert (metrics_of(a).due, metrics_of(a).done) == (1, 0)
    assert metrics_of(a, as_of=t(6, 30)).done == 1


def test_dispatch_times_are_read_in_shanghai_time(flow, city):
    a = city.unit_a
    last_may = flow.dispatch(a, t(5, 31, 23, 30))  # 15:30 UTC
    first_june = flow.dispatch(a, t(6, 1, 0, 30))  # 16:30 UTC on 05-31
    assert cases(a, "due") == {last_may.pk}
    assert cases(a, "due", month=JUNE) == {first_june.pk}


def test_sub_unit_orders_count_for_the_sub_unit_and_roll_up(flow, city):
    a, a1 = city.unit_a, city.unit_a1
    own = flow.simple(a, 6)
    sub = flow.simple(a1, 7, result="basic")
    per_unit = unit_month_metrics(box="hotline", month=MAY)
    assert (per_unit[a.pk].due, per_unit[a1.pk].due) == (1, 1)
    rolled = unit_month_metrics(box="hotline", month=MAY, roll_up=True)
    assert list(rolled) == [a.pk]
    assert rolled[a.pk] == per_unit[a.pk].plus(per_unit[a1.pk])
    assert roll_up(per_unit, {a1.pk: a.pk, a.pk: None}) == rolled
    assert cases(a, "due", roll_up=True) == {own.pk, sub.pk} and cases(a1, "due") == {sub.pk}


def test_order_of_sub_unit_handled_by_parent_handler_stays_with_sub_unit(flow, city):
    a, a1 = city.unit_a, city.unit_a1
    order = flow.dispatch(a1, t(5, 6, 9))
    flow.do(order, "accept", flow.u("handler_a"), t(5, 6, 10))
    flow.do(order, "reply", flow.u("handler_a"), t(5, 6, 11), text="代为答复")
    assert cases(a1, "done") == {order.pk} and cases(a, "done") == set()


def test_mailbox_and_hotline_are_separate(flow, city):
    a = city.unit_a
    hot = flow.simple(a, 6)
    letter = flow.simple(a, 7, box="mailbox")
    assert cases(a, "due") == {hot.pk}
    assert cases(a, "due", box="mailbox") == cases(a, "satisfied", box="mailbox") == {letter.pk}
    assert metrics_of(a, box="mailbox").due == 1


def test_same_month_twice_gives_same_table_despite_later_events(flow, city):
    a, b = city.unit_a, city.unit_b
    flow.simple(a, 6)
    late = flow.dispatch(b, t(5, 29, 9))
    first = unit_month_metrics(box="hotline", month=MAY)
    # After the cut-off: B returns it and it goes to A. May must not change.
    flow.do(late, "return", flow.u("handler_b"), t(6, 15), reason="非本单位职责")
    flow.do(late, "redispatch", flow.u("dispatcher"), t(6, 15, 11), reason="改派", unit=a.pk)
    flow.handle(late, a, accept=t(6, 16), reply=t(6, 17))
    assert unit_month_metrics(box="hotline", month=MAY) == first
    assert first[b.pk] == UnitMonthMetrics(unit_id=b.pk, due=1)


def test_full_month_table_and_drill_down_match(flow, city):
    a, a1, b = city.unit_a, city.unit_a1, city.unit_b
    flow.simple(a, 6)
    flow.simple(a, 7, result="unsatisfied")
    flow.simple(a1, 8, result=None)
    flow.simple(b, 9, result="basic")
    flow.simple(b, 10, box="mailbox")
    table = unit_month_metrics(box="hotline", month=MAY)
    assert {uid: numbers(m) for uid, m in table.items()} == {
        a.pk: {"due": 2, "done": 2, "on_time": 2, "contacted": 2, "callbacks": 2, "satisfied": 1, "unsatisfied": 1,
               "system_callbacks": 2, "system_satisfied": 1},
        a1.pk: {"due": 1, "done": 1, "on_time": 1, "contacted": 1},
        b.pk: {"due": 1, "done": 1, "on_time": 1, "contacted": 1, "callbacks": 1, "satisfied": 1,
               "system_callbacks": 1, "system_satisfied": 1},
    }
    for uid, m in table.items():
        unit = Unit.objects.get(pk=uid)
        for metric in METRICS:
            assert len(cases(unit, metric)) == getattr(m, metric), (unit, metric)


def test_bad_input_names_the_field(city):
    for kwargs, field in [
        ({"box": "fax", "month": MAY}, "box"),
        ({"box": "hotline", "month": dt.date(2024, 5, 2)}, "month"),
        ({"box": "hotline", "month": MAY, "as_of": dt.datetime(2024, 6, 1)}, "as_of"),
    ]:
        with pytest.raises(DomainError) as err:
            unit_month_metrics(**kwargs)
        assert err.value.field == field
    with pytest.raises(DomainError) as err:
        metric_cases(box="hotline", month=MAY, unit_id=city.unit_a.pk, metric="score")
    assert err.value.field == "metric"


def test_floor_sql_runs_and_counts_the_month_events(flow, city):
    from django.db import connection

    flow.simple(city.unit_a, 6)
    sql, params = floor_sql("hotline", MAY)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    assert sum(n for _, _, n in rows) == 7  # create, dispatch, accept, contact, reply, accept_reply, callback
