"""Random sequences of actions by random people over a few orders; the history must stay consistent."""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from hotline.directory.models import Role, User
from hotline.workorders.models import (
    TERMINAL_STATUSES, Action, CallbackResult, Event, Status, WorkOrder,
)
from hotline.workorders.rules import MOVES
from hotline.workorders.services import DomainError, role_of, transition
from tests.factories import City

A = Action
ACTOR_NAMES: list[str | None] = [
    "operator", "dispatcher", "reviewer", "callback", "supervisor", "leader", "admin",
    "handler_a", "handler_a1", "handler_b", None,
]
ORDERS = 3
START = dt.datetime(2024, 5, 6, 9, 0, tzinfo=timezone.get_current_timezone())
# Mostly forward in time (up to three days), sometimes a little backwards (which must be refused).
STEP = st.one_of(st.integers(0, 3 * 24 * 60), st.integers(-120, -1)).map(lambda m: dt.timedelta(minutes=m))


def state_of(pk: int) -> tuple[dict[str, Any], list[int], list[tuple[int, str]]]:
    row = WorkOrder.objects.filter(pk=pk).values().get()
    co_units = sorted(WorkOrder.co_units.through.objects.filter(workorder_id=pk).values_list("unit_id", flat=True))
    return row, co_units, list(Event.objects.filter(order_id=pk).values_list("seq", "kind"))


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
        self.successes = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @initialize()
    def open_orders(self) -> None:
        for i in range(ORDERS):
            order = self.city.new_order(at=START, confidential=i == 0)
            self.pks.append(order.pk)
            self.numbers.append(order.number)

    # --- drawing the inputs -----------------------------------------------------------------

    def user(self, name: str | None) -> User | None:
        return None if name is None else self.city.user(name)

    def draw_data(self, draw: st.DataObject, action: str) -> dict[str, Any]:
        units = [self.city.unit_a.pk, self.city.unit_a1.pk, self.city.unit_b.pk]
        if action in (A.DISPATCH, A.REDISPATCH):
            return {"unit": draw.draw(st.sampled_from(units)),
                    "co_units": draw.draw(st.lists(st.sampled_from(units), max_size=2, unique=True))}
        if action in (A.REQUEST_EXTENSION, A.APPROVE_EXTENSION):
            return draw.draw(st.one_of(st.just({}), st.fixed_dictionaries({"days": st.integers(0, 31)})))
        if action in (A.REPLY, A.RECTIFY):
            return draw.draw(st.sampled_from([{"text": "已处理"}, {"text": "已处理"}, {}]))
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
        """An action the table allows from the current status, by a role it allows (handlers of any unit)."""
        order = WorkOrder.objects.get(pk=self.pks[i])
        options = sorted(a for a, m in MOVES.items() if order.status in m.sources)
        if not options:
            return
        action = draw.draw(st.sampled_from(options))
        role = draw.draw(st.sampled_from(sorted(MOVES[action].roles)))
        if role == Role.UNIT_HANDLER:
            actor = self.user(draw.draw(st.sampled_from(["handler_a", "handler_a1", "handler_b"])))
        else:
            actor = None if role == Role.SYSTEM else self.city.user(role)
        reason = draw.draw(st.sampled_from(["理由", "理由", ""]))
        self.apply(order.pk, action, actor, reason, self.draw_data(draw, action), step)

    def apply(self, pk: int, action: str, actor: User | None, reason: str, data: dict[str, Any],
              step: dt.timedelta) -> None:
        at = self.clock + step
        before = {p: state_of(p) for p in self.pks}
        status = before[pk][0]["status"]
        try:
            event = transition(order=pk, action=action, actor=actor, reason=reason, data=data, at=at)
        except DomainError:
            assert {p: state_of(p) for p in self.pks} == before, "a refused move wrote something"
            return
        self.successes += 1
        self.clock = at
        after = {p: state_of(p) for p in self.pks}
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
        for pk in self.pks:
            order = WorkOrder.objects.get(pk=pk)
            events = list(Event.objects.filter(order_id=pk).order_by("seq").values_list("seq", "at"))
            assert order.status in Status.values
            assert [seq for seq, _ in events] == list(range(1, order.version + 1))
            assert all(a <= b for (_, a), (_, b) in zip(events, events[1:])), "history runs backwards"
            if order.deadline is not None:
                assert order.dispatched_at is not None and order.deadline >= order.dispatched_at
            assert not order.extension_pending or order.status == Status.ACCEPTED
            assert (order.status == Status.MERGED) == (order.merged_into_id is not None)
            if pk in self.terminal:
                assert order.status == self.terminal[pk], "a terminal status changed"
            elif order.status in TERMINAL_STATUSES:
                self.terminal[pk] = order.status


def test_random_histories_stay_consistent(city: City) -> None:
    WorkOrderMachine.city = city
    run_state_machine_as_test(WorkOrderMachine, settings=settings(
        max_examples=40, stateful_step_count=25, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow],
    ))
