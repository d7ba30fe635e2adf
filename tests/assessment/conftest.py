"""Fixtures for the assessment tests: scheme copies for the test city, and a case-history driver."""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hotline.assessment.definition import compile_definition, shipped_definition
from hotline.assessment.models import Scheme
from hotline.assessment.services import create_scheme
from hotline.directory.models import Unit, User
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import transition
from tests.factories import City

TZ = ZoneInfo("Asia/Shanghai")
MAY = dt.date(2024, 5, 1)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, tzinfo=TZ)


def shipped(name: str):
    return compile_definition(shipped_definition(name))


def local_scheme(name: str, *, as_name: str | None = None, **changes: Any) -> Scheme:
    """A shipped scheme re-pointed at the test city (units have city="test")."""
    data = shipped_definition(name)
    data.update(city="test", **changes)
    return create_scheme(name=as_name or f"t-{name}", definition=data, actor=None)


class History:
    """Drives cases of the test city through transition() at explicit times."""

    def __init__(self, city: City) -> None:
        self.city = city

    def handler(self, unit: Unit) -> User:
        return {self.city.unit_a.pk: self.city.user("handler_a"), self.city.unit_a1.pk: self.city.user("handler_a1"),
                self.city.unit_b.pk: self.city.user("handler_b")}[unit.pk]

    def do(self, order: WorkOrder, action: str, actor: User | None, when: dt.datetime, reason: str = "",
           **data: Any) -> None:
        transition(order=order, action=action, actor=actor, at=when, reason=reason, data=data)

    def case(self, unit: Unit, dispatched: dt.datetime, *, replied: dt.datetime | None = None,
             result: str | None = "satisfied", box: str = "hotline", contact: bool = True) -> WorkOrder:
        """Dispatched, accepted, contacted; if `replied`: replied then, approved and called back by SMS."""
        order = self.city.dispatched(unit=unit, at=dispatched, box=box)
        h = self.handler(unit)
        self.do(order, "accept", h, dispatched + dt.timedelta(minutes=30))
        if contact:
            self.do(order, "contact", h, dispatched + dt.timedelta(minutes=40))
        if replied is not None:
            self.do(order, "reply", h, replied, text="已办理")
            self.do(order, "accept_reply", self.city.user("reviewer"), replied + dt.timedelta(minutes=10))
            if result:
                self.do(order, "callback", None, replied + dt.timedelta(minutes=20), result=result)
        return order


@pytest.fixture
def history(city: City) -> History:
    return History(city)
