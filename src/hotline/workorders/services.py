"""Writes on work orders: intake and the one transition service. Every change appends an Event."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from hotline.audit.models import AuditAction
from hotline.audit.services import record_access
from hotline.directory.models import Role, Tag, Unit, User
from hotline.workcalendar.services import WorkingCalendar, compute_deadline
from hotline.workorders.models import (
    CODED_ACTIONS, Action, Attachment, AttachmentKind, CallbackMethod, CallbackResult, ContactMethod, Event,
    NumberSequence, ReasonCode, Status, WorkOrder, metric_columns,
)
from hotline.workorders import chain, files as stored_files, tenure
from hotline.workorders.limits import CONTENT_MAX, TEXT_LIMITS, field_name, text_problem
from hotline.workorders.rules import MOVES, UNIT_BOUND
from hotline.workorders.selectors import unit_subtree_ids, visible_orders


class DomainError(Exception):
    """A rule of the work stops this request. `field` names the offending input where there is one."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class ForbiddenMove(DomainError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code="forbidden")


def role_of(actor: User | None) -> str:
    return Role.SYSTEM if actor is None else actor.role


# --- case numbers -----------------------------------------------------------------------------

_BUMP_SQL = (
    f'UPDATE "{NumberSequence._meta.db_table}" SET "last" = "last" + 1 WHERE "prefix" = %s RETURNING "last"'
)


def next_number(*, box: str, at: dt.datetime) -> str:
    """The day's next case number. Call inside a transaction: the counter row stays locked until it ends."""
    prefix = ("XX" if box == "mailbox" else "RX") + timezone.localtime(at).strftime("%Y%m%d")
    if connection.features.can_return_columns_from_insert:  # UPDATE ... RETURNING: PostgreSQL, SQLite >= 3.35
        # One statement instead of SELECT ... FOR UPDATE + UPDATE: intake's hottest path.
        with connection.cursor() as cursor:
            cursor.execute(_BUMP_SQL, [prefix])
            row = cursor.fetchone()
            if row is None:
                NumberSequence.objects.get_or_create(prefix=prefix)
                cursor.execute(_BUMP_SQL, [prefix])
                row = cursor.fetchone()
        return f"{prefix}{row[0]:06d}"
    seq, _ = NumberSequence.objects.select_for_update().get_or_create(prefix=prefix)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{prefix}{seq.last:06d}"


# --- intake -----------------------------------------------------------------------------------

def create_order(
    *, actor: User | None, fields: dict[str, Any], tag_ids: list[int] | None = None,
    source: str = "", idempotency_key: str | None = None, at: dt.datetime | None = None,
    number: str | None = None,
) -> tuple[WorkOrder, bool]:
    """Register an appeal. With an idempotency key, a retried request returns the first order, created=False."""
    if idempotency_key:
        # Look for the id only (compiling a 30-column SELECT costs more than the query itself); the key is
        # unique per source, so no ordering is needed. A hit, the rare case, then loads the order.
        existing = WorkOrder.objects.filter(source=source, idempotency_key=idempotency_key).order_by()
        existing_pk = next(iter(existing.values_list("pk", flat=True)[:1]), None)
        if existing_pk is not None:
            return WorkOrder.objects.get(pk=existing_pk), False
    _check_intake_texts(fields)
    at = at or timezone.now()
    try:
        with transaction.atomic():
            order = WorkOrder(
                **fields, source=source, idempotency_key=idempotency_key or None, received_at=at,
                number=number or next_number(box=fields.get("box", "hotline"), at=at),
                status=Status.NEW, version=1,
            )
            order.save(force_insert=True)
            if actor is not None and actor.role == Role.LEADER:
                # A leader taking calls at the intake desk is a leader answering day (领导接听日): the
                # bulletin's special line counts these cases by this tag.
                tag_ids = [*(tag_ids or []), _leader_day_tag()]
            if tag_ids:
                order.tags.add(*tag_ids)  # a new order has no tags: add() skips set()'s read of the current ones
            _append(order, actor=actor, kind=Action.CREATE, at=at, from_status="", to_status=Status.NEW,
                    seq=1, reason="", data={"channel": order.channel_id})
    except IntegrityError:
        if idempotency_key:
            # A concurrent identical request won the race: hand back its order.
            return WorkOrder.objects.get(source=source, idempotency_key=idempotency_key), False
        raise
    return order, True


def _check_intake_texts(fields: dict[str, Any]) -> None:
    """Text fields of an appeal: no longer than their column (the content: CONTENT_MAX), no NUL."""
    for key, value in fields.items():
        if not isinstance(value, str):
            continue
        limit = CONTENT_MAX if key == "content" else getattr(WorkOrder._meta.get_field(key), "max_length", None)
        problem = text_problem(value, label=field_name(key), limit=limit or CONTENT_MAX)
        if problem:
            raise DomainError(problem, field=key)


LEADER_DAY_TAG = ("leader_day", "领导接听日")  # as in hotline/directory/data/tags.csv


def _leader_day_tag() -> int:
    tag, _ = Tag.objects.get_or_create(code=LEADER_DAY_TAG[0], defaults={"name": LEADER_DAY_TAG[1]})
    return tag.pk


def _append(order: WorkOrder, *, actor: User | None, kind: str, at: dt.datetime, from_status: str,
            to_status: str, seq: int, reason: str, data: dict[str, Any]) -> Event:
    role = role_of(actor)
    content: dict[str, Any] = dict(kind=kind, at=at, actor_role=role, from_status=from_status, to_status=to_status,
                   unit_id=order.unit_id, reason=reason, data=data)
    digest = chain.event_hash(chain.previous_hash(order.pk, seq), number=order.number, seq=seq,
                              actor_id=actor.pk if actor else None, **content)
    event = Event(order=order, seq=seq, actor=actor, hash=digest, **content,
                  **metric_columns(box=order.box, kind=kind, data=data))
    event.save(force_insert=True)
    tenure.record(event, box=order.box)
    return event


# --- the transition service -------------------------------------------------------------------

def transition(
    *, order: WorkOrder | int, action: str, actor: User | None, reason: str = "",
    data: dict[str, Any] | None = None, at: dt.datetime | None = None, expected_version: int | None = None,
) -> Event:
    """Apply one action to an order: lock the row, check the table of moves, update, append an event.

    `expected_version` is the order's version the person saw (optimistic locking for pages): if someone
    else changed the order since, nothing is written and a "stale" DomainError says to reload.
    """
    data = dict(data or {})
    move = MOVES.get(action)
    if move is None:
        raise DomainError(f"未知的操作 {action!r}", field="action")
    if at is not None and timezone.is_naive(at):
        raise DomainError("时间必须带时区", field="at")
    _check_texts(reason=reason, data=data)
    with transaction.atomic():
        pk = order if isinstance(order, int) else order.pk
        locked = _lock(pk, action=action, data=data)
        if locked is None:
            raise DomainError(f"工单 {pk} 不存在", field="order", code="not_found")
        if expected_version is not None and locked.version != expected_version:
            raise DomainError("该工单已被他人修改，请刷新页面后重试", field="version", code="stale")
        _check_allowed(locked, action=action, actor=actor)
        coded = _reason_code(action=action, data=data)
        if coded is not None and not reason.strip():
            reason = coded.label  # a chosen code is a reason; free text beside it stays optional
        if move.reason_required and not reason.strip():
            raise DomainError(f"“{Action(action).label}”必须填写理由", field="reason")
        at = at or timezone.now()
        _check_time(locked, at)
        before = locked.status
        target = HANDLERS[action](locked, actor=actor, data=data, at=at) or move.target or before
        locked.status = target
        locked.version += 1
        locked.save()
        event = _append(locked, actor=actor, kind=action, at=at, from_status=before, to_status=target,
                        seq=locked.version, reason=reason, data=data)
    if isinstance(order, WorkOrder):
        order.refresh_from_db()
    return event


def _reason_code(*, action: str, data: dict[str, Any]) -> ReasonCode | None:
    """The coded reason in data["reason_code"], checked: an active code listed for this action (and, on a
    verification, for its verdict). It stays in the event's data with its label as worded then."""
    code = data.get("reason_code")
    if code in (None, ""):
        data.pop("reason_code", None)
        return None
    if action not in CODED_ACTIONS:
        raise DomainError(f"“{Action(action).label}”不使用理由代码", field="reason_code")
    found = ReasonCode.objects.filter(code=str(code), active=True).first() if isinstance(code, str) else None
    if found is None or action not in (found.actions or []):
        raise DomainError(f"理由代码“{code}”不存在、已停用或不适用于“{Action(action).label}”", field="reason_code")
    upheld = data.get("upheld")
    if action == Action.VERIFY and isinstance(upheld, bool) and found.upheld is not None and upheld is not found.upheld:
        verdict = "属实" if found.upheld else "不属实"
        raise DomainError(f"理由代码“{found.label}”只用于核实{verdict}", field="reason_code")
    data["reason_label"] = found.label
    return found


def _lock(pk: int, *, action: str, data: dict[str, Any]) -> WorkOrder | None:
    """Lock the order's row and, for a merge, its target's, always in primary-key order: two crossed merges
    (A into B, B into A) then queue on the same first row instead of deadlocking."""
    rows = Q(pk=pk)
    if action == Action.MERGE and isinstance(data.get("into"), str) and data["into"]:
        rows |= Q(number=data["into"])
    locked = {o.pk: o for o in WorkOrder.objects.select_for_update().filter(rows).order_by("pk")}
    return locked.get(pk)


def _check_allowed(order: WorkOrder, *, action: str, actor: User | None) -> None:
    move = MOVES[action]
    role = role_of(actor)
    label = Action(action).label
    if role not in move.roles:
        raise ForbiddenMove(f"角色“{Role(role).label}”不能执行“{label}”")
    if order.status not in move.sources:
        raise DomainError(
            f"工单状态为“{Status(order.status).label}”，不能执行“{label}”", field="action", code="illegal_state",
        )
    if role == Role.UNIT_HANDLER and action in UNIT_BOUND:
        assert actor is not None
        if actor.unit_id is None or order.unit_id not in unit_subtree_ids(actor.unit_id):
            raise ForbiddenMove("该工单不属于本单位")


def _check_time(order: WorkOrder, at: dt.datetime) -> None:
    """History runs forward: a step may not be dated before the order's latest event."""
    last = Event.objects.filter(order=order, seq=order.version).values_list("at", flat=True).first()
    if last is not None and at < last:
        raise DomainError(
            f"时间 {_iso(at)} 早于该工单上一步骤的时间 {_iso(last)}", field="at", code="out_of_order",
        )


def _iso(moment: dt.datetime) -> str:
    """Datetimes in event data are local-time ISO 8601 strings, whatever zone the value came in."""
    return timezone.localtime(moment).isoformat()


# --- per-action effects; each returns the target status where it depends on the data ----------

Handler = Any


def _check_texts(*, reason: str, data: dict[str, Any]) -> None:
    """Every free-text input has a length limit (hotline.workorders.limits); the first one broken is named."""
    values = {"reason": reason, **data}
    for key, (label, limit) in TEXT_LIMITS.items():
        if values.get(key) not in (None, ""):
            problem = text_problem(values[key], label=label, limit=limit)
            if problem:
                raise DomainError(problem, field=key)


def _require(data: dict[str, Any], key: str) -> Any:
    if data.get(key) in (None, ""):
        raise DomainError(f"请填写{field_name(key)}", field=key)
    return data[key]


def _as_int(value: Any, field: str) -> int:
    """A whole number given as int or digit string; anything else is the caller's error, named by field."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise DomainError(f"{field_name(field)}必须是整数（收到 {value!r}）", field=field)
    try:
        return int(value)
    except ValueError:
        raise DomainError(f"{field_name(field)}必须是整数（收到 {value!r}）", field=field) from None


def _set_deadline(order: WorkOrder, at: dt.datetime, data: dict[str, Any]) -> None:
    deadline = compute_deadline(
        start=at, box=order.box, appeal_type_id=order.appeal_type_id, urgency=order.urgency,
    )
    order.deadline, order.deadline_fallback = deadline.at, deadline.fallback
    order.overdue = order.reminded = order.extension_pending = False
    data["deadline"] = _iso(deadline.at)
    if deadline.fallback:
        data["deadline_fallback"] = True


def _assign_unit(order: WorkOrder, data: dict[str, Any]) -> None:
    unit_id = _as_int(_require(data, "unit"), "unit")
    unit = Unit.objects.filter(pk=unit_id, active=True).first()
    if unit is None:
        raise DomainError(f"承办单位 {unit_id} 不存在或已停用", field="unit")
    co_units = data.get("co_units") or []
    if not isinstance(co_units, list):
        raise DomainError("协办单位必须是单位编号的列表", field="co_units")
    co_ids = [_as_int(u, "co_units") for u in co_units]
    if unit.pk in co_ids:
        raise DomainError("主办单位不能同时作为协办单位", field="co_units")
    if co_ids and Unit.objects.filter(pk__in=co_ids, active=True).count() != len(set(co_ids)):
        raise DomainError("协办单位不存在或已停用", field="co_units")
    order.unit = unit
    order.co_units.set(co_ids)


def _dispatch(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> None:
    _assign_unit(order, data)
    order.dispatched_at = at
    _set_deadline(order, at, data)


def _redispatch(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> None:
    data["from_unit"] = order.unit_id
    _dispatch(order, actor=actor, data=data, at=at)


def _return(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> None:
    order.extension_pending = False


def _request_extension(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> None:
    if order.extension_pending:
        raise DomainError("已有延期申请待审批", field="action", code="illegal_state")
    days = _as_int(_require(data, "days"), "days")
    if not 1 <= days <= 30:
        raise DomainError("延期须为 1 至 30 个工作日", field="days")
    order.extension_pending = True


def _approve_extension(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> None:
    if not order.extension_pending:
        raise DomainError("没有待审批的延期申请", field="action", code="illegal_state")
    requested = Event.objects.filter(order=order, kind=Action.REQUEST_EXTENSION).order_by("-seq").first()
    days = _as_int(data.get("days") or (requested.data.get("days") if requested else 0) or 0, "days")
    if not 1 <= days <= 30:
        raise DomainError("延期须为 1 至 30 个工作日", field="days")
    assert order.deadline is not None
    # Extension counts from the deadline in force, even when approved after it passed.
    local = timezone.localtime(order.deadline)
    due = WorkingCalendar.load().add_working_days(local.date(), days)
    order.deadline = dt.datetime.combine(due.date, local.timetz())
    order.deadline_fallback = order.deadline_fallback or due.fallback
    order.extension_pending = False
    order.overdue = order.deadline < at
    order.reminded = False  # the new deadline gets its own reminder
    data.update(days=days, deadline=_iso(order.deadline))


def _refuse_extension(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> None:
    if not order.extension_pending:
        raise DomainError("没有待审批的延期申请", field="action", code="illegal_state")
    order.extension_pending = False


def _reply(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> None:
    _require(data, "text")
    # Record the deadline in force and the verdict so that the monthly metrics read them from the event.
    data["deadline"] = _iso(order.deadline) if order.deadline else None
    data["on_time"] = order.deadline is None or at <= order.deadline
    order.extension_pending = False


def _contact(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> None:
    """How, when and with what outcome the unit reached the citizen; each optional, checked when given."""
    how = data.get("how")
    if how not in (None, "") and how not in ContactMethod.values:
        raise DomainError(f"未知的联系方式 {how!r}", field="how")
    when = data.get("when")
    if when in (None, ""):
        return
    moment = when if isinstance(when, dt.datetime) else _parse_time(when, field="when")
    if timezone.is_naive(moment):
        raise DomainError("联系时间必须带时区", field="when")
    if moment > at:
        raise DomainError("联系时间不能晚于登记时间", field="when")
    # People give the time to the minute: the minute of the dispatch itself is allowed.
    if order.dispatched_at and moment < order.dispatched_at.replace(second=0, microsecond=0):
        raise DomainError("联系时间不能早于派单时间", field="when")
    data["when"] = _iso(moment)


def _parse_time(value: Any, *, field: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise DomainError(f"{field_name(field)}格式不正确（应为 ISO 8601 时间）", field=field) from None


def _callback(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> str:
    result = _require(data, "result")
    method = data.get("method") or (CallbackMethod.SMS if actor is None else CallbackMethod.MANUAL)
    if result not in CallbackResult.values:
        raise DomainError(f"未知的回访结果 {result!r}", field="result")
    if method not in CallbackMethod.values:
        raise DomainError(f"未知的回访方式 {method!r}", field="method")
    data["method"] = method
    if data.get("attempts") not in (None, ""):
        attempts = _as_int(data["attempts"], "attempts")
        if not 1 <= attempts <= 20:
            raise DomainError("拨打次数须为 1 至 20 次", field="attempts")
        data["attempts"] = attempts
    return {
        CallbackResult.SATISFIED: Status.CLOSED, CallbackResult.BASIC: Status.CLOSED,
        CallbackResult.UNSATISFIED: Status.VERIFYING, CallbackResult.UNREACHABLE: Status.CALLBACK,
    }[result]


def _verify(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> str:
    upheld = data.get("upheld")
    if not isinstance(upheld, bool):
        raise DomainError("请选择核实结果（属实或不属实）", field="upheld")
    return Status.UNSATISFIED if upheld else Status.CLOSED


def _supervise(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> str:
    """Supervision's own deadline: `days` working days from now when the supervisor sets one, else the
    deadline rule's. An overdue open case keeps its deadline (its lateness is measured against it); the
    supervision deadline is then recorded on the event only."""
    days = _as_int(data["days"], "days") if data.get("days") not in (None, "") else None
    if days is not None and not 1 <= days <= 30:
        raise DomainError("督办时限应为 1 至 30 个工作日", field="days")
    if days is not None:
        due = WorkingCalendar.load().add_working_days(timezone.localtime(at).date(), days)
        supervise_due = dt.datetime.combine(due.date, timezone.localtime(at).timetz())
        data.update(days=days, supervise_deadline=_iso(supervise_due))
    if order.status != Status.UNSATISFIED:
        return order.status
    _set_deadline(order, at, data)
    if days is not None:
        order.deadline = supervise_due
        data["deadline"] = _iso(supervise_due)
    return Status.SUPERVISED


def _merge(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> None:
    into = WorkOrder.objects.select_for_update().filter(number=_require(data, "into")).first()
    if into is None or into.pk == order.pk:
        raise DomainError("要并入的工单不存在", field="into")
    if into.status in (Status.MERGED, Status.INVALID):
        raise DomainError("不能并入已合并或无效的工单", field="into")
    _check_time(into, at)  # the absorb event joins the target's history, which runs forward too
    order.merged_into = into
    into.version += 1
    into.save(update_fields=["version"])
    _append(into, actor=actor, kind=Action.ABSORB, at=at, from_status=into.status, to_status=into.status,
            seq=into.version, reason="", data={"repeat": order.number})


def _noop(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> None:
    return None


HANDLERS: dict[str, Handler] = {
    Action.ANSWER: _noop, Action.DISPATCH: _dispatch, Action.ACCEPT: _noop, Action.RETURN: _return,
    Action.REDISPATCH: _redispatch, Action.CONTACT: _contact, Action.REQUEST_EXTENSION: _request_extension,
    Action.APPROVE_EXTENSION: _approve_extension, Action.REFUSE_EXTENSION: _refuse_extension,
    Action.REPLY: _reply, Action.ACCEPT_REPLY: _noop, Action.REWORK: _noop, Action.CALLBACK: _callback,
    Action.VERIFY: _verify, Action.SUPERVISE: _supervise, Action.RECTIFY: _reply, Action.CLOSE: _noop,
    Action.MERGE: _merge, Action.MARK_INVALID: _noop,
}


# --- audit of reads and writes of personal information (hotline.audit) -------------------------

def record_case_view(*, actor: User, order: WorkOrder, ip: str, via: str) -> None:
    """One audit row for opening a case (its citizen's name, address and complaint were shown)."""
    action = AuditAction.VIEW_CONFIDENTIAL if order.confidential else AuditAction.VIEW_CASE
    record_access(actor=actor, action=action, obj=order, citizen_phone=order.citizen_phone, ip=ip,
                  detail={"via": via})


def record_case_list(*, actor: User, numbers: list[str], ip: str, via: str, query: dict[str, Any]) -> None:
    """One audit row for a page of a case list (names and masked phones were shown)."""
    record_access(actor=actor, action=AuditAction.VIEW_LIST, ip=ip,
                  detail={"via": via, "query": query, "numbers": numbers})


def record_transition(*, actor: User | None, event: Event, ip: str, via: str) -> None:
    """One audit row per state change, beside its event: the event says who, when and what; this adds from where."""
    order = event.order
    record_access(actor=actor, action=AuditAction.TRANSITION, obj=order, citizen_phone=order.citizen_phone,
                  ip=ip, detail={"via": via, "kind": event.kind, "seq": event.seq})


def record_export(*, actor: User | None, count: int, ip: str, via: str, scope: dict[str, Any],
                  everything: bool = False) -> None:
    """One audit row per export (a CSV download, a CLI export); `everything`: an unscoped full export."""
    record_access(actor=actor, action=AuditAction.EXPORT_ALL if everything else AuditAction.EXPORT, ip=ip,
                  detail={"via": via, "cases": count, "scope": scope})


def mark_notifications_read(*, user: User, ids: list[int]) -> int:
    """Mark the user's own notifications read (ids of other users' are ignored)."""
    from hotline.workorders.models import Notification

    return Notification.objects.filter(user=user, pk__in=ids, read_at__isnull=True).update(read_at=timezone.now())


# --- attachments ------------------------------------------------------------------------------

def attach_files(*, order: WorkOrder, actor: User, files: list[Any], kind: str,
                 event: Event | None = None) -> list[Attachment]:
    """Keep uploaded files on a case. All are checked (count, size, type sniffed from the bytes) before any
    is written; a file written for a row that then fails is removed again."""
    if kind not in AttachmentKind.values:
        raise DomainError(f"未知的附件类别 {kind!r}", field="kind")
    if not visible_orders(actor).filter(pk=order.pk).exists():
        raise ForbiddenMove("无权为该工单上传附件")
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise DomainError(f"一次最多上传 {settings.ATTACHMENT_MAX_FILES} 个附件", field="files")
    checked = [(upload, _check_upload(upload)) for upload in files]
    stored: list[str] = []
    try:
        with transaction.atomic():
            rows = []
            for upload, mime in checked:
                stored.append(stored_files.store(upload, extension=settings.ATTACHMENT_TYPES[mime]))
                rows.append(Attachment.objects.create(
                    order=order, event=event, kind=kind, original_name=stored_files.clean_name(upload.name),
                    stored_name=stored[-1], size=upload.size, content_type=mime, uploaded_by=actor,
                    at=event.at if event else timezone.now(),
                ))
    except BaseException:
        for name in stored:
            stored_files.remove(name)
        raise
    return rows


def _check_upload(upload: Any) -> str:
    name = stored_files.clean_name(upload.name)
    if not upload.size:
        raise DomainError(f"附件“{name}”是空文件", field="files")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise DomainError(f"附件“{name}”超过 {limit} MB", field="files")
    mime = stored_files.sniff(upload)
    if mime not in settings.ATTACHMENT_TYPES:
        raise DomainError(f"附件“{name}”的文件类型不允许（仅限 PDF、图片、Word、Excel）", field="files")
    return mime


def transition_with_files(*, order: WorkOrder, action: str, actor: User, reason: str = "",
                          data: dict[str, Any] | None = None, files: list[Any], kind: str,
                          expected_version: int | None = None) -> Event:
    """One step and the files that come with it (a reply and its letter), both or neither."""
    with transaction.atomic():
        event = transition(order=order, action=action, actor=actor, reason=reason, data=data,
                           expected_version=expected_version)
        if files:
            attach_files(order=order, actor=actor, files=files, kind=kind, event=event)
    return event
