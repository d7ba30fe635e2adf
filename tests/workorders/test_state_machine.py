"""Random sequences of actions by random people over a few orders; the history must stay consistent."""
from __future__ import annotations

import datetime as dt
from dataclasses import astuple
from typing import Any, ClassVar

from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from hotline.directory.models import Role, User
from hotline.workorders.models import (
    TERMINAL_STATUSES, Action, CallbackResult, Event, Status, Tenure, WorkOrder,
)
from hotline.workorders import tenure
from hotline.workorders.rules import MOVES
from hotline.workorders.services import DomainError, role_of, transition
from tests.factories import City
from tests.workorders.test_transitions import drive

A, S = Action, Status
ACTOR_NAMES: list[str | None] = [
    "operator", "dispatcher", "reviewer", "callback", "supervisor", "leader", "admin",
    "handler_a", "handler_a1", "handler_b", None,
]
ORDERS = 3
STARTING_STATUSES = [S.NEW, S.NEW, S.DISPATCHED, S.ACCEPTED, S.REPLIED, S.CALLBACK, S.VERIFYING, S.UNSATISFIED,
                     S.SUPERVISED, S.RETURNED]
# Steps that move a case sideways or end it are drawn less often than those that take it forward.
SIDEWAYS = frozenset({A.REDISPATCH, A.RETURN, A.CONTACT, A.REWORK, A.SUPERVISE})
START = dt.datetime(2024, 5, 6, 9, 0, tzinfo=timezone.get_current_timezone())
# Mostly forward in time (up to three days), sometimes a little backwards (which must be refused).
STEP = st.one_of(*[st.integers(0, 3 * 24 * 60)] * 9, st.integers(-120, -1)).map(lambda m: dt.timedelta(minutes=m))


Snapshot = dict[int, tuple[dict[str, Any], list[int], list[tuple[int, str]]]]


def snapshot(pks: list[int]) -> Snapshot:
    """Rows, co-units and event (seq, kind) lists of the orders (raw SQL: this runs twice a step)."""
    marks = ", ".join(["%s"] * len(pks))
    orders, co_units, events = (WorkOrder._meta.db_table, WorkOrder.co_units.through._meta.db_table,
                                Event._meta.db_table)
    state: Snapshot = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {orders} WHERE id IN ({marks}) ORDER BY id", pks)
        columns = [column[0] for column in cursor.description]
        for row in cursor.fetchall():
            state[row[0]] = (dict(zip(columns, row)), [], [])
        cursor.execute(f"SELECT workorder_id, unit_id FROM {co_units} WHERE workorder_id IN ({marks}) "
                       "ORDER BY workorder_id, unit_id", pks)
        for order_id, unit_id in cursor.fetchall():
            state[order_id][1].append(unit_id)
        cursor.execute(f"SELECT order_id, seq, kind FROM {events} WHERE order_id IN ({marks}) ORDER BY order_id, seq",
                       pks)
        for order_id, seq, kind in cursor.fetchall():
            state[order_id][2].append((seq, kind))
    return state


class WorkOrderMachine(RuleBasedStateMachine):
    city: ClassVar[City]

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in its own savepoint, rolled back in teardown(), so examples never see each other.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.pks: list[int] = []
        self.numbers: list[str] = []
        self.terminal: dict[int, str] = {}
        self.clock = START

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @initialize(statuses=st.lists(st.sampled_from(STARTING_STATUSES), min_size=ORDERS, max_size=ORDERS),
                units=st.lists(st.sampled_from(["unit_a", "unit_a1", "unit_b"]), min_size=ORDERS, max_size=ORDERS))
    def open_orders(self, statuses: list[str], units: list[str]) -> None:
        """Fresh orders for this example, brought by legal moves to statuses anywhere in the process."""
        for status, unit in zip(statuses, units):
            order = drive(self.city, status, unit=getattr(self.city, unit), at=START)
            self.pks.append(order.pk)
            self.numbers.append(order.number)
        self.clock = START + dt.timedelta(hours=1)

    # --- drawing the inputs -----------------------------------------------------------------

    def user(self, name: str | None) -> User | None:
        return None if name is None else self.city.user(name)

    def draw_data(self, draw: st.DataObject, action: str) -> dict[str, Any]:
        units = [self.city.unit_a.pk, self.city.unit_a1.pk, self.city.unit_b.pk]
        if action in (A.DISPATCH, A.REDISPATCH):
            return {"unit": draw.draw(st.sampled_from(units)),
                    "co_units": draw.draw(st.one_of(st.just([]), st.just([]), st.lists(st.sampled_from(units),
                                                                                      max_size=2, unique=True)))}
        if action in (A.REQUEST_EXTENSION, A.APPROVE_EXTENSION):
            days = st.one_of(st.integers(1, 10), st.integers(1, 10), st.sampled_from([0, 31, "x"]))
            return draw.draw(st.one_of(st.fixed_dictionaries({"days": days}), st.just({})))
        if action in (A.REPLY, A.RECTIFY):
            return draw.draw(st.sampled_from([{"text": "已处理"}] * 4 + [{}]))
        if action == A.CALLBACK:
            return {"result": draw.draw(st.sampled_from(CallbackResult.values))}
        if action == A.VERIFY:
            return {"upheld": draw.draw(st.booleans())}
        if action == A.MERGE:
            return {"into": draw.draw(st.sampled_from(self.numbers))}
        return {}

    # --- rules --------------------------------------------------------------------------------

    @rule(i=st.integers(0, ORDERS - 1), action=st.sampled_from(sorted(MOVES)), actor=st.sampled_from(ACTOR_NAMES),
          reason=st.sampled_from(["", "理由"]), step=STEP, draw=st.data())
    def act_at_random(self, i: int, action: str, actor: str | None, reason: str, step: dt.timedelta,
                      draw: st.DataObject) -> None:
        self.apply(self.pks[i], action, self.user(actor), reason, self.draw_data(draw, action), step)

    @rule(i=st.integers(0, ORDERS - 1), step=STEP, draw=st.data())
    def act_plausibly(self, i: int, step: dt.timedelta, draw: st.DataObject) -> None:
        self.plausible_step(i, step, draw)

    # The same rule twice: hypothesis picks rules evenly, and plausible steps are what take a case deep.
    @rule(i=st.integers(0, ORDERS - 1), step=STEP, draw=st.data())
    def act_plausibly_too(self, i: int, step: dt.timedelta, draw: st.DataObject) -> None:
        self.plausible_step(i, step, draw)

    def plausible_step(self, i: int, step: dt.timedelta, draw: st.DataObject) -> None:
        """An action the table allows from the current status, by a role it allows (handlers of any unit)."""
        order = WorkOrder.objects.get(pk=self.pks[i])
        options = [a for a, m in sorted(MOVES.items()) if order.status in m.sources
                   for _ in range(self.weight(a, order))]
        if not options:
            return
        action = draw.draw(st.sampled_from(options))
        role = draw.draw(st.sampled_from(sorted(MOVES[action].roles)))
        if role == Role.UNIT_HANDLER:
            own = {self.city.unit_a.pk: "handler_a", self.city.unit_a1.pk: "handler_a1"}.get(order.unit_id or 0, "handler_b")
            actor = self.user(draw.draw(st.sampled_from([own] * 4 + ["handler_a", "handler_a1", "handler_b"])))
        else:
            actor = None if role == Role.SYSTEM else self.city.user(role)
        reason = draw.draw(st.sampled_from(["理由"] * 9 + [""]))
        self.apply(order.pk, action, actor, reason, self.draw_data(draw, action), step)

    @staticmethod
    def weight(action: str, order: WorkOrder) -> int:
        """How often to draw a plausible action: mostly forward, seldom sideways, ending or futile."""
        futile = (action in (A.APPROVE_EXTENSION, A.REFUSE_EXTENSION) and not order.extension_pending) or (
            action == A.REQUEST_EXTENSION and order.extension_pending)
        if futile or MOVES[action].target in TERMINAL_STATUSES:
            return 1
        return 2 if action in SIDEWAYS else 5

    def apply(self, pk: int, action: str, actor: User | None, reason: str, data: dict[str, Any],
              step: dt.timedelta) -> None:
        at = self.clock + step
        before = snapshot(self.pks)
        status = before[pk][0]["status"]
        try:
            event = transition(order=pk, action=action, actor=actor, reason=reason, data=data, at=at)
        except DomainError:
            assert snapshot(self.pks) == before, "a refused move wrote something"
            return
        self.clock = at
        after = snapshot(self.pks)
        move = MOVES[action]
        assert status in move.sources and role_of(actor) in move.roles, "the service allowed a move off the table"
        assert status not in TERMINAL_STATUSES
        assert after[pk][2] == before[pk][2] + [(len(before[pk][2]) + 1, action)]
        assert (event.from_status, event.to_status) == (status, after[pk][0]["status"])
        assert move.target is None or move.target == event.to_status
        target = WorkOrder.objects.get(number=data["into"]).pk if action == A.MERGE else None
        for p in self.pks:
            if p == target:
                assert after[p][2] == before[p][2] + [(len(before[p][2]) + 1, A.ABSORB)]
            elif p != pk:
                assert after[p] == before[p], "a move on one order changed another"

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def history_is_consistent(self) -> None:
        events: dict[int, list[tuple[int, dt.datetime]]] = {pk: [] for pk in self.pks}
        for order_id, seq, at in Event.objects.filter(order_id__in=self.pks).order_by("order_id", "seq").values_list(
                "order_id", "seq", "at"):
            events[order_id].append((seq, at))
        fields = ("pk", "status", "version", "deadline", "dispatched_at", "extension_pending", "merged_into")
        for pk, status, version, deadline, dispatched_at, pending, merged_into in WorkOrder.objects.filter(
                pk__in=self.pks).values_list(*fields):
            times = [at for _, at in events[pk]]
            assert status in Status.values
            assert [seq for seq, _ in events[pk]] == list(range(1, version + 1))
            assert all(a <= b for a, b in zip(times, times[1:])), "history runs backwards"
            if deadline is not None:
                assert dispatched_at is not None and deadline >= dispatched_at
            assert not pending or status == Status.ACCEPTED
            assert (status == Status.MERGED) == (merged_into is not None)
            if pk in self.terminal:
                assert status == self.terminal[pk], "a terminal status changed"
            elif status in TERMINAL_STATUSES:
                self.terminal[pk] = status

    @invariant()
    def tenures_follow_the_events(self) -> None:
        """The tenure rows transition() kept up to date equal a fold over the whole history."""
        kept = [astuple(tenure.Row(*r)) for r in Tenure.objects.filter(order_id__in=self.pks)
                .order_by("order_id", "seq").values_list(*tenure.COLUMNS)]
        folded = []
        for order_id, box in WorkOrder.objects.filter(pk__in=self.pks).order_by("pk").values_list("pk", "box"):
            history = Event.objects.filter(order_id=order_id).order_by("seq").values_list(
                "seq", "kind", "at", "unit_id", "on_time")
            folded.extend(astuple(r) for r in tenure.fold(order_id, box, history))
        assert kept == folded


def test_random_histories_stay_consistent(city: City) -> None:
    WorkOrderMachine.city = city
    run_state_machine_as_test(WorkOrderMachine, settings=settings(
        max_examples=40, stateful_step_count=25, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow],
    ))
