"""Monthly assessment inputs from the event history (docs/metrics.md), built through transition()."""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from hotline.directory.models import Unit, User
from hotline.workorders.metrics import (
    METRICS, UnitMonthMetrics, backfill_metric_columns, default_cutoff, floor_sql, metric_cases,
    metric_columns_ready, month_bounds, roll_up, unit_month_metrics,
)
from hotline.workorders.models import Event, WorkOrder
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


# Every test runs on both paths: "fast" reads the denormalized event columns, "fallback" the order's
# box and the JSON data (events whose columns are empty). They must give the same numbers.
MODE = {"path": "fast"}


@pytest.fixture(autouse=True, params=["fast", "fallback"])
def path(request: pytest.FixtureRequest) -> str:
    MODE["path"] = request.param
    return request.param


def prepare() -> None:
    if MODE["path"] == "fast":
        backfill_metric_columns()
    else:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE workorders_event SET box = NULL, on_time = NULL, result = NULL, method = NULL"
                           " WHERE box IS NOT NULL")


def table(**kw: Any) -> dict[int, UnitMonthMetrics]:
    prepare()
    kw.setdefault("box", "hotline")
    kw.setdefault("month", MAY)
    return unit_month_metrics(**kw)


def metrics_of(unit: Unit, box: str = "hotline", month: dt.date = MAY, **kw: Any) -> UnitMonthMetrics:
    return table(box=box, month=month, **kw).get(unit.pk, UnitMonthMetrics(unit_id=unit.pk))


def cases(unit: Unit, metric: str, box: str = "hotline", month: dt.date = MAY, **kw: Any) -> set[int]:
    prepare()
    qs = metric_cases(box=box, month=month, unit_id=unit.pk, metric=metric, **kw)
    return set(qs.values_list("pk", flat=True))


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
    assert table() == {a.pk: UnitMonthMetrics(unit_id=a.pk, returned=1)}


def test_hotline_redispatch_without_return_moves_the_order(flow, city):
    a, b = city.unit_a, city.unit_b
    order = flow.dispatch(a, t(5, 7, 9))
    flow.do(order, "accept", flow.u("handler_a"), t(5, 7, 10))
    flow.do(order, "redispatch", flow.u("dispatcher"), t(5, 9), reason="协调改派", unit=b.pk)
    assert a.pk not in table()
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
    per_unit = table()
    assert (per_unit[a.pk].due, per_unit[a1.pk].due) == (1, 1)
    rolled = table(roll_up=True)
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
    first = table()
    # After the cut-off: B returns it and it goes to A. May must not change.
    flow.do(late, "return", flow.u("handler_b"), t(6, 15), reason="非本单位职责")
    flow.do(late, "redispatch", flow.u("dispatcher"), t(6, 15, 11), reason="改派", unit=a.pk)
    flow.handle(late, a, accept=t(6, 16), reply=t(6, 17))
    assert table() == first
    assert first[b.pk] == UnitMonthMetrics(unit_id=b.pk, due=1)


def test_full_month_table_and_drill_down_match(flow, city):
    a, a1, b = city.unit_a, city.unit_a1, city.unit_b
    flow.simple(a, 6)
    flow.simple(a, 7, result="unsatisfied")
    flow.simple(a1, 8, result=None)
    flow.simple(b, 9, result="basic")
    flow.simple(b, 10, box="mailbox")
    month = table()
    assert {uid: numbers(m) for uid, m in month.items()} == {
        a.pk: {"due": 2, "done": 2, "on_time": 2, "contacted": 2, "callbacks": 2, "satisfied": 1, "unsatisfied": 1,
               "system_callbacks": 2, "system_satisfied": 1},
        a1.pk: {"due": 1, "done": 1, "on_time": 1, "contacted": 1},
        b.pk: {"due": 1, "done": 1, "on_time": 1, "contacted": 1, "callbacks": 1, "satisfied": 1,
               "system_callbacks": 1, "system_satisfied": 1},
    }
    for uid, m in month.items():
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


def test_fast_path_is_used_only_when_every_event_of_the_period_has_its_columns(flow, city):
    order = flow.simple(city.unit_a, 6)
    backfill_metric_columns()
    assert metric_columns_ready(month=MAY)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workorders_event SET box = NULL WHERE order_id = %s", [order.pk])
    assert not metric_columns_ready(month=MAY)
    assert metric_columns_ready(month=JUNE)


def test_floor_sql_runs_and_counts_the_month_events(flow, city):
    flow.simple(city.unit_a, 6)
    backfill_metric_columns()
    sql, params = floor_sql("hotline", MAY)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    assert sum(n for _, _, n in rows) == 7  # create, dispatch, accept, contact, reply, accept_reply, callback


# --- the definitions, literally, in Python: the SQL must agree on random histories -------------

def reference(box: str, month: dt.date, as_of: dt.datetime) -> tuple[dict[Any, dict[str, set]], dict]:
    """Per unit, per metric: the orders (tenure metrics) or the event ids (event metrics)."""
    start, end = month_bounds(month)
    out: dict[Any, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    history: dict[int, list[Event]] = defaultdict(list)
    for e in Event.objects.filter(order__box=box, at__lte=as_of).order_by("order_id", "seq"):
        history[e.order_id].append(e)
    for oid, evs in history.items():
        assigns = [e for e in evs if e.kind in ("dispatch", "redispatch")]
        if assigns and start <= assigns[-1].at < end:
            a = assigns[-1]
            after = [e for e in evs if e.seq > a.seq]
            if not any(e.kind == "return" for e in after):
                mine = out[a.unit_id]
                replies = [e for e in after if e.kind == "reply"]
                first_reply_seq = replies[0].seq if replies else 10**9
                mine["due"].add(oid)
                flags = {"done": bool(replies), "on_time": bool(replies) and replies[0].data["on_time"] is True,
                         "reworked": any(e.kind == "rework" for e in after),
                         "extended": any(e.kind == "approve_extension" for e in after),
                         "contacted": any(e.kind == "contact" and e.seq < first_reply_seq for e in after)}
                for name, flag in flags.items():
                    if flag:
                        mine[name].add(oid)
        for i, e in enumerate(evs):
            if not start <= e.at < end:
                continue
            if e.kind == "return":
                out[e.unit_id]["returned"].add(e.pk)
            if e.kind != "callback" or e.data["result"] == "unreachable":
                continue
            result, via = e.data["result"], {"sms": "system", "manual": "spot"}[e.data["method"]]
            names = ["callbacks", f"{via}_callbacks"]
            if result in ("satisfied", "basic"):
                names += ["satisfied", f"{via}_satisfied"]
            verify = next((v for v in evs[i + 1:] if v.kind == "verify"), None)
            if result == "unsatisfied" and not (verify and verify.data["upheld"] is False):
                names.append("unsatisfied")
            for name in names:
                out[e.unit_id][name].add(e.pk)
    orders_of_event = dict(Event.objects.values_list("pk", "order_id"))
    return out, orders_of_event


def random_history(flow: Flow, rnd: Any, n: int) -> None:
    city = flow.city
    units = [city.unit_a, city.unit_a1, city.unit_b]
    for _ in range(n):
        now = t(4, 25) + dt.timedelta(hours=rnd.randrange(0, 41 * 24))
        step = lambda: now + dt.timedelta(hours=rnd.choice([1, 5, 30, 80]))  # noqa: E731
        unit = rnd.choice(units)
        order = flow.dispatch(unit, now, rnd.choice(["hotline", "hotline", "mailbox"]))
        if rnd.random() < 0.25:
            now = step()
            flow.do(order, "return", flow.handler(unit), now, reason="非本单位")
            if rnd.random() < 0.2:
                continue
            now, unit = step(), rnd.choice(units)
            flow.do(order, "redispatch", flow.u("dispatcher"), now, reason="改派", unit=unit.pk)
        h = flow.handler(unit)
        now = step()
        flow.do(order, "accept", h, now)
        for action in rnd.sample(["contact", "extension", "reply", "rework", "reply"], k=rnd.randrange(6)):
            now = step()
            if action == "rework" and order.status == "replied":
                flow.do(order, "rework", flow.u("reviewer"), now, reason="返工")
            elif order.status != "accepted" or action == "rework":
                continue
            elif action == "extension":
                flow.do(order, "request_extension", h, now, reason="需时间", days=3)
                flow.do(order, rnd.choice(["approve_extension", "refuse_extension"]), flow.u("dispatcher"),
                        now + dt.timedelta(hours=1), reason="审批")
            else:
                flow.do(order, action, h, now, **({"text": "答复"} if action == "reply" else {}))
        if order.status == "accepted" and rnd.random() < 0.7:
            now = step()
            flow.do(order, "reply", h, now, text="答复")
        if order.status == "replied":
            now = step()
            flow.approve(order, now)
            for _ in range(rnd.randrange(1, 4)):
                if order.status != "callback":
                    break
                now = step()
                flow.callback(order, now, rnd.choice(["satisfied", "basic", "unsatisfied", "unreachable"]),
                              rnd.choice(["sms", "manual"]))
                if order.status == "verifying":
                    now = step()
                    flow.do(order, "verify", flow.u("callback"), now, upheld=rnd.random() < 0.5)
                if order.status == "unsatisfied":
                    flow.do(order, "supervise", flow.u("supervisor"), step(), reason="督办")
                    now = step() + dt.timedelta(hours=100)
                    flow.do(order, "rectify", h, now, text="整改")


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_agrees_with_the_definitions_on_random_histories(flow, city, seed):
    random_history(flow, random.Random(seed), 40)
    for box, as_of in [("hotline", None), ("mailbox", None), ("hotline", t(5, 20)), ("hotline", t(7, 1))]:
        ref, order_of = reference(box, MAY, as_of or default_cutoff(MAY))
        got = table(box=box, as_of=as_of)
        expected = {uid: {m: len(ref[uid][m]) for m in METRICS if ref[uid][m]} for uid in ref}
        assert {uid: numbers(m) for uid, m in got.items()} == {u: e for u, e in expected.items() if e}
        if as_of is not None:
            continue  # drill-down checked at the default cut-off (keeps the test fast)
        for uid, per_metric in ref.items():
            unit = Unit.objects.get(pk=uid)
            for metric, ids in per_metric.items():
                want = ids if metric in ("due", "done", "on_time", "reworked", "extended", "contacted") \
                    else {order_of[i] for i in ids}
                assert cases(unit, metric, box=box, as_of=as_of) == want, (seed, box, as_of, unit, metric)
