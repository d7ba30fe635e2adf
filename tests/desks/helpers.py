"""Walk a case through the services to the state a desk test needs."""
from __future__ import annotations

from typing import Any

from hotline.workorders.models import WorkOrder
from hotline.workorders.services import transition


def to_callback(city: Any, **overrides: Any) -> WorkOrder:
    order = city.dispatched(**overrides)
    h = city.user("handler_a")
    transition(order=order, action="accept", actor=h)
    transition(order=order, action="reply", actor=h, data={"text": "已修复路灯"})
    transition(order=order, action="accept_reply", actor=city.user("reviewer"))
    return order


def to_verifying(city: Any, **overrides: Any) -> WorkOrder:
    order = to_callback(city, **overrides)
    transition(order=order, action="callback", actor=city.user("callback"), reason="仍未修好",
               data={"result": "unsatisfied"})
    return order


def to_unsatisfied(city: Any, **overrides: Any) -> WorkOrder:
    order = to_verifying(city, **overrides)
    transition(order=order, action="verify", actor=city.user("supervisor"), reason="属实", data={"upheld": True})
    return order
