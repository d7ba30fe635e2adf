"""Work-order endpoints: channel intake (integration token) and the staff case API (session)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pydantic
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router
from ninja.errors import AuthorizationError
from ninja.responses import Status as Reply

from hotline.api import InputError, error_item, integration_auth, staff_auth
from hotline.intelligence.selectors import suggest
from hotline.directory.models import AppealType, Category, Channel, IntegrationToken, Role, Tag, Unit, User
from hotline.directory.services import IdempotencyConflict, request_fingerprint, run_once
from hotline.workorders.models import CODED_ACTIONS, Action, Event, Status, WorkOrder
from hotline.workorders.rules import UNIT_BOUND, allowed_actions
from hotline.workorders.schemas import (
    CaseDetail, CaseFilters, CasePage, ErrorOut, EventOut, IntakeIn, IntakeOut, PhoneOut, ReasonCodeOut,
    SuggestionOut, TransitionIn, TransitionOut, clean_action_data, data_errors,
)
from hotline.workorders.selectors import (
    citizen_view, may_reveal_phone, order_events, reason_choices, reveal_phone, unit_subtree_ids, visible_orders,
)
from hotline.audit.models import AuditAction
from hotline.audit.services import client_ip, record_access
from hotline.workorders.services import (
    DomainError, create_order, record_case_list, record_case_view, record_transition, transition,
)

router = Router(tags=["cases"])

ERRORS: dict[int, Any] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 422)}
POST_ERRORS: dict[int, Any] = {**ERRORS, 413: ErrorOut}  # a body over DATA_UPLOAD_MAX_MEMORY_SIZE
NOT_FOUND = "未找到该工单"


def _one(qs: QuerySet[Any]) -> Any:
    """The first row of an unordered query, or None (cheaper than .first() on models with a default ordering)."""
    return next(iter(qs.order_by()[:1]), None)


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


# --- intake -----------------------------------------------------------------------------------

def _resolve_intake(payload: IntakeIn) -> tuple[dict[str, Any], list[int]]:
    """Codes and ids of the payload -> model fields; every unknown one is reported, naming its field."""
    errors: list[dict[str, Any]] = []
    fields: dict[str, Any] = payload.model_dump(exclude={"appeal_type", "category", "tags"})
    fields["box"], fields["urgency"] = str(payload.box.value), str(payload.urgency.value)
    if payload.appeal_type:
        fields["appeal_type"] = _one(AppealType.objects.filter(code=payload.appeal_type))
        if fields["appeal_type"] is None:
            errors.append(error_item("appeal_type", f"未知的诉求类型编码 {payload.appeal_type!r}", "unknown_code"))
    if payload.category is not None:
        fields["category"] = _one(Category.objects.filter(pk=payload.category))
        if fields["category"] is None:
            errors.append(error_item("category", f"未知的诉求分类 id {payload.category}", "unknown_id"))
    tag_ids: list[int] = []
    if payload.tags:
        found = dict(Tag.objects.filter(code__in=payload.tags).order_by().values_list("code", "id"))
        missing = sorted(set(payload.tags) - set(found))
        if missing:
            errors.append(error_item("tags", f"未知的专线标签编码 {', '.join(missing)}", "unknown_code"))
        tag_ids = sorted(set(found.values()))
    if errors:
        raise InputError(errors)
    return fields, tag_ids


@router.post(
    "/intake", auth=integration_auth, response={200: IntakeOut, 201: IntakeOut, **POST_ERRORS},
    summary="渠道接入：登记一件诉求（幂等）",
)
def intake(
    request: HttpRequest, payload: IntakeIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=120),
) -> Reply[IntakeOut]:
    """Creates a case for the token's channel. A retry with the same Idempotency-Key returns the same case (200)."""
    token: IntegrationToken = request.auth  # type: ignore[attr-defined]
    fields, tag_ids = _resolve_intake(payload)
    fields["channel"] = token.channel
    order, created = create_order(
        actor=None, fields=fields, tag_ids=tag_ids, source=token.source, idempotency_key=idempotency_key,
    )
    # A retry must be the same appeal; a key reused for another one would otherwise lose that appeal silently.
    if not created and (order.channel_id, order.content, order.citizen_phone, order.box) != (
        token.channel_id, fields["content"], fields["citizen_phone"], fields["box"]
    ):
        raise InputError(
            [error_item("Idempotency-Key", "该幂等键已用于另一件不同的诉求", "idempotency_key_reused")], status=409,
        )
    if created:
        record_access(actor=None, action=AuditAction.INTAKE, obj=order, citizen_phone=order.citizen_phone,
                      ip=client_ip(request), detail={"source": token.source, "token": token.pk})
    out = IntakeOut(
        number=order.number, status=order.status, box=order.box, channel=token.channel.code, source=order.source,
        received_at=order.received_at, created=created,
        suggested_categories=_suggestions(order, "category"), suggested_units=_suggestions(order, "unit"),
    )
    return Reply(201 if created else 200, out)


def _suggestions(order: WorkOrder, target: str) -> list[SuggestionOut]:
    """Top-3 categories or units for the new case (hints for the operator and dispatcher; nothing is set)."""
    return [SuggestionOut(id=s.pk, name=s.name, score=float(s.score)) for s in suggest(
        target=target, title=order.title, content=order.content, address=order.address, region_id=order.region_id,
        category_id=order.category_id)]


# --- cases ------------------------------------------------------------------------------------

def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# Outside these days a bound excludes nothing, and its instant would not fit a datetime in UTC (year 0/10000).
_FIRST_DAY, _LAST_DAY = dt.date(1000, 1, 1), dt.date(9998, 12, 31)


def _filtered(user: User, f: CaseFilters) -> QuerySet[WorkOrder]:
    qs = visible_orders(user)
    errors: list[dict[str, Any]] = []
    if f.status is not None:
        qs = qs.filter(status=f.status.value)
    if f.box is not None:
        qs = qs.filter(box=f.box.value)
    if f.unit is not None:
        if not Unit.objects.filter(pk=f.unit).exists():
            errors.append(error_item("unit", f"未知的承办单位 id {f.unit}", "unknown_id"))
        qs = qs.filter(unit_id__in=unit_subtree_ids(f.unit))
    if f.channel:
        channel = _one(Channel.objects.filter(code=f.channel))
        if channel is None:
            errors.append(error_item("channel", f"未知的受理渠道编码 {f.channel!r}", "unknown_code"))
        qs = qs.filter(channel=channel)
    if errors:
        raise InputError(errors)
    if f.received_from is not None and f.received_from > _FIRST_DAY:
        qs = qs.filter(received_at__gte=_day_start(f.received_from))
    if f.received_to is not None and f.received_to < _LAST_DAY:
        qs = qs.filter(received_at__lt=_day_start(f.received_to + dt.timedelta(days=1)))
    if f.overdue is not None:
        qs = qs.filter(overdue=f.overdue)
    q = (f.q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(content__icontains=q))
    return qs


def _ref(obj: Any, key: str = "code") -> dict[str, Any] | None:
    if obj is None:
        return None
    return {key: getattr(obj, key), "name": obj.name}


def _item(user: User, order: WorkOrder) -> dict[str, Any]:
    return {
        "number": order.number, "box": order.box, "status": order.status,
        "status_label": Status(order.status).label, "channel": _ref(order.channel),
        **citizen_view(user, order),
        "title": order.title, "summary": order.content[:80],
        "appeal_type": _ref(order.appeal_type), "category": _ref(order.category, "id"),
        "urgency": order.urgency, "unit": _ref(order.unit, "id"),
        "received_at": order.received_at, "deadline": order.deadline, "overdue": order.overdue,
    }


def _actions_for(user: User, order: WorkOrder) -> list[dict[str, str]]:
    """Moves the table allows this user now; unit-bound moves only for the unit holding the case."""
    actions = allowed_actions(order.status, user.role)
    if user.role == Role.UNIT_HANDLER:
        holds = bool(user.unit_id and order.unit_id and order.unit_id in unit_subtree_ids(user.unit_id))
        if not holds:
            actions = [a for a in actions if a not in UNIT_BOUND]
    # An extension can be requested only when none is pending, and decided only while one is.
    if order.extension_pending:
        actions = [a for a in actions if a != Action.REQUEST_EXTENSION]
    else:
        actions = [a for a in actions if a not in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION)]
    return [{"action": str(a), "label": Action(a).label} for a in actions]


def _detail(user: User, order: WorkOrder) -> dict[str, Any]:
    return {
        **_item(user, order),
        "content": order.content,  # the address comes masked from citizen_view via _item
        "tags": [_ref(t) for t in order.tags.all()],
        "co_units": [_ref(u, "id") for u in order.co_units.all()],
        "dispatched_at": order.dispatched_at, "deadline_fallback": order.deadline_fallback,
        "extension_pending": order.extension_pending,
        "merged_into": order.merged_into.number if order.merged_into_id else None,  # type: ignore[union-attr]
        "source": order.source, "external_id": order.external_id, "version": order.version,
        "can_reveal_phone": may_reveal_phone(user, order),
        "allowed_actions": _actions_for(user, order),
    }


def _event(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq, "kind": event.kind, "kind_label": Action(event.kind).label, "at": event.at,
        "actor": event.actor.username if event.actor else None, "actor_role": event.actor_role,
        "from_status": event.from_status, "to_status": event.to_status, "unit": _ref(event.unit, "id"),
        "reason": event.reason, "data": event.data,
    }


def _visible(user: User, number: str) -> WorkOrder:
    """The case if this user may see it; 404 otherwise, so that other units cannot probe numbers."""
    order = (
        visible_orders(user).select_related("channel", "appeal_type", "category", "unit", "merged_into")
        .filter(number=number).first()
    )
    if order is None:
        raise Http404(NOT_FOUND)
    return order


@router.get("/cases", auth=staff_auth, response={200: CasePage, **ERRORS}, summary="工单列表")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    user = _user(request)
    qs = _filtered(user, filters)
    start = (filters.page - 1) * filters.page_size
    page = list(qs.select_related("channel", "appeal_type", "category", "unit")[start:start + filters.page_size])
    record_case_list(actor=user, numbers=[o.number for o in page], ip=client_ip(request), via="api",
                     query=filters.model_dump(mode="json", exclude_defaults=True))
    return {
        "count": qs.count(), "page": filters.page, "page_size": filters.page_size,
        "items": [_item(user, o) for o in page],
    }


@router.get("/reason-codes", auth=staff_auth, response={200: list[ReasonCodeOut], **ERRORS},
            summary="理由代码（返工、核实、退回、督办）")
def reason_codes(request: HttpRequest, action: str) -> list[dict[str, str]]:
    if action not in CODED_ACTIONS:
        raise InputError([error_item("action", f"动作 {action!r} 不使用理由代码；可选：{', '.join(CODED_ACTIONS)}",
                                     "unknown_action")])
    return [{"code": c, "label": label} for c, label in reason_choices(action)]


@router.get("/cases/{number}", auth=staff_auth, response={200: CaseDetail, **ERRORS}, summary="工单详情")
def case_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    user = _user(request)
    order = _visible(user, number)
    record_case_view(actor=user, order=order, ip=client_ip(request), via="api")
    return _detail(user, order)


@router.get("/cases/{number}/events", auth=staff_auth, response={200: list[EventOut], **ERRORS},
            summary="工单流转记录")
def case_events(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    user = _user(request)
    order = _visible(user, number)
    return [_event(e) for e in order_events(user, order=order)]


@router.post("/cases/{number}/phone", auth=staff_auth, response={200: PhoneOut, **POST_ERRORS},
             summary="查看完整号码（留痕）")
def case_phone(request: HttpRequest, number: str) -> dict[str, str]:
    user = _user(request)
    order = _visible(user, number)
    phone = reveal_phone(user, order=order, via="api", ip=client_ip(request))
    if phone is None:
        raise AuthorizationError(message="当前角色无权查看完整号码")
    return {"number": order.number, "citizen_phone": phone}


@router.post("/cases/{number}/transitions", auth=staff_auth, response={200: TransitionOut, **POST_ERRORS},
             summary="执行流转动作（可带 Idempotency-Key）")
def case_transition(
    request: HttpRequest, number: str, payload: TransitionIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", min_length=1, max_length=120),
) -> dict[str, Any]:
    """With an Idempotency-Key, a retry of the same request by the same user answers as the first time and
    acts once; the key reused for a different request is a 409."""
    user = _user(request)
    try:
        data = clean_action_data(payload.action, payload.data)
    except pydantic.ValidationError as exc:
        raise InputError([error_item(*e) for e in data_errors(exc)]) from exc

    def work() -> tuple[int, dict[str, Any]]:
        order = _visible(user, number)
        return 200, _transition(user, order, payload, data, ip=client_ip(request))

    if idempotency_key is None:
        return work()[1]
    fingerprint = request_fingerprint("transition", number, payload.model_dump_json())
    try:
        _, body, _ = run_once(user=user, key=idempotency_key, fingerprint=fingerprint, work=work)
    except IdempotencyConflict as exc:
        raise InputError([error_item("Idempotency-Key", str(exc), "idempotency_key_reused")], status=409) from exc
    return body


def _transition(user: User, order: WorkOrder, payload: TransitionIn, data: dict[str, Any], *,
                ip: str) -> dict[str, Any]:
    try:
        fields = dict(data)
        if payload.reason_code:
            fields["reason_code"] = payload.reason_code
        event = transition(order=order, action=payload.action, actor=user, reason=payload.reason, data=fields)
    except DomainError as exc:
        # The service names keys of `data` bare ("unit"); the API names them by their place in the body.
        if exc.field and exc.field not in ("action", "reason", "reason_code"):
            exc.field = f"data.{exc.field}"
        raise
    record_transition(actor=user, event=event, ip=ip, via="api")
    # transition() refreshed `order`; the user keeps seeing it (the responsible unit changes only by dispatch).
    # Stored as JSON for retries (an Idempotency-Key), so shaped by the response schema here.
    return TransitionOut.model_validate({"event": _event(event), "case": _detail(user, order)}).model_dump(mode="json")
