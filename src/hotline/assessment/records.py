"""Writes of the records the ledger rules read besides the events: case marks (优秀/典型案例), leader
answering days (领导接听日) and exemptions (豁免). Each checks its input and names the bad field."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from hotline.assessment.ledger import active_entries, reverse_entry
from hotline.assessment.models import CaseMark, Exemption, LeaderDay, LedgerEntry
from hotline.assessment.services import AssessmentError
from hotline.directory.models import Unit, User
from hotline.workorders.models import WorkOrder


def _month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def _reason(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise AssessmentError("请填写理由", field="reason")
    if len(text) > 1000:
        raise AssessmentError("理由不能超过 1000 字", field="reason")
    return text


def mark_case(*, order: WorkOrder, kind: str, reason: str, actor: User | None, month: dt.date | None = None,
              unit: Unit | None = None) -> CaseMark:
    """Mark a case excellent or typical, for the unit that handled it (or `unit`), in `month` (default:
    the month of marking). The scheme's `case_mark` rule turns marks into points at the next run."""
    if kind not in CaseMark.Kind.values:
        raise AssessmentError(f"未知的案例标记“{kind}”", field="kind")
    text = _reason(reason)
    unit = unit or order.unit
    if unit is None:
        raise AssessmentError("该工单没有承办单位，请指定单位", field="unit")
    now = timezone.now()
    month = month or _month_of(now)
    if month.day != 1:
        raise AssessmentError("月份须为当月 1 日", field="month")
    with transaction.atomic():
        if CaseMark.objects.filter(order=order, kind=kind, withdrawn_at__isnull=True).exists():
            raise AssessmentError(f"该工单已标记为{CaseMark.Kind(kind).label}", field="kind")
        return CaseMark.objects.create(order=order, kind=kind, unit=unit, month=month, reason=text,
                                       marked_by=actor, marked_at=now)


def withdraw_mark(*, mark: CaseMark, actor: User | None) -> CaseMark:
    if mark.withdrawn_at is not None:
        raise AssessmentError("该标记已撤销", field="mark")
    mark.withdrawn_at, mark.withdrawn_by = timezone.now(), actor
    mark.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return mark


def record_leader_day(*, leader: str, unit: Unit, date: dt.date, session: str, actor: User | None,
                      title: str = "", leader_user: User | None = None, note: str = "") -> LeaderDay:
    """Record a leader answering day session; its calls are the 领导接听日-tagged cases of the session."""
    name = (leader or "").strip()
    if not name or len(name) > 60:
        raise AssessmentError("请填写领导姓名（60 字以内）", field="leader")
    if session not in LeaderDay.Session.values:
        raise AssessmentError(f"场次应为 {'、'.join(LeaderDay.Session.values)}", field="session")
    if not unit.active:
        raise AssessmentError("单位已停用", field="unit")
    with transaction.atomic():
        if LeaderDay.objects.filter(unit=unit, date=date, session=session, leader=name).exists():
            raise AssessmentError("该场领导接听日已登记", field="date")
        return LeaderDay.objects.create(leader=name, title=title.strip()[:60], leader_user=leader_user, unit=unit,
                                        date=date, session=session, note=note.strip()[:200], created_by=actor)


def exempt(*, rule: str, rule_key: str, reason: str, actor: User | None, scheme_name: str = "",
           unit: Unit | None = None, month: dt.date | None = None) -> Exemption:
    """Exempt a case (rule_key = its number) or a unit's month from an automatic rule. Entries in force
    that it covers are reversed now; every later run of the rule leaves them out (ledger.sync_rule)."""
    text = _reason(reason)
    if not rule.strip():
        raise AssessmentError("请选择自动规则", field="rule")
    if not rule_key.strip():
        raise AssessmentError("请填写工单编号或规则键", field="rule_key")
    if month is not None and month.day != 1:
        raise AssessmentError("月份须为当月 1 日", field="month")
    with transaction.atomic():
        exemption = Exemption.objects.create(
            scheme_name=scheme_name.strip(), rule=rule.strip(), rule_key=rule_key.strip(), unit=unit, month=month,
            reason=text, created_by=actor, created_at=timezone.now(),
        )
        for entry in covered_entries(exemption):
            reverse_entry(entry=entry, actor=actor, reason=f"豁免：{text}")
    return exemption


def covered_entries(exemption: Exemption) -> list[LedgerEntry]:
    entries = active_entries(rule=exemption.rule, rule_key=exemption.rule_key)
    if exemption.scheme_name:
        entries = entries.filter(scheme_name=exemption.scheme_name)
    if exemption.unit_id:
        entries = entries.filter(unit_id=exemption.unit_id)
    if exemption.month:
        entries = entries.filter(month=exemption.month)
    return list(entries)


def exempt_entry(*, entry: LedgerEntry, reason: str, actor: User | None) -> Exemption:
    """Exempt what an automatic entry is about (its case, or its unit's month for a per-unit rule)."""
    if not entry.rule:
        raise AssessmentError("手工记录请直接冲销；豁免只用于自动规则", field="rule")
    per_case = entry.rule_key in entry.case_numbers
    return exempt(rule=entry.rule, rule_key=entry.rule_key, reason=reason, actor=actor,
                  scheme_name=entry.scheme_name, unit=None if per_case else entry.unit,
                  month=None if per_case else entry.month)


def withdraw_exemption(*, exemption: Exemption, actor: User | None) -> Exemption:
    """Withdraw an exemption: the next run of the rule raises the entry again if it still applies."""
    if exemption.withdrawn_at is not None:
        raise AssessmentError("该豁免已撤销", field="exemption")
    exemption.withdrawn_at = timezone.now()
    exemption.save(update_fields=["withdrawn_at"])
    return exemption
