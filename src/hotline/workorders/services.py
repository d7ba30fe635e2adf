"""Writes on work orders: intake and the one transition service. Every change appends an Event."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from hotline.directory.models import Role, Tag, Unit, User
from hotline.workcalendar.services import WorkingCalendar, compute_deadline
from hotline.workorders.models import (
    CODED_ACTIONS, Action, CallbackMethod, CallbackResult, Event, NumberSequence, ReasonCode, Status, WorkOrder,
    metric_columns,
)
from hotline.workorders import tenure
from hotline.workorders.rules import MOVES, UNIT_BOUND
from hotline.workorders.selectors import unit_subtree_ids


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


LEADER_DAY_TAG = ("leader_day", "领导接听日")  # as in hotline/directory/data/tags.csv


def _leader_day_tag() -> int:
    tag, _ = Tag.objects.get_or_create(code=LEADER_DAY_TAG[0], defaults={"name": LEADER_DAY_TAG[1]})
    return tag.pk


def _append(order: WorkOrder, *, actor: User | None, kind: str, at: dt.datetime, from_status: str,
            to_status: str, seq: int, reason: str, data: dict[str, Any]) -> Event:
    event = Event(
        order=order, seq=seq, kind=kind, at=at, actor=actor, actor_role=role_of(actor),
        from_status=from_status, to_status=to_status, unit_id=order.unit_id, reason=reason, data=data,
        **metric_columns(box=order.box, kind=kind, data=data),
    )
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
        raise DomainError(f"unknown action {action!r}", field="action")
    if at is not None and timezone.is_naive(at):
        raise DomainError("时间必须带时区", field="at")
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


def _require(data: dict[str, Any], key: str) -> Any:
    if data.get(key) in (None, ""):
        raise DomainError(f"missing {key}", field=key)
    return data[key]


def _as_int(value: Any, field: str) -> int:
    """A whole number given as int or digit string; anything else is the caller's error, named by field."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise DomainError(f"{field} must be a whole number, got {value!r}", field=field)
    try:
        return int(value)
    except ValueError:
        raise DomainError(f"{field} must be a whole number, got {value!r}", field=field) from None


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
        raise DomainError(f"unit {unit_id} does not exist or is inactive", field="unit")
    co_units = data.get("co_units") or []
    if not isinstance(co_units, list):
        raise DomainError("co_units must be a list of unit ids", field="co_units")
    co_ids = [_as_int(u, "co_units") for u in co_units]
    if unit.pk in co_ids:
        raise DomainError("the responsible unit cannot also be a co-handling unit", field="co_units")
    if co_ids and Unit.objects.filter(pk__in=co_ids, active=True).count() != len(set(co_ids)):
        raise DomainError("unknown or inactive co-handling unit", field="co_units")
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
        raise DomainError("an extension request is already pending", field="action", code="illegal_state")
    days = _as_int(_require(data, "days"), "days")
    if not 1 <= days <= 30:
        raise DomainError("extension must be 1-30 working days", field="days")
    order.extension_pending = True


def _approve_extension(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> None:
    if not order.extension_pending:
        raise DomainError("no extension request is pending", field="action", code="illegal_state")
    requested = Event.objects.filter(order=order, kind=Action.REQUEST_EXTENSION).order_by("-seq").first()
    days = _as_int(data.get("days") or (requested.data.get("days") if requested else 0) or 0, "days")
    if not 1 <= days <= 30:
        raise DomainError("extension must be 1-30 working days", field="days")
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
        raise DomainError("no extension request is pending", field="action", code="illegal_state")
    order.extension_pending = False


def _reply(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> None:
    _require(data, "text")
    # Record the deadline in force and the verdict so that the monthly metrics read them from the event.
    data["deadline"] = _iso(order.deadline) if order.deadline else None
    data["on_time"] = order.deadline is None or at <= order.deadline
    order.extension_pending = False


def _callback(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> str:
    result = _require(data, "result")
    method = data.get("method") or (CallbackMethod.SMS if actor is None else CallbackMethod.MANUAL)
    if result not in CallbackResult.values:
        raise DomainError(f"unknown callback result {result!r}", field="result")
    if method not in CallbackMethod.values:
        raise DomainError(f"unknown callback method {method!r}", field="method")
    data["method"] = method
    return {
        CallbackResult.SATISFIED: Status.CLOSED, CallbackResult.BASIC: Status.CLOSED,
        CallbackResult.UNSATISFIED: Status.VERIFYING, CallbackResult.UNREACHABLE: Status.CALLBACK,
    }[result]


def _verify(order: WorkOrder, *, actor: User | None, data: dict[str, Any], at: dt.datetime) -> str:
    upheld = data.get("upheld")
    if not isinstance(upheld, bool):
        raise DomainError("upheld must be true or false", field="upheld")
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
        raise DomainError("no such case to merge into", field="into")
    if into.status in (Status.MERGED, Status.INVALID):
        raise DomainError("cannot merge into a merged or invalid case", field="into")
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
    Action.REDISPATCH: _redispatch, Action.CONTACT: _noop, Action.REQUEST_EXTENSION: _request_extension,
    Action.APPROVE_EXTENSION: _approve_extension, Action.REFUSE_EXTENSION: _refuse_extension,
    Action.REPLY: _reply, Action.ACCEPT_REPLY: _noop, Action.REWORK: _noop, Action.CALLBACK: _callback,
    Action.VERIFY: _verify, Action.SUPERVISE: _supervise, Action.RECTIFY: _reply, Action.CLOSE: _noop,
    Action.MERGE: _merge, Action.MARK_INVALID: _noop,
}
