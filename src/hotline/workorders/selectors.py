"""Reads of work orders, always scoped to what the asking user may see."""
from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hotline.directory.models import Role, Unit, User
from hotline.workorders.models import Event, PhoneAccess, ReasonCode, WorkOrder

# Hotline-side roles see every case; unit handlers see their unit's subtree only.
CITYWIDE_ROLES = frozenset({
    Role.OPERATOR, Role.DISPATCHER, Role.REVIEWER, Role.CALLBACK, Role.SUPERVISOR, Role.LEADER, Role.ADMIN,
})
# Roles whose work needs the citizen's phone number (to call or text them back).
PHONE_ROLES = frozenset({Role.OPERATOR, Role.CALLBACK, Role.UNIT_HANDLER})


def unit_subtree_ids(unit_id: int) -> set[int]:
    """The unit and all its descendants (sub-units handle cases on the unit's behalf)."""
    ids, frontier = {unit_id}, {unit_id}
    while frontier:
        frontier = set(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - ids
        ids |= frontier
    return ids


def visible_orders(user: User) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.all()
    if not user.is_active:
        return qs.none()
    if user.role in CITYWIDE_ROLES or user.is_superuser:
        return qs
    if user.role == Role.UNIT_HANDLER and user.unit_id:
        units = unit_subtree_ids(user.unit_id)
        return qs.filter(Q(unit_id__in=units) | Q(co_units__in=units)).distinct()
    return qs.none()


def get_visible_order(user: User, *, number: str) -> WorkOrder | None:
    return visible_orders(user).filter(number=number).first()


def order_events(user: User, *, order: WorkOrder) -> QuerySet[Event]:
    """History of an order the user may see (empty otherwise)."""
    if not visible_orders(user).filter(pk=order.pk).exists():
        return Event.objects.none()
    return Event.objects.filter(order=order).select_related("actor", "unit").order_by("seq")


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****" if digits else ""


def identity_hidden(user: User, order: WorkOrder) -> bool:
    """A confidential citizen's identity is never shown to a unit."""
    return order.confidential and user.role == Role.UNIT_HANDLER


def citizen_view(user: User, order: WorkOrder) -> dict[str, Any]:
    """Citizen fields as this user may see them in lists and details (phone always masked here)."""
    if identity_hidden(user, order):
        return {"citizen_name": "（保密）", "citizen_phone": "（保密）", "confidential": True}
    return {
        "citizen_name": order.citizen_name,
        "citizen_phone": mask_phone(order.citizen_phone),
        "confidential": order.confidential,
    }


def may_reveal_phone(user: User, order: WorkOrder) -> bool:
    return user.role in PHONE_ROLES and not identity_hidden(user, order)


def reveal_phone(user: User, *, order: WorkOrder, via: str) -> str | None:
    """The full number, audited; None if this user may not see it. (A read that writes its audit row.)"""
    if not may_reveal_phone(user, order) or not visible_orders(user).filter(pk=order.pk).exists():
        return None
    PhoneAccess.objects.create(order=order, user=user, via=via)
    return order.citizen_phone


def reason_choices(action: str) -> list[tuple[str, str]]:
    """(code, label) of the active reason codes for an action, for the desks' choice lists."""
    return reason_codes_for(action=action, upheld=None)


def reason_codes_for(*, action: str, upheld: bool | None) -> list[tuple[str, str]]:
    """As reason_choices; for a verification, `upheld` keeps the codes of that verdict (and either)."""
    rows = ReasonCode.objects.filter(active=True).order_by("order", "code")
    return [(r.code, r.label) for r in rows if action in (r.actions or [])
            and (upheld is None or r.upheld is None or r.upheld is upheld)]
