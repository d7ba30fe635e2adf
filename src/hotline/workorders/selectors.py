"""Reads of work orders, always scoped to what the asking user may see."""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from hotline.directory.models import Role, Unit, User
from hotline.audit.models import AuditAction
from hotline.audit.services import record_access
from hotline.workcalendar.selectors import working_days_left
from hotline.workcalendar.services import WorkingCalendar
from hotline.workorders.search import search
from hotline.workorders.models import (
    TERMINAL_STATUSES, Action, Attachment, CallbackMethod, CallbackResult, CallbackSample, ContactMethod, Event,
    Notification, ReasonCode, Status, WorkOrder,
)

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
        units = _subtree(user)
        return qs.filter(Q(unit_id__in=units) | Q(co_units__in=units)).distinct()
    return qs.none()


PANEL_RELATED = ("channel", "appeal_type", "category", "unit", "region")


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


def reveal_phone(user: User, *, order: WorkOrder, via: str, ip: str = "") -> str | None:
    """The full number, audited; None if this user may not see it. (A read that writes its audit row.)"""
    if not may_reveal_phone(user, order) or not visible_orders(user).filter(pk=order.pk).exists():
        return None
    record_access(actor=user, action=AuditAction.REVEAL_PHONE, obj=order, citizen_phone=order.citizen_phone,
                  ip=ip, detail={"via": via})
    return order.citizen_phone


# --- the unit handler's inbox (承办台) -----------------------------------------------------------

def handler_orders(user: User) -> QuerySet[WorkOrder]:
    """Orders whose responsible unit is the handler's unit or one of its sub-units (the ones it acts on)."""
    if not user.is_active or user.role != Role.UNIT_HANDLER or not user.unit_id:
        return WorkOrder.objects.none()
    return WorkOrder.objects.filter(unit_id__in=_subtree(user))


def _subtree(user: User) -> set[int]:
    """The handler's unit subtree, read once per user object (one request) and keyed by its unit."""
    assert user.unit_id is not None
    cached = getattr(user, "_subtree_cache", None)
    if cached is None or cached[0] != user.unit_id:
        cached = user._subtree_cache = (user.unit_id, unit_subtree_ids(user.unit_id))  # type: ignore[attr-defined]
    return cached[1]


def handler_units(user: User) -> list[Unit]:
    """The handler's unit and its sub-units, for the desk's unit filter."""
    if user.role != Role.UNIT_HANDLER or not user.unit_id:
        return []
    return list(Unit.objects.filter(pk__in=_subtree(user)).order_by("code"))


_LIVE = (Status.DISPATCHED, Status.ACCEPTED, Status.SUPERVISED)

# tab slug -> Chinese label. "全部在办" first: everything the unit must still act on.
UNIT_TABS: dict[str, str] = {
    "open": "全部在办", "pending": "待签收", "doing": "办理中", "returned": "已退回", "supervised": "被督办",
    "extended": "延期中",
}


def _unit_tab_filters(units: set[int]) -> dict[str, Q]:
    """Each tab's filter. Supervision and approved extensions are found from the unit's events (index on
    event (unit, kind, at)) rather than probed per order: a big unit has thousands of open orders."""
    def marked(kind: str) -> Any:  # a subquery of order ids
        return Event.objects.filter(unit_id__in=units, kind=kind).values("order_id")
    return {
        "open": Q(status__in=_LIVE),
        "pending": Q(status=Status.DISPATCHED),
        "doing": Q(status=Status.ACCEPTED),
        "returned": Q(status=Status.RETURNED),
        "supervised": Q(status=Status.SUPERVISED) | Q(status__in=_LIVE, pk__in=marked(Action.SUPERVISE)),
        "extended": Q(status__in=_LIVE) & (Q(extension_pending=True) | Q(pk__in=marked(Action.APPROVE_EXTENSION))),
    }


def unit_inbox(user: User, *, tab: str, q: str = "", unit_id: int | None = None) -> QuerySet[WorkOrder]:
    """The tab's orders, the nearest deadline first (overdue on top); returned ones newest first."""
    if user.role != Role.UNIT_HANDLER or not user.unit_id:
        return WorkOrder.objects.none()
    filters = _unit_tab_filters(_subtree(user))
    qs = handler_orders(user).filter(filters.get(tab, filters["open"]))
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    qs = search(qs, user=user, q=q)
    if tab == "returned":
        return qs.order_by("-dispatched_at", "-id")
    return qs.order_by(F("deadline").asc(nulls_last=True), "id")


def unit_tab_counts(user: User) -> dict[str, int]:
    """How many orders each tab holds, in one query over the open and returned orders only."""
    if user.role != Role.UNIT_HANDLER or not user.unit_id:
        return dict.fromkeys(UNIT_TABS, 0)
    filters = _unit_tab_filters(_subtree(user))
    counts = handler_orders(user).filter(status__in=(*_LIVE, Status.RETURNED)).aggregate(
        **{slug: Count("pk", filter=cond) for slug, cond in filters.items()})
    return {slug: counts[slug] or 0 for slug in UNIT_TABS}


def page_of_orders(qs: QuerySet[WorkOrder], *, number: Any, size: int) -> Any:
    """A Paginator page of `qs` whose rows are fetched by id after the page's ids are chosen: the sort then
    runs on an index (e.g. unit, status, deadline) instead of reading every matching row."""
    page = Paginator(qs.values_list("pk", flat=True), size).get_page(number)
    ids: list[Any] = list(page.object_list)
    rows = qs.model.objects.filter(pk__in=ids).select_related("unit", "appeal_type", "channel").in_bulk()
    page.object_list = [rows[pk] for pk in ids if pk in rows]  # type: ignore[misc]
    return page


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
        if self.days < 0:  # past the deadline but no longer the unit's to meet (e.g. replied, awaiting review)
            return f"已过时限 {-self.days} 个工作日"
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


# --- the case history, as people read it ---------------------------------------------------------

@dataclass
class HistoryRow:
    seq: int
    at: dt.datetime
    kind: str
    action: str  # Chinese label
    actor: str  # the person's name (系统 for the system)
    role: str
    from_status: str
    to_status: str
    unit: str
    details: list[str]
    attachments: list[Attachment]


def person_name(user: User | None) -> str:
    if user is None:
        return "系统"
    return f"{user.last_name}{user.first_name}".strip() or user.username


def _when(value: Any) -> str:
    """An ISO time from event data as 2024-05-07 17:30 (unchanged if it is not one)."""
    try:
        return timezone.localtime(dt.datetime.fromisoformat(str(value))).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(value)


def _details(event: Event) -> list[str]:
    d, kind, out = event.data or {}, event.kind, []
    if kind in (Action.DISPATCH, Action.REDISPATCH) and event.unit:
        out.append(f"派往 {event.unit.name}")
    if kind == Action.CONTACT:
        if d.get("how") in ContactMethod.values:
            out.append(f"方式：{ContactMethod(d['how']).label}")
        if d.get("when"):
            out.append(f"联系时间：{_when(d['when'])}")
        if d.get("outcome"):
            out.append(f"结果：{d['outcome']}")
    if kind == Action.REQUEST_EXTENSION and d.get("days"):
        out.append(f"申请延期 {d['days']} 个工作日")
    if kind == Action.APPROVE_EXTENSION and d.get("days"):
        out.append(f"批准延期 {d['days']} 个工作日")
    if kind in (Action.REPLY, Action.RECTIFY):
        if d.get("text"):
            out.append(str(d["text"]))
        if d.get("on_time") is not None:
            out.append("按期" if d["on_time"] else "超期回复")
    if kind == Action.CALLBACK:
        if d.get("result") in CallbackResult.values:
            out.append(f"回访结果：{CallbackResult(d['result']).label}")
        if d.get("method") in CallbackMethod.values:
            out.append(CallbackMethod(d["method"]).label)
        if d.get("attempts"):
            out.append(f"拨打 {d['attempts']} 次")
    if kind == Action.VERIFY and isinstance(d.get("upheld"), bool):
        out.append("核实结果：不满意属实" if d["upheld"] else "核实结果：不满意不属实")
    if kind == Action.MERGE and d.get("into"):
        out.append(f"并入 {d['into']}")
    if kind == Action.ABSORB and d.get("repeat"):
        out.append(f"重复来电 {d['repeat']}")
    if d.get("deadline") and kind != Action.REPLY and kind != Action.RECTIFY:
        label = {Action.APPROVE_EXTENSION: "新时限", Action.SUPERVISE: "督办时限"}.get(kind, "时限")  # type: ignore[call-overload]
        out.append(f"{label}：{_when(d['deadline'])}")
    if event.reason:
        out.append(f"理由：{event.reason}")
    return out


def case_history(user: User, *, order: WorkOrder, last: int | None = None) -> list[HistoryRow]:
    """The order's steps in Chinese (names, labels, extension days, new deadlines, verification, files).
    Three queries whatever the length: events (with actor and unit), attachments."""
    events = order_events(user, order=order)
    if last is not None:
        events = events.order_by("-seq")[:last]
    rows = sorted(events, key=lambda e: e.seq)
    files: dict[int | None, list[Attachment]] = {}
    if rows:
        for att in Attachment.objects.filter(order=order).order_by("at", "id"):
            files.setdefault(att.event_id, []).append(att)
    out = []
    for e in rows:
        out.append(HistoryRow(
            seq=e.seq, at=e.at, kind=e.kind, action=e.get_kind_display(), actor=person_name(e.actor),
            role=Role(e.actor_role).label if e.actor_role in Role.values else e.actor_role,
            from_status=e.get_from_status_display() if e.from_status and e.from_status != e.to_status else "",
            to_status=e.get_to_status_display(), unit=e.unit.name if e.unit else "",
            details=_details(e), attachments=files.get(e.pk, []),
        ))
    if rows and last is None and files.get(None):  # files not tied to a step: listed after the last one
        out[-1].attachments = out[-1].attachments + files[None]
    return out


# --- the reviewer's queue (审核台) -----------------------------------------------------------------

REVIEW_TABS: dict[str, tuple[str, Q]] = {
    "replies": ("待审核回复", Q(status=Status.REPLIED)),
    "extensions": ("延期申请", Q(status=Status.ACCEPTED, extension_pending=True)),
}


def review_queue(user: User, *, tab: str, q: str = "") -> QuerySet[WorkOrder]:
    """Replies awaiting review / pending extension requests, oldest appeal first."""
    _, cond = REVIEW_TABS.get(tab, REVIEW_TABS["replies"])
    qs = search(visible_orders(user).filter(cond), user=user, q=q)
    return qs.select_related("unit", "appeal_type").order_by("received_at", "id")


def review_tab_counts(user: User) -> dict[str, int]:
    # One count per tab: each is an index search (status; extension_pending wants a partial index).
    return {k: visible_orders(user).filter(c).count() for k, (_, c) in REVIEW_TABS.items()}


def latest_step(user: User, *, order: WorkOrder, kinds: tuple[str, ...]) -> Event | None:
    """The order's latest event of one of these kinds (the reply under review, the pending request)."""
    return order_events(user, order=order).filter(kind__in=kinds).order_by("-seq").first()


def step_attachments(step: Event | None) -> list[Attachment]:
    return list(Attachment.objects.filter(event=step).order_by("id")) if step is not None else []


def count_steps(user: User, *, order: WorkOrder, kind: str) -> int:
    return order_events(user, order=order).filter(kind=kind).count()


def extended_deadline(order: WorkOrder, *, days: int) -> dt.datetime | None:
    """The deadline an approval of `days` working days would give (as the service computes it)."""
    if order.deadline is None or not 1 <= days <= 30:
        return None
    local = timezone.localtime(order.deadline)
    due = WorkingCalendar.load().add_working_days(local.date(), days)
    return dt.datetime.combine(due.date, local.timetz())


# --- the callback agent's queue (回访台) -------------------------------------------------------------

def _callbacks(result: str | None = None) -> QuerySet[Event]:
    qs = Event.objects.filter(order=OuterRef("pk"), kind=Action.CALLBACK)
    return qs.filter(result=result) if result else qs


CALLBACK_TABS: dict[str, tuple[str, Q]] = {
    "waiting": ("待回访", Q(status=Status.CALLBACK)),
    "retry": ("未接通待重拨", Q(Exists(_callbacks("unreachable")), status=Status.CALLBACK)),
    "sample": ("本月抽查", Q()),
}


def callback_queue(user: User, *, tab: str, q: str = "", month: dt.date | None = None) -> QuerySet[WorkOrder]:
    """Cases awaiting a callback (oldest appeal first), or the month's spot-check sample, each with the
    latest callback's result and how many calls were tried."""
    qs = visible_orders(user)
    if tab == "sample":
        month = month or timezone.localdate().replace(day=1)
        qs = qs.filter(pk__in=CallbackSample.objects.filter(month=month).values("order_id"))
    else:
        qs = qs.filter(CALLBACK_TABS.get(tab, CALLBACK_TABS["waiting"])[1])
    latest = _callbacks().order_by("-seq")
    qs = qs.annotate(last_result=Subquery(latest.values("result")[:1]),
                     last_method=Subquery(latest.values("method")[:1]),
                     calls=Subquery(_callbacks().values("order").annotate(n=Count("pk")).values("n")[:1]))
    return search(qs, user=user, q=q).select_related("unit", "appeal_type").order_by("received_at", "id")


def callback_tab_counts(user: User, *, month: dt.date) -> dict[str, int]:
    counts = visible_orders(user).filter(status=Status.CALLBACK).aggregate(
        **{k: Count("pk", filter=c) for k, (_, c) in CALLBACK_TABS.items() if k != "sample"})
    out = {k: counts.get(k) or 0 for k in CALLBACK_TABS}
    out["sample"] = sample_progress(user, month=month)[0]
    return out


def sample_progress(user: User, *, month: dt.date) -> tuple[int, int]:
    """(cases drawn, cases called back by hand since drawn with an answer) for the month's sample."""
    if user.role == Role.UNIT_HANDLER:
        return 0, 0
    rows = CallbackSample.objects.filter(month=month)
    answered = Event.objects.filter(order=OuterRef("order"), kind=Action.CALLBACK, method="manual",
                                    at__gte=OuterRef("drawn_at")).exclude(result="unreachable")
    counts = rows.aggregate(total=Count("pk"), done=Count("pk", filter=Q(Exists(answered))))
    return counts["total"] or 0, counts["done"] or 0
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
        qs = search(qs, user=user, q=q)
    if disputed:
        returned = Event.objects.filter(kind="return", order__status__in=QUEUE_STATUSES) \
            .values("order_id").annotate(n=Count("id")).filter(n__gte=DISPUTED_BOUNCES).values("order_id")
        qs = qs.filter(pk__in=returned)
    return qs.select_related("channel", "category", "region", "unit", "appeal_type").order_by("received_at", "id")


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


def unread_notifications(user: User) -> QuerySet[Notification]:
    """The user's own unread reminders, newest first (what a desk shows); never anyone else's."""
    return Notification.objects.filter(user=user, read_at__isnull=True).select_related("order").order_by(
        "-created_at", "-id")
