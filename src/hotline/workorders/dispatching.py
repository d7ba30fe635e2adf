"""The dispatcher's writes: send one or many waiting cases to units (派单 / 改派), each with its own result."""
from __future__ import annotations

from dataclasses import dataclass

from hotline.directory.models import Unit, User
from hotline.workorders.models import Action, Status
from hotline.workorders.selectors import visible_orders
from hotline.workorders.services import DomainError, transition


@dataclass(frozen=True)
class DispatchItem:
    number: str
    unit_id: int | None
    version: int | None = None  # the version the dispatcher saw (optimistic locking); None: do not check


@dataclass(frozen=True)
class DispatchResult:
    number: str
    ok: bool
    message: str
    field: str | None = None  # the input the failure is about (unit, reason, version)


def dispatch_one(*, actor: User, item: DispatchItem, reason: str = "") -> DispatchResult:
    """Dispatch a new case or re-dispatch a returned one. A re-dispatch needs a reason (the service says so)."""
    order = visible_orders(actor).filter(number=item.number).first()
    if order is None:
        return DispatchResult(item.number, False, "工单不存在或无权查看")
    if item.unit_id is None:
        return DispatchResult(item.number, False, "未选择承办单位，且没有建议单位", "unit")
    action = Action.REDISPATCH if order.status == Status.RETURNED else Action.DISPATCH
    try:
        transition(order=order, action=action, actor=actor, reason=reason.strip(), data={"unit": item.unit_id},
                   expected_version=item.version)
    except DomainError as exc:
        return DispatchResult(item.number, False, exc.message, exc.field)
    unit = Unit.objects.filter(pk=item.unit_id).values_list("name", flat=True).first()
    return DispatchResult(item.number, True, f"已{Action(action).label}至{unit}")


def dispatch_many(*, actor: User, items: list[DispatchItem], reason: str = "") -> list[DispatchResult]:
    """Each case on its own: one that cannot be dispatched (changed meanwhile, no unit) leaves the others done."""
    return [dispatch_one(actor=actor, item=item, reason=reason) for item in items]
