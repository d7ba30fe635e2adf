"""Reads of work orders, always scoped to what the asking user may see."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from hotline.directory.models import Role, Unit, User
from hotline.workcalendar.selectors import working_days_left
from hotline.workorders.models import Action, Attachment, Event, PhoneAccess, Status, WorkOrder

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


def case_attachment(user: User, *, number: str, pk: int) -> Attachment | None:
    """An attachment of a case the user may see (None otherwise: another unit's case, unknown id)."""
    order = visible_orders(user).filter(number=number).values_list("pk", flat=True).first()
    if order is None:
        return None
    return Attachment.objects.filter(pk=pk, order_id=order).first()


def order_attachments(user: User, *, order: WorkOrder) -> list[Attachment]:
    if not visible_orders(user).filter(pk=order.pk).exists():
        return []
    return list(Attachment.objects.filter(order=order).select_related("uploaded_by").order_by("at", "id"))


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


# --- the unit handler's inbox (承办台) -----------------------------------------------------------

def handler_orders(user: User) -> QuerySet[WorkOrder]:
    """Orders whose responsible unit is the handler's unit or one of its sub-units (the ones it acts on)."""
    if not user.is_active or user.role != Role.UNIT_HANDLER or not user.unit_id:
        return WorkOrder.objects.none()
    # The subtree is read once per request (the user object lives for one request).
    subtree = getattr(user, "_subtree_ids", None)
    if subtree is None:
        subtree = user._subtree_ids = unit_subtree_ids(user.unit_id)  # type: ignore[attr-defined]
    return WorkOrder.objects.filter(unit_id__in=subtree)


def handler_units(user: User) -> list[Unit]:
    """The handler's unit and its sub-units, for the desk's unit filter."""
    if user.role != Role.UNIT_HANDLER or not user.unit_id:
        return []
    handler_orders(user)
    return list(Unit.objects.filter(pk__in=user._subtree_ids).order_by("code"))  # type: ignore[attr-defined]


_LIVE = (Status.DISPATCHED, Status.ACCEPTED, Status.SUPERVISED)
_SUPERVISED = Q(status=Status.SUPERVISED) | Q(
    Exists(Event.objects.filter(order=OuterRef("pk"), kind=Action.SUPERVISE)), status__in=_LIVE,
)
_EXTENDED = Q(status__in=_LIVE) & (Q(extension_pending=True) | Q(Exists(Event.objects.filter(
    order=OuterRef("pk"), kind=Action.APPROVE_EXTENSION, unit=OuterRef("unit")))))

# tab slug -> (Chinese label, filter). "全部在办" first: everything the unit must still act on.
UNIT_TABS: dict[str, tuple[str, Q]] = {
    "open": ("全部在办", Q(status__in=_LIVE)),
    "pending": ("待签收", Q(status=Status.DISPATCHED)),
    "doing": ("办理中", Q(status=Status.ACCEPTED)),
    "returned": ("已退回", Q(status=Status.RETURNED)),
    "supervised": ("被督办", _SUPERVISED),
    "extended": ("延期中", _EXTENDED),
}


def unit_inbox(user: User, *, tab: str, q: str = "", unit_id: int | None = None) -> QuerySet[WorkOrder]:
    """The tab's orders, the nearest deadline first (overdue on top); returned ones newest first."""
    label, cond = UNIT_TABS.get(tab, UNIT_TABS["open"])
    qs = handler_orders(user).filter(cond)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    qs = search_orders(user, qs, q)
    if tab == "returned":
        return qs.select_related("appeal_type", "unit").order_by("-dispatched_at", "-id")
    return qs.select_related("appeal_type", "unit").order_by(F("deadline").asc(nulls_last=True), "id")


def unit_tab_counts(user: User) -> dict[str, int]:
    """How many orders each tab holds, in one query."""
    counts = handler_orders(user).aggregate(**{slug: Count("pk", filter=cond) for slug, (_, cond) in UNIT_TABS.items()})
    return {slug: counts[slug] or 0 for slug in UNIT_TABS}


def search_orders(user: User, qs: QuerySet[WorkOrder], q: str) -> QuerySet[WorkOrder]:
    """By case number (or part of it) or by phone (the whole number or its last four digits). A unit never
    finds a confidential citizen by phone: that would tell it who complained."""
    q = q.strip()
    if not q:
        return qs
    by_number = Q(number__icontains=q)
    digits = q.replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) >= 4:
        phone = Q(citizen_phone=digits) | Q(citizen_phone__endswith=digits) if len(digits) == 4 else Q(
            citizen_phone=digits)
        if user.role == Role.UNIT_HANDLER:
            phone &= Q(confidential=False)
        return qs.filter(by_number | phone)
    return qs.filter(by_number)


@dataclass(frozen=True)
class Countdown:
    """Working days left before an order's deadline (剩余工作日), as the desks show it."""

    days: int | None  # None: no deadline
    overdue: bool

    @property
    def urgent(self) -> bool:  # red at one working day or less
        return self.overdue or (self.days is not None and self.days <= 1)

    @property
    def label(self) -> str:
        if self.days is None:
            return "—"
        if self.overdue:
            return f"超期 {-self.days} 个工作日" if self.days < 0 else "已超期"
        return "今日到期" if self.days == 0 else f"{self.days} 个工作日"


def countdowns(orders: list[WorkOrder], *, now: dt.datetime | None = None) -> dict[int, Countdown]:
    """Countdown of each order (by pk), computed for the whole list with one calendar query."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    dues = {timezone.localtime(o.deadline).date() for o in orders if o.deadline}
    left = working_days_left(today=today, dues=dues)
    out = {}
    for o in orders:
        if o.deadline is None:
            out[o.pk] = Countdown(None, False)
            continue
        days = left[timezone.localtime(o.deadline).date()]
        out[o.pk] = Countdown(days, o.deadline < now and o.status in _LIVE)
    return out
