"""The transition service against the explicit table of moves (rules.MOVES), combination by combination."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from hotline.directory.models import Role, Unit, User
from hotline.workcalendar.services import load_official_year, seed_default_rules
from hotline.workorders.models import Action, AppendOnlyError, Event, Status, WorkOrder
from hotline.workorders.rules import MOVES, UNIT_BOUND
from hotline.workorders.services import DomainError, ForbiddenMove, transition
from tests.factories import City, make_city

A, S = Action, Status
TZ = timezone.get_current_timezone()
REASON = "测试理由"

# The legal path from `new` to every status (the last step of each path is the one that lands there).
PATH: dict[str, list[tuple[str, dict[str, Any]]]] = {
    S.NEW: [],
    S.ANSWERED: [(A.ANSWER, {})],
    S.DISPATCHED: [(A.DISPATCH, {})],
    S.RETURNED: [(A.DISPATCH, {}), (A.RETURN, {})],
    S.ACCEPTED: [(A.DISPATCH, {}), (A.ACCEPT, {})],
    S.INVALID: [(A.MARK_INVALID, {})],
    S.MERGED: [(A.MERGE, {})],
}
PATH[S.REPLIED] = PATH[S.ACCEPTED] + [(A.REPLY, {})]
PATH[S.CALLBACK] = PATH[S.REPLIED] + [(A.ACCEPT_REPLY, {})]
PATH[S.CLOSED] = PATH[S.CALLBACK] + [(A.CALLBACK, {"result": "satisfied"})]
PATH[S.VERIFYING] = PATH[S.CALLBACK] + [(A.CALLBACK, {"result": "unsatisfied"})]
PATH[S.UNSATISFIED] = PATH[S.VERIFYING] + [(A.VERIFY, {"upheld": True})]
PATH[S.SUPERVISED] = PATH[S.UNSATISFIED] + [(A.SUPERVISE, {})]

# Who performs each step when a test just needs the step done.
STEP_ROLE: dict[str, str] = {
    A.ANSWER: Role.OPERATOR, A.DISPATCH: Role.DISPATCHER, A.REDISPATCH: Role.DISPATCHER,
    A.ACCEPT_REPLY: Role.REVIEWER, A.REWORK: Role.REVIEWER, A.CALLBACK: Role.CALLBACK, A.VERIFY: Role.CALLBACK,
    A.SUPERVISE: Role.SUPERVISOR, A.CLOSE: Role.SUPERVISOR, A.MERGE: Role.OPERATOR,
    A.MARK_INVALID: Role.OPERATOR, A.APPROVE_EXTENSION: Role.DISPATCHER, A.REFUSE_EXTENSION: Role.DISPATCHER,
}


def handler_of(city: City, unit_id: int | None) -> User:
    by_unit = {city.unit_a.pk: "handler_a", city.unit_a1.pk: "handler_a1", city.unit_b.pk: "handler_b"}
    return city.user(by_unit.get(unit_id or city.unit_a.pk, "handler_a"))


def actor_for(city: City, role: str, order: WorkOrder) -> User | None:
    """A user of `role` entitled to act on `order` (the handler of its unit); None is the system."""
    if role == Role.SYSTEM:
        return None
    if role == Role.UNIT_HANDLER:
        return handler_of(city, order.unit_id)
    return city.user(role)


def payload(city: City, action: str, *, into: str = "", unit: Unit | None = None) -> tuple[str, dict[str, Any]]:
    """A valid reason and data for `action`."""
    valid: dict[str, dict[str, Any]] = {
        A.DISPATCH: {"unit": (unit or city.unit_a).pk},
        A.REDISPATCH: {"unit": (unit or city.unit_b).pk},
        A.REQUEST_EXTENSION: {"days": 3},
        A.REPLY: {"text": "路灯已修复"},
        A.RECTIFY: {"text": "已整改"},
        A.CALLBACK: {"result": "satisfied"},
        A.VERIFY: {"upheld": True},
        A.MERGE: {"into": into},
    }
    return (REASON if MOVES[action].reason_required else ""), dict(valid.get(action, {}))


def drive(city: City, status: str, *, unit: Unit | None = None, at: dt.datetime | None = None,
          extension_pending: bool = False) -> WorkOrder:
    """A fresh order brought to `status` by legal moves only (one minute apart when `at` is given)."""
    steps = iter(range(100))

    def tick() -> dt.datetime | None:
        return at + dt.timedelta(minutes=next(steps)) if at else None

    order = city.new_order(at=tick())
    into = city.new_order(at=tick()).number if status == S.MERGED else ""
    for action, extra in PATH[status]:
        reason, data = payload(city, action, into=into, unit=unit)
        role = Role.UNIT_HANDLER if Role.UNIT_HANDLER in MOVES[action].roles else STEP_ROLE[action]
        transition(order=order, action=action, actor=actor_for(city, role, order), reason=reason,
                   data=data | extra, at=tick())
    if extension_pending:
        transition(order=order, action=A.REQUEST_EXTENSION, actor=handler_of(city, order.unit_id),
                   reason=REASON, data={"days": 3}, at=tick())
    order.refresh_from_db()
    assert order.status == status and order.extension_pending == extension_pending
    return order


def snapshot(order: WorkOrder) -> tuple[dict[str, Any], list[int], list[tuple[int, str]]]:
    """Everything a transition could write about one order: its row, co-units and events."""
    row = dict(WorkOrder.objects.filter(pk=order.pk).values().get())
    co_units = sorted(order.co_units.values_list("pk", flat=True))
    events = list(Event.objects.filter(order_id=order.pk).values_list("seq", "kind"))
    return row, co_units, events


def expected_target(action: str, source: str, data: dict[str, Any]) -> str:
    move = MOVES[action]
    if move.target is not None:
        return move.target
    if action == A.CALLBACK:
        return {"satisfied": S.CLOSED, "basic": S.CLOSED, "unsatisfied": S.VERIFYING}.get(data["result"], S.CALLBACK)
    if action == A.VERIFY:
        return S.UNSATISFIED if data["upheld"] else S.CLOSED
    if action == A.SUPERVISE and source == S.UNSATISFIED:
        return S.SUPERVISED
    return source


# --- one module-wide world; every test runs in a savepoint that is rolled back ------------------

@dataclass
class World:
    city: City
    orders: dict[str, int]  # status (or "pending": accepted with an extension request) -> order pk
    merge_target: str

    def order(self, key: str) -> WorkOrder:
        return WorkOrder.objects.get(pk=self.orders[key])


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Calendar, city and one order per status, built once; tests only ever see them inside their own savepoint."""
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ), transaction.atomic():
        for year in (2023, 2024, 2025, 2026):
            load_official_year(year=year)
        seed_default_rules()
        city = make_city()
        orders = {status: drive(city, status).pk for status in S.values}
        orders["pending"] = drive(city, S.ACCEPTED, extension_pending=True).pk
        target = city.new_order()
        yield World(city, orders, target.number)
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world: World) -> City:
    """This module's tests share the module-wide city (conftest's would clash with it)."""
    return world.city


ALLOWED = [(a, s, r) for a, m in MOVES.items() for s in sorted(m.sources) for r in sorted(m.roles)]
WRONG_STATUS = [(a, s) for a, m in MOVES.items() for s in S.values if s not in m.sources]
WRONG_ROLE = [(a, s, r) for a, m in MOVES.items() for s in sorted(m.sources) for r in Role.values if r not in m.roles]


def _source_order(world: World, action: str, source: str) -> WorkOrder:
    pending = action in (A.APPROVE_EXTENSION, A.REFUSE_EXTENSION) and source == S.ACCEPTED
    return world.order("pending" if pending else source)


@pytest.mark.parametrize(("action", "source", "role"), ALLOWED)
def test_allowed_move_lands_on_target_with_one_event(world: World, action: str, source: str,
                                                     role: str) -> None:
    city = world.city
    order = _source_order(world, action, source)
    actor = actor_for(city, role, order)
    reason, data = payload(city, action, into=world.merge_target)
    version = order.version

    event = transition(order=order, action=action, actor=actor, reason=reason, data=data)

    order.refresh_from_db()
    assert order.status == expected_target(action, source, data)
    assert order.version == version + 1
    assert list(Event.objects.filter(order=order, seq__gt=version).values_list("pk", flat=True)) == [event.pk]
    assert (event.seq, event.kind, event.from_status, event.to_status) == (version + 1, action, source, order.status)
    assert (event.actor, event.actor_role, event.reason) == (actor, role, reason)
    assert event.unit_id == order.unit_id


@pytest.mark.parametrize(("action", "status"), WRONG_STATUS)
def test_move_from_a_status_outside_its_sources_is_refused(world: World, action: str,
                                                           status: str) -> None:
    order = world.order(status)
    role = sorted(MOVES[action].roles)[0]
    reason, data = payload(world.city, action, into=world.merge_target)
    before, events = snapshot(order), Event.objects.count()

    with pytest.raises(DomainError) as exc:
        transition(order=order, action=action, actor=actor_for(world.city, role, order), reason=reason, data=data)

    assert (exc.value.code, exc.value.field) == ("illegal_state", "action")
    assert snapshot(order) == before and Event.objects.count() == events


@pytest.mark.parametrize(("action", "source", "role"), WRONG_ROLE)
def test_move_by_a_role_outside_its_roles_is_forbidden(world: World, action: str, source: str,
                                                       role: str) -> None:
    order = _source_order(world, action, source)
    reason, data = payload(world.city, action, into=world.merge_target)
    before, events = snapshot(order), Event.objects.count()

    with pytest.raises(ForbiddenMove) as exc:
        transition(order=order, action=action, actor=actor_for(world.city, role, order), reason=reason, data=data)

    assert exc.value.code == "forbidden"
    assert snapshot(order) == before and Event.objects.count() == events


@pytest.mark.parametrize("action", [a for a, m in MOVES.items() if m.reason_required])
@pytest.mark.parametrize("reason", ["", "   \n"])
def test_reason_is_required_where_the_table_says(world: World, action: str, reason: str) -> None:
    source = sorted(MOVES[action].sources)[0]
    order = _source_order(world, action, source)
    _, data = payload(world.city, action, into=world.merge_target)
    before = snapshot(order)

    with pytest.raises(DomainError) as exc:
        transition(order=order, action=action, actor=actor_for(world.city, sorted(MOVES[action].roles)[0], order),
                   reason=reason, data=data)

    assert exc.value.field == "reason"
    assert snapshot(order) == before


def test_unknown_action_is_refused(world: World) -> None:
    for action in ("fly", A.CREATE, A.ABSORB, A.OVERDUE):
        with pytest.raises(DomainError) as exc:
            transition(order=world.order(S.NEW), action=action, actor=world.city.user("operator"))
        assert exc.value.field == "action"


@pytest.mark.parametrize("action", sorted(UNIT_BOUND))
def test_handler_of_another_unit_cannot_act(world: World, action: str) -> None:
    source = sorted(MOVES[action].sources)[0]
    order = _source_order(world, action, source)
    assert order.unit_id == world.city.unit_a.pk
    reason, data = payload(world.city, action)
    before = snapshot(order)

    with pytest.raises(ForbiddenMove):
        transition(order=order, action=action, actor=world.city.user("handler_b"), reason=reason, data=data)

    assert snapshot(order) == before


@pytest.mark.parametrize("action", sorted(UNIT_BOUND))
def test_parent_unit_handler_acts_for_sub_unit_but_not_the_reverse(city: City, action: str) -> None:
    source = sorted(MOVES[action].sources)[0]
    sub_order = drive(city, source, unit=city.unit_a1)
    parent_order = drive(city, source, unit=city.unit_a)
    reason, data = payload(city, action)

    with pytest.raises(ForbiddenMove):
        transition(order=parent_order, action=action, actor=city.user("handler_a1"), reason=reason, data=data)
    event = transition(order=sub_order, action=action, actor=city.user("handler_a"), reason=reason, data=data)

    assert event.actor == city.user("handler_a") and event.unit_id == city.unit_a1.pk


@pytest.mark.parametrize(("result", "status"), [
    ("satisfied", S.CLOSED), ("basic", S.CLOSED), ("unsatisfied", S.VERIFYING), ("unreachable", S.CALLBACK),
])
def test_callback_result_routes_the_case(world: World, result: str, status: str) -> None:
    order = world.order(S.CALLBACK)
    sms = transition(order=order, action=A.CALLBACK, actor=None, data={"result": result})
    assert (order.status, sms.to_status, sms.data) == (status, status, {"result": result, "method": "sms"})
    if status == S.CALLBACK:
        manual = transition(order=order, action=A.CALLBACK, actor=world.city.user("callback"),
                            data={"result": "satisfied"})
        assert (manual.seq, manual.data["method"], order.status) == (sms.seq + 1, "manual", S.CLOSED)


@pytest.mark.parametrize("data", [{}, {"result": "happy"}, {"result": "satisfied", "method": "fax"}])
def test_callback_needs_a_known_result_and_method(world: World, data: dict[str, Any]) -> None:
    order = world.order(S.CALLBACK)
    with pytest.raises(DomainError) as exc:
        transition(order=order, action=A.CALLBACK, actor=None, data=data)
    assert exc.value.field == ("method" if "method" in data else "result")


@pytest.mark.parametrize(("upheld", "status"), [(True, S.UNSATISFIED), (False, S.CLOSED)])
def test_verify_upheld_goes_to_unsatisfied_otherwise_closed(world: World, upheld: bool,
                                                            status: str) -> None:
    order = world.order(S.VERIFYING)
    transition(order=order, action=A.VERIFY, actor=world.city.user("supervisor"), data={"upheld": upheld})
    assert order.status == status


def test_verify_needs_a_boolean_verdict(world: World) -> None:
    with pytest.raises(DomainError) as exc:
        transition(order=world.order(S.VERIFYING), action=A.VERIFY, actor=world.city.user("callback"),
                   data={"upheld": "yes"})
    assert exc.value.field == "upheld"


def test_supervising_an_unsatisfied_case_sets_a_new_deadline(city: City) -> None:
    at = dt.datetime(2024, 5, 6, 9, 0, tzinfo=TZ)
    order = drive(city, S.UNSATISFIED, at=at)
    supervised_at = dt.datetime(2024, 5, 20, 9, 0, tzinfo=TZ)
    event = transition(order=order, action=A.SUPERVISE, actor=city.user("leader"), reason=REASON, at=supervised_at)
    assert order.status == S.SUPERVISED
    assert order.deadline == dt.datetime(2024, 5, 27, 23, 59, 59, tzinfo=TZ) == dt.datetime.fromisoformat(
        event.data["deadline"])


# --- extensions ---------------------------------------------------------------------------------

def test_extension_request_sets_pending_and_only_one_may_wait(world: World) -> None:
    order, handler = world.order(S.ACCEPTED), world.city.user("handler_a")
    transition(order=order, action=A.REQUEST_EXTENSION, actor=handler, reason=REASON, data={"days": 3})
    assert order.extension_pending and order.status == S.ACCEPTED
    with pytest.raises(DomainError) as exc:
        transition(order=order, action=A.REQUEST_EXTENSION, actor=handler, reason=REASON, data={"days": 2})
    assert exc.value.code == "illegal_state"


@pytest.mark.parametrize("days", [None, 0, 31, "three"])
def test_extension_request_needs_1_to_30_days(world: World, days: Any) -> None:
    order = world.order(S.ACCEPTED)
    with pytest.raises(DomainError) as exc:
        transition(order=order, action=A.REQUEST_EXTENSION, actor=world.city.user("handler_a"), reason=REASON,
                   data={"days": days})
    assert exc.value.field == "days" and not WorkOrder.objects.get(pk=order.pk).extension_pending


@pytest.mark.parametrize("action", [A.APPROVE_EXTENSION, A.REFUSE_EXTENSION])
def test_extension_decision_needs_a_pending_request(world: World, action: str) -> None:
    with pytest.raises(DomainError) as exc:
        transition(order=world.order(S.ACCEPTED), action=action, actor=world.city.user("dispatcher"), reason=REASON)
    assert exc.value.code == "illegal_state"


def test_refusing_an_extension_keeps_the_deadline(world: World) -> None:
    order = world.order("pending")
    deadline = order.deadline
    transition(order=order, action=A.REFUSE_EXTENSION, actor=world.city.user("supervisor"), reason=REASON)
    assert (order.extension_pending, order.deadline, order.status) == (False, deadline, S.ACCEPTED)


@pytest.mark.parametrize(("approved_on", "overdue"), [(dt.date(2024, 5, 9), False), (dt.date(2024, 5, 14), False),
                                                      (dt.date(2024, 5, 17), True)])
def test_approved_extension_counts_from_the_deadline_in_force(city: City, approved_on: dt.date,
                                                              overdue: bool) -> None:
    # Dispatched Mon 2024-05-06: 5 working days end Sat 05-11 (a make-up working day); +3 -> Wed 05-15.
    order = drive(city, S.ACCEPTED, at=dt.datetime(2024, 5, 6, 10, 0, tzinfo=TZ), extension_pending=True)
    assert order.deadline == dt.datetime(2024, 5, 11, 23, 59, 59, tzinfo=TZ)
    at = dt.datetime.combine(approved_on, dt.time(10, 0), tzinfo=TZ)

    event = transition(order=order, action=A.APPROVE_EXTENSION, actor=city.user("dispatcher"), at=at)

    assert order.deadline == dt.datetime(2024, 5, 15, 23, 59, 59, tzinfo=TZ)
    assert (order.extension_pending, order.overdue) == (False, overdue)
    assert event.data == {"days": 3, "deadline": "2024-05-15T23:59:59+08:00"}


def test_approver_may_grant_other_days_than_requested(world: World) -> None:
    order = world.order("pending")
    event = transition(order=order, action=A.APPROVE_EXTENSION, actor=world.city.user("supervisor"), data={"days": 1})
    assert event.data["days"] == 1


def test_return_withdraws_a_pending_extension(world: World) -> None:
    order = world.order("pending")
    transition(order=order, action=A.RETURN, actor=world.city.user("handler_a"), reason="不属于本单位职责")
    assert (order.status, order.extension_pending) == (S.RETURNED, False)


# --- replies, dispatch and merge ----------------------------------------------------------------

@pytest.mark.parametrize(("replied_at", "on_time"), [
    (dt.datetime(2024, 5, 11, 23, 59, 59), True), (dt.datetime(2024, 5, 8, 9, 0), True),
    (dt.datetime(2024, 5, 12, 0, 0, 0), False), (dt.datetime(2024, 6, 3, 9, 0), False),
])
def test_reply_records_deadline_and_on_time(city: City, replied_at: dt.datetime, on_time: bool) -> None:
    order = drive(city, S.ACCEPTED, at=dt.datetime(2024, 5, 6, 10, 0, tzinfo=TZ))
    event = transition(order=order, action=A.REPLY, actor=city.user("handler_a"), data={"text": "已处理"},
                       at=replied_at.replace(tzinfo=TZ))
    assert event.data == {"text": "已处理", "deadline": "2024-05-11T23:59:59+08:00", "on_time": on_time}


def test_full_path_across_the_may_day_holiday(city: City) -> None:
    order = drive(city, S.CLOSED, at=dt.datetime(2024, 4, 30, 10, 0, tzinfo=TZ))
    assert order.deadline == dt.datetime(2024, 5, 10, 23, 59, 59, tzinfo=TZ)
    kinds = list(Event.objects.filter(order=order).values_list("seq", "kind"))
    assert kinds == list(enumerate(["create", "dispatch", "accept", "reply", "accept_reply", "callback"], start=1))


def test_redispatch_records_the_previous_unit(world: World) -> None:
    order = world.order(S.RETURNED)
    event = transition(order=order, action=A.REDISPATCH, actor=world.city.user("dispatcher"), reason=REASON,
                       data={"unit": world.city.unit_b.pk, "co_units": [world.city.unit_a1.pk]})
    assert event.data["from_unit"] == world.city.unit_a.pk
    assert event.unit_id == order.unit_id == world.city.unit_b.pk
    assert list(order.co_units.all()) == [world.city.unit_a1]
    assert order.dispatched_at == event.at and order.deadline is not None and order.deadline > event.at


@pytest.mark.parametrize(("data", "field"), [
    ({"unit": None}, "unit"), ({"unit": 10**9}, "unit"), ({"unit": "abc"}, "unit"), ({"unit": "self"}, "co_units"),
    ({"co_units": ["x"]}, "co_units"), ({"co_units": 5}, "co_units"), ({"co_units": [10**9]}, "co_units"),
    ({"unit": "inactive"}, "unit"),
])
def test_dispatch_validates_units(world: World, data: dict[str, Any], field: str) -> None:
    city, order = world.city, world.order(S.NEW)
    data = {"unit": city.unit_b.pk} | data
    if data["unit"] == "inactive":
        Unit.objects.filter(pk=city.unit_b.pk).update(active=False)
        data["unit"] = city.unit_b.pk
    if data["unit"] == "self":
        data.update(unit=city.unit_b.pk, co_units=[city.unit_b.pk])
    before = snapshot(order)
    with pytest.raises(DomainError) as exc:
        transition(order=order, action=A.DISPATCH, actor=city.user("dispatcher"), data=data)
    assert exc.value.field == field and snapshot(order) == before


def test_merge_appends_absorb_event_on_the_target(world: World) -> None:
    order, target = world.order(S.NEW), world.order(S.ACCEPTED)
    event = transition(order=order, action=A.MERGE, actor=world.city.user("operator"), data={"into": target.number})
    absorb = Event.objects.get(order=target, seq=target.version + 1)
    assert (order.status, order.merged_into_id, event.data) == (S.MERGED, target.pk, {"into": target.number})
    assert (absorb.kind, absorb.from_status, absorb.to_status) == (A.ABSORB, S.ACCEPTED, S.ACCEPTED)
    assert (absorb.data, absorb.unit_id, absorb.actor) == ({"repeat": order.number}, target.unit_id, event.actor)
    target.refresh_from_db()
    assert target.version == absorb.seq


@pytest.mark.parametrize("into", ["self", S.MERGED, S.INVALID, "RX00000000000000", ""])
def test_merge_needs_a_live_other_case(world: World, into: str) -> None:
    order = world.order(S.NEW)
    number = order.number if into == "self" else world.order(into).number if into in S.values else into
    with pytest.raises(DomainError) as exc:
        transition(order=order, action=A.MERGE, actor=world.city.user("operator"), data={"into": number})
    assert exc.value.field == "into" and order.status == S.NEW


# --- the service's own guards -------------------------------------------------------------------

def test_unknown_order_is_a_domain_error(world: World) -> None:
    with pytest.raises(DomainError) as exc:
        transition(order=10**9, action=A.ANSWER, actor=world.city.user("operator"))
    assert (exc.value.field, exc.value.code) == ("order", "not_found")


def test_order_may_be_given_by_primary_key(world: World) -> None:
    event = transition(order=world.orders[S.NEW], action=A.ANSWER, actor=world.city.user("operator"))
    assert (event.order_id, event.to_status) == (world.orders[S.NEW], S.ANSWERED)


def test_time_must_be_aware_and_not_precede_the_history(world: World) -> None:
    order = world.order(S.NEW)
    created = Event.objects.get(order=order, seq=1).at
    for at in (created.replace(tzinfo=None), created - dt.timedelta(seconds=1)):
        with pytest.raises(DomainError) as exc:
            transition(order=order, action=A.ANSWER, actor=world.city.user("operator"), at=at)
        assert exc.value.field == "at"
    assert transition(order=order, action=A.ANSWER, actor=world.city.user("operator"), at=created).seq == 2


def test_events_are_append_only(world: World) -> None:
    event = Event.objects.filter(order_id=world.orders[S.CLOSED]).last()
    assert event is not None
    event.reason = "篡改"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert Event.objects.get(pk=event.pk).reason == ""


def test_stale_version_writes_nothing(city):
    from hotline.workorders.models import Event
    from hotline.workorders.services import DomainError, transition
    order = city.dispatched()
    seen = order.version
    transition(order=order, action="accept", actor=city.user("handler_a"))
    before = Event.objects.filter(order=order).count()
    with pytest.raises(DomainError) as exc:
        transition(order=order, action="contact", actor=city.user("handler_a"), expected_version=seen,
                   data={"method": "phone"})
    assert exc.value.code == "stale" and exc.value.field == "version"
    assert Event.objects.filter(order=order).count() == before
