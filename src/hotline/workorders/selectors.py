"""Reads of work orders, always scoped to what the asking user may see."""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hotline.directory.models import Role, Unit, User
from hotline.workorders.models import TERMINAL_STATUSES, Event, PhoneAccess, ReasonCode, Status, WorkOrder

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


HIDDEN = "（保密）"


def citizen_view(user: User, order: WorkOrder) -> dict[str, Any]:
    """Citizen fields as this user may see them in lists and details (phone always masked here).

    The address identifies a confidential citizen as surely as the name (a flat number), so it is masked
    with the identity; every page, API answer and export takes these fields from here, never from the order.
    """
    if identity_hidden(user, order):
        return {"citizen_name": HIDDEN, "citizen_phone": HIDDEN, "address": HIDDEN, "confidential": True}
    return {
        "citizen_name": order.citizen_name,
        "citizen_phone": mask_phone(order.citizen_phone),
        "address": order.address,
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


# --- the operator desk: a caller's history and duplicate hints ------------------------------------

HISTORY_DAYS = 365
DUPLICATE_DAYS = 30
DUPLICATE_RATIO = 0.8  # difflib similarity at which two appeals count as near-identical text
DUPLICATE_CANDIDATES = 200  # the region's most recent cases compared with the new text


def normalize_phone(phone: str) -> str:
    """Digits only: what the operator types may carry spaces or dashes."""
    return "".join(ch for ch in phone if ch.isdigit())


def caller_history(user: User, *, phone: str, limit: int = 20) -> dict[str, list[WorkOrder]]:
    """The caller's cases of the last 12 months this user may see: open ones and the earlier (finished) ones."""
    phone = normalize_phone(phone)
    if len(phone) < 7:
        return {"open": [], "earlier": []}
    since = timezone.now() - dt.timedelta(days=HISTORY_DAYS)
    rows = list(
        visible_orders(user).filter(citizen_phone=phone, received_at__gte=since)
        .select_related("unit", "category").order_by("-received_at", "-id")[: limit * 2]
    )
    open_ = [o for o in rows if o.status not in TERMINAL_STATUSES]
    earlier = [o for o in rows if o.status in TERMINAL_STATUSES]
    return {"open": open_[:limit], "earlier": earlier[:limit]}


def duplicate_candidates(
    user: User, *, phone: str, content: str, region_id: int | None, limit: int = 5,
) -> list[tuple[WorkOrder, str]]:
    """Cases the new call may repeat, each with why: an open case from the same phone, or near-identical
    text in the same region within 30 days. A simple first version: the intelligence app may replace it."""
    found: dict[int, tuple[WorkOrder, str]] = {}
    base = visible_orders(user).exclude(status__in=(Status.MERGED, Status.INVALID)).select_related("unit")
    phone = normalize_phone(phone)
    if len(phone) >= 7:
        for order in base.exclude(status__in=TERMINAL_STATUSES).filter(citizen_phone=phone) \
                .order_by("-received_at")[:limit]:
            found[order.pk] = (order, "同一来电号码的未办结工单")
    text = content.strip()
    if region_id and len(text) >= 10:
        since = timezone.now() - dt.timedelta(days=DUPLICATE_DAYS)
        recent = base.filter(region_id=region_id, received_at__gte=since).order_by("-received_at")
        for order in recent[:DUPLICATE_CANDIDATES]:
            if order.pk in found:
                continue
            if _similar(text, order.content):
                found[order.pk] = (order, f"同一区域近{DUPLICATE_DAYS}天内容相近")
    return list(found.values())[:limit]


def _similar(a: str, b: str) -> bool:
    """Near-identical texts; the cheap upper bounds first, the exact ratio only when they pass."""
    m = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return m.real_quick_ratio() >= DUPLICATE_RATIO and m.quick_ratio() >= DUPLICATE_RATIO \
        and m.ratio() >= DUPLICATE_RATIO


# --- the dispatcher desk: the queue of new and returned cases -------------------------------------

DISPUTED_BOUNCES = 3  # returned this many times: a jurisdiction dispute (争议工单) for the supervisor to rule on
QUEUE_STATUSES = (Status.NEW, Status.RETURNED)


def dispatch_queue(
    user: User, *, status: str = "", channel_id: int | None = None, region_id: int | None = None,
    category_ids: set[int] | None = None, disputed: bool = False, q: str = "",
) -> QuerySet[WorkOrder]:
    """New and returned cases waiting for a unit, oldest first."""
    qs = visible_orders(user).filter(status__in=[status] if status in QUEUE_STATUSES else QUEUE_STATUSES)
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    if region_id:
        qs = qs.filter(region_id=region_id)
    if category_ids is not None:
        qs = qs.filter(category_id__in=category_ids)
    if q.strip():
        qs = qs.filter(search_filter(q))
    if disputed:
        returned = Event.objects.filter(kind="return", order__status__in=QUEUE_STATUSES) \
            .values("order_id").annotate(n=Count("id")).filter(n__gte=DISPUTED_BOUNCES).values("order_id")
        qs = qs.filter(pk__in=returned)
    return qs.select_related("channel", "category", "region", "unit", "appeal_type").order_by("received_at", "id")


def search_filter(q: str) -> Q:
    """Case number (or part of it), a full phone number or its last four digits, or the citizen's name."""
    q = q.strip()
    digits = normalize_phone(q)
    cond = Q(number__icontains=q) | Q(citizen_name=q)
    if len(digits) == 4 and digits == q:
        cond |= Q(citizen_phone__endswith=digits)
    elif len(digits) >= 7:
        cond |= Q(citizen_phone=digits)
    return cond


@dataclass(frozen=True)
class Bounces:
    """How often a case was returned, and the latest return: who sent it back, when and why."""

    count: int
    last_reason: str = ""
    last_unit: str = ""
    last_at: dt.datetime | None = None

    @property
    def disputed(self) -> bool:
        return self.count >= DISPUTED_BOUNCES


def bounces_of(order_ids: list[int]) -> dict[int, Bounces]:
    """Return events of a page of orders in one query (the user already sees these orders)."""
    rows = Event.objects.filter(order_id__in=order_ids, kind="return").order_by("order_id", "seq") \
        .values_list("order_id", "reason", "unit__name", "at")
    out: dict[int, Bounces] = {}
    for order_id, reason, unit, at in rows:
        prev = out.get(order_id)
        out[order_id] = Bounces((prev.count if prev else 0) + 1, reason, unit or "", at)
    return out


def return_history(user: User, *, order: WorkOrder) -> list[Event]:
    """The order's returns and re-dispatches, oldest first (empty if the user may not see the order)."""
    return list(order_events(user, order=order).filter(kind__in=("return", "redispatch", "dispatch")))


def reason_choices(action: str) -> list[tuple[str, str]]:
    """(code, label) of the active reason codes for an action, for the desks' choice lists."""
    return reason_codes_for(action=action, upheld=None)


def reason_codes_for(*, action: str, upheld: bool | None) -> list[tuple[str, str]]:
    """As reason_choices; for a verification, `upheld` keeps the codes of that verdict (and either)."""
    rows = ReasonCode.objects.filter(active=True).order_by("order", "code")
    return [(r.code, r.label) for r in rows if action in (r.actions or [])
            and (upheld is None or r.upheld is None or r.upheld is upheld)]
