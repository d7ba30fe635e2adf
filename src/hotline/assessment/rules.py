"""Ledger rules proven by the events (docs/ledger-rules.md): each reads what the work recorded and
says which cases earn or cost points. The scheme decides the points, the indicator and whether a
rule counts per case or once per unit (`ledger.auto.<rule>`); ledger.sync_rule writes the entries,
so every rule is idempotent and respects exemptions.

Evidence kinds:
* `case_faults` — a rework, or a verification that upheld the dissatisfaction (属实), coded with one
  of `codes` (e.g. false_closure 虚假结案, off_point 文不对题); and, with `first_contact_working_days`
  N, a unit that did not contact the citizen within N working days of receiving the case (same time
  of day). One entry per case however many faults; the month is the fault's (or the limit's).
* `extension_unexplained` — an extension approved in the month with no contact with the citizen
  after the request and before the reply that followed it (Xiangtan: 延期未向群众解释说明).
* `appeal_type` — orders of the listed appeal types (e.g. praise 表扬), first dispatched in the month,
  credited to the unit holding them at the cut-off.
* `case_mark` — cases marked (excellent 优秀案例, typical 典型案例) for the month, not withdrawn.
* `leader_day` — leader answering day sessions in the month, per session, for the leader's unit.

A missing reply letter (回复公函) is not a rule yet: replies carry no attachments in this version, so
its absence is no event; the schemes list it as a manual line.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable

from django.db.models import F, Q
from django.utils import timezone

from hotline.assessment.definition import EVENT_RULES, SchemeDef, rule_evidence
from hotline.assessment.ledger import Wanted, _chunks, _Later, _points, _top_units, sync_rule
from hotline.assessment.models import CaseMark, LeaderDay
from hotline.assessment.services import scheme_units
from hotline.directory.models import User


@dataclass(frozen=True)
class Hit:
    """One case (or session) a rule applies to, charged to `unit_id` (rolled up to its top unit later)."""

    unit_id: int
    key: str
    detail: str
    cases: tuple[str, ...]


@dataclass(frozen=True)
class Window:
    box: str
    month: dt.date
    start: dt.datetime
    horizon: dt.datetime  # min(end of month, as_of)
    as_of: dt.datetime


Finder = Callable[[Window, dict[str, Any]], list[Hit]]


def _labels() -> dict[str, str]:
    from hotline.workorders.models import ReasonCode

    return dict(ReasonCode.objects.values_list("code", "label"))


def case_faults(win: Window, conf: dict[str, Any]) -> list[Hit]:
    from hotline.workorders.models import Event

    hits: list[Hit] = []
    codes = list(conf.get("codes") or [])
    if codes:
        labels = _labels()
        events = (Event.objects.filter(box=win.box, kind__in=conf.get("actions") or ["rework", "verify"],
                                       at__gte=win.start, at__lt=win.horizon, data__reason_code__in=codes)
                  .exclude(Q(kind="verify") & ~Q(to_status="unsatisfied"))
                  .order_by("at", "id").values_list("order__number", "unit_id", "kind", "data__reason_code"))
        for number, unit_id, kind, code in events:
            if unit_id is not None:
                what = "核实属实" if kind == "verify" else "退回返工"
                hits.append(Hit(unit_id, number, f"{what}：{labels.get(code, code)}", (number,)))
    days = int(conf.get("first_contact_working_days") or 0)
    if days:
        hits.extend(_late_first_contacts(win, days))
    return hits


def _late_first_contacts(win: Window, days: int) -> list[Hit]:
    """Tenures whose unit had not contacted the citizen `days` working days after receiving the case,
    the limit falling in the window, unless the unit lost the case (return, redispatch) before it."""
    from hotline.workcalendar.services import WorkingCalendar
    from hotline.workorders.models import Tenure

    calendar = WorkingCalendar.load()
    limit_day: dict[dt.date, dt.date] = {}

    zone = timezone.get_current_timezone()  # once: timezone.localtime() looks it up per call

    def limit(assigned: dt.datetime) -> dt.datetime:
        local = assigned.astimezone(zone)
        if local.date() not in limit_day:
            limit_day[local.date()] = calendar.add_working_days(local.date(), days).date
        return dt.datetime.combine(limit_day[local.date()], local.timetz())

    # N working days are at most a few weeks of calendar days, even over the Spring Festival.
    earliest = win.start - dt.timedelta(days=7 * days + 21)
    # In the database, keep only tenures whose contact (and loss) came later than the shortest possible
    # limit, N days less an hour (a local day can be 23 hours under DST); the exact line is drawn below.
    soon = _Later(F("assigned_at"), minutes=days * 24 * 60 - 60)
    rows = (Tenure.objects.filter(box=win.box, assigned_at__gte=earliest, assigned_at__lt=win.horizon,
                                  unit__isnull=False)
            .filter(Q(contact_at__isnull=True) | Q(contact_at__gt=soon))
            .filter(Q(lost_at__isnull=True) | Q(lost_at__gt=soon))
            .order_by("assigned_at", "id").values_list("order__number", "unit_id", "assigned_at", "contact_at",
                                                       "lost_at"))
    hits = []
    for number, unit_id, assigned, contact, lost in rows:
        line = limit(assigned)
        if not (win.start <= line < win.horizon):
            continue
        if (contact is not None and contact <= line) or (lost is not None and lost <= line):
            continue
        hits.append(Hit(unit_id, number, f"未在{days}个工作日内联系当事人", (number,)))
    return hits


def extension_unexplained(win: Window, conf: dict[str, Any]) -> list[Hit]:
    from hotline.workorders.models import Event, WorkOrder

    # The window's approvals carry the unit; the histories are read without it (and without the
    # order's number), so both scans stay inside the events' covering indexes.
    approvals: dict[tuple[int, int], int] = {
        (order_id, seq): unit_id for order_id, seq, unit_id in Event.objects.filter(
            box=win.box, kind="approve_extension", at__gte=win.start, at__lt=win.horizon,
            unit__isnull=False).values_list("order_id", "seq", "unit_id")}
    found: dict[int, int] = {}
    for chunk in _chunks(sorted({order_id for order_id, _ in approvals}), 5000):
        rows = (Event.objects.filter(order_id__in=chunk, at__lte=win.as_of, kind__in=EXTENSION_KINDS)
                .order_by("order_id", "seq").values_list("order_id", "seq", "kind"))
        by_order: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for order_id, seq, kind in rows:
            by_order[order_id].append((seq, kind))
        for order_id, history in by_order.items():
            first = _unexplained(history, approved=_approved_seqs(approvals, order_id, history))
            if first is not None:
                found[order_id] = approvals[(order_id, first)]
    numbers = dict(WorkOrder.objects.filter(pk__in=list(found)).values_list("id", "number"))
    return [Hit(unit_id, numbers[oid], "延期未向当事人解释说明（申请延期后、回复前无联系记录）", (numbers[oid],))
            for oid, unit_id in found.items()]


EXTENSION_KINDS = ("request_extension", "approve_extension", "contact", "reply", "dispatch", "redispatch", "return")


def _approved_seqs(approvals: dict[tuple[int, int], int], order_id: int,
                   history: list[tuple[int, str]]) -> set[int]:
    return {seq for seq, kind in history if kind == "approve_extension" and (order_id, seq) in approvals}


def _unexplained(history: list[tuple[int, str]], *, approved: set[int]) -> int | None:
    """The seq of the case's first approval in the window (`approved`) that no contact explained: no
    contact after its request (before or after the approval) until the reply, return or redispatch
    that followed. Rows are (seq, kind) in seq order."""
    requested, explained = False, False
    pending: list[int] = []  # approvals in the window still awaiting a contact
    for seq, kind in history:
        if kind == "request_extension":
            requested, explained = True, False
        elif kind == "contact":
            explained = explained or requested
            pending = []
        elif kind == "approve_extension" and requested and not explained and seq in approved:
            pending.append(seq)
        elif kind in ("reply", "dispatch", "redispatch", "return"):
            if pending:
                break
            requested = False
    return pending[0] if pending else None


def appeal_type(win: Window, conf: dict[str, Any]) -> list[Hit]:
    from hotline.workorders.models import Event

    codes = list(conf.get("codes") or [])
    first = (Event.objects.filter(box=win.box, kind="dispatch", at__gte=win.start, at__lt=win.horizon,
                                  order__appeal_type__code__in=codes).values_list("order_id", flat=True))
    held: dict[int, tuple[str, int, str]] = {}
    for order_id, number, unit_id, name in (
            Event.objects.filter(order_id__in=set(first), kind__in=("dispatch", "redispatch"), at__lte=win.as_of)
            .order_by("order_id", "seq").values_list("order_id", "order__number", "unit_id",
                                                     "order__appeal_type__name")):
        held[order_id] = (number, unit_id, name)  # the last assignment wins
    return [Hit(unit_id, number, f"{name}来件", (number,)) for number, unit_id, name in held.values()
            if unit_id is not None]


def case_mark(win: Window, conf: dict[str, Any]) -> list[Hit]:
    marks = CaseMark.objects.filter(month=win.month, kind__in=list(conf.get("marks") or []), order__box=win.box,
                                    withdrawn_at__isnull=True)
    return [Hit(m.unit_id, m.order.number, f"{m.get_kind_display()}：{m.reason}", (m.order.number,))
            for m in marks.select_related("order").order_by("id")]


def leader_day(win: Window, conf: dict[str, Any]) -> list[Hit]:
    from hotline.assessment.selectors import leader_day_cases

    hits = []
    minimum = int(conf.get("min_calls") or 0)
    for day in LeaderDay.objects.filter(date__gte=win.month, date__lt=win.horizon.date() + dt.timedelta(days=1)).order_by(
                                        "date", "id"):
        if not win.start <= _day_start(day.date) < win.horizon:
            continue
        taken = leader_day_cases(day=day, box=win.box)
        if len(taken.calls) < minimum:
            continue
        hits.append(Hit(day.unit_id, f"leader-day-{day.pk}",
                        f"{day.leader}{day.title}参加{day.date:%m月%d日}{day.get_session_display()}领导接听日，"
                        f"接听{len(taken.calls)}件，督办{len(taken.supervised)}件", tuple(taken.calls)))
    return hits


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


FINDERS: dict[str, Finder] = {
    "case_faults": case_faults, "extension_unexplained": extension_unexplained, "appeal_type": appeal_type,
    "case_mark": case_mark, "leader_day": leader_day,
}


def apply_event_rules(*, sdef: SchemeDef, month: dt.date, as_of: dt.datetime, actor: User | None = None) -> dict[str, int]:
    """Run every event-proven rule of the scheme for the month; returns entries wanted per rule."""
    from hotline.workorders.metrics import month_bounds

    start, end = month_bounds(month)
    win = Window(sdef.box, month, start, min(end, as_of), as_of)
    tops = _top_units()
    units = {u.pk for u in scheme_units(sdef)}
    counts = {}
    for rule, conf in sdef.auto.items():
        evidence = rule_evidence(rule, conf)
        if evidence not in EVENT_RULES or evidence not in FINDERS:
            continue
        hits = [h for h in FINDERS[evidence](win, conf) if tops.get(h.unit_id, h.unit_id) in units]
        wanted = _wanted(hits, conf=conf, tops=tops)
        sync_rule(rule=rule, indicator=conf["indicator"], box=sdef.box, scheme_name=sdef.name, month=month,
                  wanted=wanted, scope=units, actor=actor)
        counts[rule] = len(wanted)
    return counts


def _wanted(hits: list[Hit], *, conf: dict[str, Any], tops: dict[int, int]) -> list[Wanted]:
    points = _points(conf["points"])
    label = str(conf.get("label") or "")
    if conf.get("per", "case") == "unit":
        per_unit: dict[int, list[Hit]] = defaultdict(list)
        for h in hits:
            per_unit[tops.get(h.unit_id, h.unit_id)].append(h)
        return [Wanted(unit, "unit", points, f"{label or group[0].detail}（{len(group)}件）",
                       tuple(sorted({c for h in group for c in h.cases})))
                for unit, group in sorted(per_unit.items())]
    merged: dict[str, tuple[int, list[str], tuple[str, ...]]] = {}
    for h in hits:  # one entry per case, however many faults it has
        unit, details, cases = merged.get(h.key, (tops.get(h.unit_id, h.unit_id), [], h.cases))
        if h.detail not in details:
            details.append(h.detail)
        merged[h.key] = (unit, details, cases)
    return [Wanted(unit, key, points, f"工单 {key}：{'；'.join(details)}" if key in cases
                   else f"{label + '：' if label else ''}{'；'.join(details)}", cases)
            for key, (unit, details, cases) in sorted(merged.items())]
