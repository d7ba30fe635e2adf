"""The bonus and penalty ledger (加扣分): manual entries, reversals and the automatic rules.

Entries are append-only. A correction is a new entry that reverses an old one (equal and
opposite points, `reverses` set). Automatic rules are idempotent: each computes the entries
it wants for a month (keyed by rule and `rule_key`) and syncs the ledger to that — adding
what is missing and reversing what is no longer wanted — so re-running a rule changes nothing.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Callable, Iterable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.module_loading import import_string

from hotline.assessment.definition import SchemeDef
from hotline.assessment.models import AssessmentRun, LedgerEntry
from hotline.assessment.services import AssessmentError, compiled, get_scheme, scheme_units
from hotline.directory.models import Unit, User

RULE_OVERDUE = "serious_overdue"
RULE_KNOWLEDGE = "knowledge_missed"
RULE_GRADE = "grade_penalty"


def _points(value: Any) -> Decimal:
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise AssessmentError(f"分值应为数字，实际为“{value}”", field="points") from None
    if not points.is_finite() or points == 0 or points.as_tuple().exponent < -2 or abs(points) >= 1000:  # type: ignore[operator]
        raise AssessmentError("分值应为非零数字，最多两位小数", field="points")
    return points


def add_entry(*, unit: Unit, month: dt.date, box: str, indicator: str, points: Any, reason: str,
              actor: User | None, case_numbers: Iterable[str] = (), scheme_name: str = "", rule: str = "",
              rule_key: str = "", reverses: LedgerEntry | None = None) -> LedgerEntry:
    """Append one entry (manual when `rule` is blank)."""
    if month.day != 1:
        raise AssessmentError("月份须为当月 1 日", field="month")
    if box not in ("hotline", "mailbox"):
        raise AssessmentError("业务须为 hotline 或 mailbox", field="box")
    if not indicator.strip():
        raise AssessmentError("指标不能为空", field="indicator")
    if not reason.strip():
        raise AssessmentError("请填写事由", field="reason")
    numbers = [str(n).strip() for n in case_numbers if str(n).strip()]
    entry = LedgerEntry(
        unit=unit, month=month, box=box, scheme_name=scheme_name, indicator=indicator.strip(),
        points=_points(points), reason=reason.strip(), case_numbers=numbers, entered_by=actor,
        entered_at=timezone.now(), rule=rule, rule_key=rule_key, reverses=reverses,
    )
    entry.save(force_insert=True)
    return entry


def reverse_entry(*, entry: LedgerEntry, actor: User | None, reason: str) -> LedgerEntry:
    """Cancel an entry with an equal and opposite one; an entry is reversed at most once."""
    with transaction.atomic():
        locked = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.reverses_id is not None:
            raise AssessmentError("冲销记录不能再冲销；请新增一条记录", field="reverses")
        if LedgerEntry.objects.filter(reverses=locked).exists():
            raise AssessmentError("该记录已被冲销", field="reverses")
        return add_entry(
            unit=locked.unit, month=locked.month, box=locked.box, indicator=locked.indicator,
            points=-locked.points, reason=reason, actor=actor, case_numbers=locked.case_numbers,
            scheme_name=locked.scheme_name, rule=locked.rule, rule_key=locked.rule_key, reverses=locked,
        )


def active_entries(**filters: Any) -> Any:
    """Entries in force: neither a reversal nor reversed."""
    return LedgerEntry.objects.filter(reverses__isnull=True, reversed_by__isnull=True, **filters)


def _top_units() -> dict[int, int]:
    parent_of = dict(Unit.objects.values_list("id", "parent_id"))
    tops = {}
    for uid in parent_of:
        top, seen = uid, {uid}
        while parent_of.get(top) is not None and parent_of[top] not in seen:
            top = parent_of[top]
            seen.add(top)
        tops[uid] = top
    return tops


def scheme_entries(*, sdef: SchemeDef, month: dt.date) -> Any:
    """All entries (reversals included, so that sums net out) that apply to this scheme's month."""
    return LedgerEntry.objects.filter(month=month, box=sdef.box, scheme_name__in=["", sdef.name])


def ledger_points(*, sdef: SchemeDef, month: dt.date, unit_ids: list[int]) -> dict[int, dict[str, Fraction]]:
    """Per accountable unit, the net points of each ledger-fed input (sub-units' entries roll up)."""
    tops = _top_units()
    wanted = set(unit_ids)
    out: dict[int, dict[str, Fraction]] = {uid: defaultdict(Fraction) for uid in unit_ids}
    by_indicator = {ind: spec.name for spec in sdef.ledger_inputs for ind in spec.ledger.indicators}  # type: ignore[union-attr]
    if not by_indicator:
        return out
    for unit_id, indicator, points in scheme_entries(sdef=sdef, month=month).filter(
            indicator__in=list(by_indicator)).values_list("unit_id", "indicator", "points"):
        top = tops.get(unit_id, unit_id)
        if top in wanted:
            out[top][by_indicator[indicator]] += Fraction(points)
    return out


# --- automatic rules ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Wanted:
    unit_id: int
    key: str
    points: Decimal
    reason: str
    case_numbers: tuple[str, ...] = ()


def sync_rule(*, rule: str, indicator: str, box: str, scheme_name: str, month: dt.date, wanted: list[Wanted],
              scope: set[int] | None, actor: User | None = None) -> tuple[int, int]:
    """Make the rule's entries in force equal `wanted` within `scope` (unit ids; None: everything).

    Returns (added, reversed)."""
    added = reversed_ = 0
    want = {(w.unit_id, w.key): w for w in wanted}
    current = active_entries(rule=rule, box=box, scheme_name=scheme_name, month=month).select_related("unit")
    if scope is not None:
        current = current.filter(unit_id__in=scope)
    have = {}
    for entry in current:
        w = want.get((entry.unit_id, entry.rule_key))
        if w is not None and w.points == entry.points and tuple(entry.case_numbers) == w.case_numbers \
                and (entry.unit_id, entry.rule_key) not in have:
            have[(entry.unit_id, entry.rule_key)] = entry
            continue
        reverse_entry(entry=entry, actor=actor, reason=f"自动规则 {rule} 重新计算后不再适用")
        reversed_ += 1
    units = Unit.objects.in_bulk([w.unit_id for w in wanted if (w.unit_id, w.key) not in have])
    for key, w in want.items():
        if key in have:
            continue
        add_entry(unit=units[w.unit_id], month=month, box=box, indicator=indicator, points=w.points,
                  reason=w.reason, actor=actor, case_numbers=w.case_numbers, scheme_name=scheme_name,
                  rule=rule, rule_key=w.key)
        added += 1
    return added, reversed_


@dataclass(frozen=True)
class OverdueCase:
    number: str
    unit_id: int  # the unit holding the case when it became seriously overdue
    crossed_at: dt.datetime


PERIOD_START = ("dispatch", "redispatch")
PERIOD_END = ("reply", "rectify", "return", "close", "merge", "mark_invalid", "answer")


def seriously_overdue_cases(*, box: str, month: dt.date, as_of: dt.datetime, working_days: int) -> list[OverdueCase]:
    """Cases that became seriously overdue during the month with no extension asked.

    A unit's period with a case runs from a dispatch/redispatch (or a supervision that sets a
    new deadline) to its reply, return or closure. The case becomes seriously overdue when the
    period is still running `working_days` working days after its deadline (same time of day),
    and it counts only if no extension was requested in that period before then. Each case
    counts once, in the month it first crossed that line (at or before `as_of`).
    """
    from hotline.workcalendar.services import WorkingCalendar
    from hotline.workorders.metrics import month_bounds
    from hotline.workorders.models import Event

    start, end = month_bounds(month)
    horizon = min(end, as_of)
    calendar = WorkingCalendar.load()

    def threshold(deadline: dt.datetime) -> dt.datetime:
        local = timezone.localtime(deadline)
        day = calendar.add_working_days(local.date(), working_days).date
        return dt.datetime.combine(day, local.timetz())

    by_order: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for chunk in _chunks(sorted(_overdue_candidates(box=box, start=start, horizon=horizon,
                                                    working_days=working_days)), 5000):
        for row in Event.objects.filter(order_id__in=chunk, at__lte=as_of).order_by("order_id", "seq").values_list(
            "order_id", "order__number", "kind", "at", "unit_id", KT("data__deadline"),
        ):
            by_order[row[0]].append(row)
    found = []
    for rows in by_order.values():
        crossing = _first_crossing(rows, threshold=threshold, as_of=as_of)
        if crossing is not None and start <= crossing.crossed_at < horizon:
            found.append(crossing)
    return sorted(found, key=lambda c: c.number)


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for lo in range(0, len(items), size):
        yield items[lo:lo + size]


def _overdue_candidates(*, box: str, start: dt.datetime, horizon: dt.datetime, working_days: int) -> set[int]:
    """Orders that can have crossed the line in the month; a superset, checked event by event after.

    A crossing at T means a unit's period was still running at T = deadline + N working days
    (≥ N calendar days). So the period ended after T by a late reply/rectify (replied more than N
    calendar days past the deadline it recorded) or by a return, or it is still running: an open
    order whose deadline has passed. Everything else is excluded without reading its history."""
    from hotline.workorders.models import Event, OPEN_STATUSES, WorkOrder

    slack = dt.timedelta(days=working_days)
    # No upper bound on the ending event: a period still running at `as_of` may have ended since.
    # Only the deadline is read out of the JSON: decoding whole `data` documents dominated on PostgreSQL.
    late = Event.objects.filter(box=box, kind__in=("reply", "rectify"), on_time=False,
                                at__gte=start).values_list("order_id", "at", KT("data__deadline"))
    found = {oid for oid, at, deadline in late if deadline and at > dt.datetime.fromisoformat(deadline) + slack}
    found.update(Event.objects.filter(box=box, kind="return", at__gte=start).values_list("order_id", flat=True))
    found.update(WorkOrder.objects.filter(box=box, status__in=OPEN_STATUSES, deadline__lt=horizon)
                 .values_list("id", flat=True))
    return found


def _first_crossing(rows: list[tuple[Any, ...]], *, threshold: Callable[[dt.datetime], dt.datetime],
                    as_of: dt.datetime) -> OverdueCase | None:
    limit: dt.datetime | None = None
    asked, unit_id, number = False, None, rows[0][1]
    for _, _, kind, at, ev_unit, deadline in rows:  # deadline: the event's data["deadline"] text, if any
        if limit is not None and at > limit:
            if not asked and unit_id is not None:
                return OverdueCase(number, unit_id, limit)
            limit = None
        if kind in PERIOD_START or (kind == "supervise" and deadline):
            limit = threshold(dt.datetime.fromisoformat(deadline)) if deadline else None
            asked, unit_id = False, ev_unit
        elif kind == "request_extension":
            asked = True
        elif kind == "approve_extension" and deadline:
            asked, limit = True, threshold(dt.datetime.fromisoformat(deadline))
        elif kind in PERIOD_END:
            limit = None
    if limit is not None and limit <= as_of and not asked and unit_id is not None:
        return OverdueCase(number, unit_id, limit)
    return None


def apply_overdue_rule(*, sdef: SchemeDef, month: dt.date, as_of: dt.datetime, actor: User | None = None) -> int:
    """−points per seriously overdue case (one entry per case), for the scheme's units; returns the count."""
    conf = sdef.auto.get(RULE_OVERDUE)
    if not conf:
        return 0
    tops = _top_units()
    units = {u.pk for u in scheme_units(sdef)}
    days = int(conf.get("working_days", 5))
    wanted = []
    for case in seriously_overdue_cases(box=sdef.box, month=month, as_of=as_of, working_days=days):
        top = tops.get(case.unit_id, case.unit_id)
        if top in units:
            wanted.append(Wanted(top, case.number, _points(conf["points"]),
                                 f"工单 {case.number} 严重超期（超过时限 {days} 个工作日）且未申请延期", (case.number,)))
    sync_rule(rule=RULE_OVERDUE, indicator=conf["indicator"], box=sdef.box, scheme_name=sdef.name, month=month,
              wanted=wanted, scope=units, actor=actor)
    return len(wanted)


def record_knowledge_misses(*, scheme: str, month: dt.date, counts: dict[int, int],
                            actor: User | None = None) -> None:
    """Knowledge updates not delivered on time, per unit: one entry of count × points (e.g. −0.5 per time).

    The knowledge base is another module; it (or staff) reports the counts here. Units not named
    in `counts` are left as they are; a count of 0 withdraws the unit's entry.
    """
    sdef = compiled(get_scheme(scheme))
    conf = sdef.auto.get(RULE_KNOWLEDGE)
    if not conf:
        raise AssessmentError(f"方案 {scheme} 未配置知识库逾期扣分规则", field="scheme")
    per_time = _points(conf["points"])
    wanted = []
    for unit_id, count in counts.items():
        if not isinstance(count, int) or count < 0:
            raise AssessmentError("次数应为非负整数", field="counts")
        if count:
            wanted.append(Wanted(unit_id, "count", per_time * count, f"知识库更新逾期 {count} 次"))
    with transaction.atomic():
        sync_rule(rule=RULE_KNOWLEDGE, indicator=conf["indicator"], box=sdef.box, scheme_name=sdef.name,
                  month=month, wanted=wanted, scope=set(counts), actor=actor)


def apply_automatic_rules(*, sdef: SchemeDef, month: dt.date, as_of: dt.datetime) -> None:
    """The rules a monthly run raises before scoring: serious overdue, and knowledge misses when
    settings.HOTLINE_KNOWLEDGE_MISSES names a callable (box, month) -> {unit_id: count}."""
    apply_overdue_rule(sdef=sdef, month=month, as_of=as_of)
    hook = getattr(settings, "HOTLINE_KNOWLEDGE_MISSES", "")
    if hook and RULE_KNOWLEDGE in sdef.auto:
        counts = import_string(hook)(box=sdef.box, month=month)
        record_knowledge_misses(scheme=sdef.name, month=month, counts=dict(counts))


def apply_grade_penalties(*, run: AssessmentRun, actor: User | None = None) -> int:
    """The month's grade as points (e.g. −2 for B, −6 for E), one entry per unit; idempotent per run."""
    sdef = compiled(run.scheme)
    conf = sdef.auto.get(RULE_GRADE)
    if not conf:
        return 0
    table = {g: _points(p) for g, p in (conf.get("points") or {}).items() if p is not None}
    cols = run.outputs["columns"]
    wanted = []
    for row in run.outputs["rows"]:
        cells = dict(zip(cols, row["cells"]))
        grade = cells.get("grade")
        if row["unit_id"] is not None and grade in table:
            wanted.append(Wanted(row["unit_id"], "grade", table[grade],
                                 f"{run.month:%Y年%m月}综合考评 {grade} 类（{run.scheme_name} 第 {run.version} 版）"))
    scope = {r["unit_id"] for r in run.outputs["rows"] if r["unit_id"] is not None}
    sync_rule(rule=RULE_GRADE, indicator=conf["indicator"], box=sdef.box, scheme_name=sdef.name, month=run.month,
              wanted=wanted, scope=scope, actor=actor)
    return len(wanted)
