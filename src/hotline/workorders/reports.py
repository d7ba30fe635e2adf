"""Special reports (专报): the hotline office raises a case to a leader, who records an instruction (批示).

Both steps also append an event to the case (no status change), so the case's history follows them.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from hotline.directory.models import Role, User
from hotline.workorders.models import Action, Event, SpecialReport, WorkOrder, metric_columns
from hotline.workorders.services import DomainError, ForbiddenMove

NOTE_MAX = 1000
INSTRUCTION_MAX = 2000
RAISERS = frozenset({Role.SUPERVISOR})


def is_leader(user: User) -> bool:
    return user.is_active and Role.LEADER in user.held_roles


def leaders() -> QuerySet[User]:
    """Users who may receive a special report (acting or extra role leader)."""
    ids = [u.pk for u in User.objects.filter(is_active=True).only("pk", "role", "extra_roles") if is_leader(u)]
    return User.objects.filter(pk__in=ids).order_by("first_name", "username")


def _text(value: str, *, field: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}", field=field)
    if len(value) > limit:
        raise DomainError(f"{label}不能超过 {limit} 字（现有 {len(value)} 字）", field=field)
    return value


def _append_event(order_pk: int, *, actor: User, kind: str, at: dt.datetime, reason: str,
                  data: dict[str, str], expected_version: int | None = None) -> None:
    locked = WorkOrder.objects.select_for_update().get(pk=order_pk)
    if expected_version is not None and locked.version != expected_version:
        raise DomainError("该工单已被他人修改，请刷新页面后重试", field="version", code="stale")
    locked.version += 1
    locked.save(update_fields=["version"])
    Event(order=locked, seq=locked.version, kind=kind, at=at, actor=actor, actor_role=actor.role,
          from_status=locked.status, to_status=locked.status, unit_id=locked.unit_id, reason=reason, data=data,
          **metric_columns(box=locked.box, kind=kind, data=data)).save(force_insert=True)


def raise_report(*, order: WorkOrder, actor: User, leader: User, note: str,
                 at: dt.datetime | None = None, expected_version: int | None = None) -> SpecialReport:
    """Raise `order` to `leader` as a special report; one open report per case and leader."""
    if actor.role not in RAISERS:
        raise ForbiddenMove(f"角色“{Role(actor.role).label}”不能报送专报")
    if not is_leader(leader):
        raise DomainError("报送对象必须是领导", field="leader")
    note = _text(note, field="note", label="报送说明", limit=NOTE_MAX)
    at = at or timezone.now()
    with transaction.atomic():
        if SpecialReport.objects.filter(order=order, to_leader=leader, instructed_at__isnull=True).exists():
            raise DomainError("该工单已报送这位领导，尚待批示", field="leader")
        _append_event(order.pk, actor=actor, kind=Action.REPORT, at=at, reason=note,
                      data={"to_leader": leader.get_full_name() or leader.username},
                      expected_version=expected_version)
        return SpecialReport.objects.create(order=order, raised_by=actor, to_leader=leader, note=note, raised_at=at)


def instruct(*, report: SpecialReport, actor: User, text: str, at: dt.datetime | None = None) -> SpecialReport:
    """The leader's instruction on a report sent to them; recorded once, on the report and the case."""
    if actor.role != Role.LEADER or report.to_leader_id != actor.pk:
        raise ForbiddenMove("只有被报送的领导可以批示")
    text = _text(text, field="instruction", label="批示内容", limit=INSTRUCTION_MAX)
    at = at or timezone.now()
    with transaction.atomic():
        locked = SpecialReport.objects.select_for_update().get(pk=report.pk)
        if locked.instructed_at is not None:
            raise DomainError("该专报已批示", field="instruction", code="illegal_state")
        _append_event(locked.order_id, actor=actor, kind=Action.INSTRUCT, at=at, reason=text,
                      data={"report_raised_at": timezone.localtime(locked.raised_at).isoformat()})
        locked.instruction, locked.instructed_by, locked.instructed_at = text, actor, at
        locked.save(update_fields=["instruction", "instructed_by", "instructed_at"])
    report.refresh_from_db()
    return report


def awaiting_instruction(leader: User) -> QuerySet[SpecialReport]:
    """Reports sent to this leader and not yet instructed, oldest first."""
    return (SpecialReport.objects.filter(to_leader=leader, instructed_at__isnull=True)
            .select_related("order", "order__unit", "raised_by").order_by("raised_at", "pk"))


def recent_reports(*, limit: int = 20) -> QuerySet[SpecialReport]:
    """The hotline office's latest reports with their instructions (supervisor's view)."""
    return SpecialReport.objects.select_related("order", "to_leader", "raised_by").order_by("-raised_at", "-pk")[:limit]
