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
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, Func, Q, Value
from django.db.models.fields.json import KT
from django.db.models.functions import NullIf
from django.utils import timezone
from django.utils.module_loading import import_string

from hotline.assessment.definition import SchemeDef
from hotline.assessment.models import AssessmentRun, Exemption, LedgerEntry
from hotline.assessment.services import AssessmentError, compiled, get_scheme, scheme_units
from hotline.directory.models import Unit, User

if TYPE_CHECKING:
    from hotline.workcalendar.services import WorkingCalendar

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

    Exempted (unit, key) pairs (assessment.Exemption) are never wanted, so an exemption sticks: the
    entry it reversed is not raised again. Returns (added, reversed)."""
    added = reversed_ = 0
    exempted = exemptions(rule=rule, scheme_name=scheme_name, month=month, keys={w.key for w in wanted})
    want = {(w.unit_id, w.key): w for w in wanted if not _is_exempt(exempted, w.unit_id, w.key)}
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
        why = _is_exempt(exempted, entry.unit_id, entry.rule_key)
        reverse_entry(entry=entry, actor=actor, reason=f"豁免：{why}" if why else f"自动规则 {rule} 重新计算后不再适用")
        reversed_ += 1
    missing = [w for key, w in want.items() if key not in have]
    if missing:
        # One INSERT per batch: a rule can raise thousands of per-case entries on a large month.
        if month.day != 1 or box not in ("hotline", "mailbox") or not indicator.strip():
            raise AssessmentError("自动规则的月份、业务或指标有误", field="rule")
        ids = {w.unit_id for w in missing}
        unknown = ids - set(Unit.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if unknown:
            raise AssessmentError(f"未知的单位 id：{', '.join(map(str, sorted(unknown)))}", field="unit")
        now = timezone.now()
        LedgerEntry.objects.bulk_create([
            LedgerEntry(unit_id=w.unit_id, month=month, box=box, scheme_name=scheme_name, indicator=indicator.strip(),
                        points=_points(w.points), reason=w.reason, case_numbers=list(w.case_numbers),
                        entered_by=actor, entered_at=now, rule=rule, rule_key=w.key)
            for w in missing], batch_size=1000)
        added = len(missing)
    return added, reversed_


def exemptions(*, rule: str, scheme_name: str, month: dt.date, keys: set[str]) -> dict[str, list[tuple[int | None, str]]]:
    """Exemptions in force for a rule's month: key -> [(unit id or None for any unit, reason)]."""
    found: dict[str, list[tuple[int | None, str]]] = defaultdict(list)
    rows = Exemption.objects.filter(Q(month__isnull=True) | Q(month=month), rule=rule, withdrawn_at__isnull=True,
                                    scheme_name__in=["", scheme_name]).order_by("id")
    current = active_entries(rule=rule, scheme_name=scheme_name, month=month).values_list("rule_key", flat=True)
    wanted_keys = keys | set(current)
    for key, unit_id, reason in rows.values_list("rule_key", "unit_id", "reason"):
        if key in wanted_keys:
            found[key].append((unit_id, reason))
    return found


def _is_exempt(found: dict[str, list[tuple[int | None, str]]], unit_id: int, key: str) -> str:
    """The reason of the exemption covering (unit, key), or ''."""
    for exempt_unit, reason in found.get(key, ()):
        if exempt_unit is None or exempt_unit == unit_id:
            return reason
    return ""


@dataclass(frozen=True)
class OverdueCase:
    number: str
    unit_id: int  # the unit holding the case when it became seriously overdue
    crossed_at: dt.datetime


PERIOD_START = ("dispatch", "redispatch")
PERIOD_END = ("reply", "rectify", "return", "close", "merge", "mark_invalid", "answer")
DATED_ENDS = ("reply", "rectify")  # period ends that record the deadline they ended (data["deadline"])


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
    from hotline.workorders.models import WorkOrder

    start, end = month_bounds(month)
    horizon = min(end, as_of)
    calendar = WorkingCalendar.load()

    def threshold(deadline: dt.datetime) -> dt.datetime:
        local = timezone.localtime(deadline)
        day = calendar.add_working_days(local.date(), working_days).date
        return dt.datetime.combine(day, local.timetz())

    crossed: dict[int, tuple[int, dt.datetime]] = {}
    candidates = _overdue_candidates(box=box, start=start, horizon=horizon, working_days=working_days,
                                     calendar=calendar)
    for order_id, rows in _histories(sorted(candidates), as_of=as_of):
        crossing = _first_crossing(rows, threshold=threshold, as_of=as_of)
        if crossing is not None and start <= crossing[1] < horizon:
            crossed[order_id] = crossing
    # Numbers only for the hits: joining the order into every history row cost more than the check.
    numbers: dict[int, str] = {}
    for chunk in _chunks(sorted(crossed), 5000):
        numbers.update(WorkOrder.objects.filter(pk__in=chunk).values_list("id", "number"))
    found = [OverdueCase(numbers[oid], unit_id, at) for oid, (unit_id, at) in crossed.items()]
    return sorted(found, key=lambda c: c.number)


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for lo in range(0, len(items), size):
        yield items[lo:lo + size]


def _histories(order_ids: list[int], *, as_of: dt.datetime) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """(order id, [(kind, at, unit_id, data["deadline"] text)]) in seq order, events up to `as_of`."""
    from hotline.workorders.models import Event

    for chunk in _chunks(order_ids, 5000):
        by_order: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for order_id, *row in Event.objects.filter(order_id__in=chunk, at__lte=as_of).order_by(
                "order_id", "seq").values_list("order_id", "kind", "at", "unit_id", KT("data__deadline")):
            by_order[order_id].append(tuple(row))
        yield from by_order.items()


class _Later(Func):
    """A timestamp `minutes` after a datetime column or ISO 8601 text, built by the database.

    Django's duration arithmetic runs a Python function per row on SQLite; this stays native:
    `strftime` there (which reads a "+08:00" offset and yields UTC text, the way datetimes are
    stored), a cast and an interval on PostgreSQL."""

    output_field = DateTimeField()

    def __init__(self, expression: Any, *, minutes: int) -> None:
        super().__init__(expression)
        self.minutes = int(minutes)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = f"CAST(%(expressions)s AS TIMESTAMP WITH TIME ZONE) + INTERVAL '{self.minutes} minutes'"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = super().as_sql(compiler, connection, template="strftime(%%s, %(expressions)s, %%s)", **extra)
        return sql, ["%Y-%m-%d %H:%M:%f", *params, f"{self.minutes:+d} minutes"]


def _overdue_candidates(*, box: str, start: dt.datetime, horizon: dt.datetime, working_days: int,
                        calendar: WorkingCalendar) -> set[int]:
    """Orders that can have crossed the line in the month; a superset, checked event by event after.

    A crossing at T means a unit's period was still running at T = deadline + N working days
    (≥ N calendar days), T in [start, horizon). So the period ended or was asked after T (the
    first such event is at ≥ start), or it is still running:
    - a reply/rectification more than N days past the deadline it recorded: when it is the
      period's first such event, that is the period's deadline (an extension is approved only
      after a request, itself such an event);
    - any other move that the move table allows while a period runs (a return, a redispatch,
      an extension request) more than N days after the order was received: a deadline is
      never before its period's start, nor that start before the receipt;
    - still running: an open order whose deadline (the period's own, none approved since) has
      its line in the month.
    Everything else is excluded without reading its history."""
    from hotline.workorders.models import Event, OPEN_STATUSES, WorkOrder

    # An hour less than N days: a local day can be 23 hours long under DST, and SQLite compares
    # milliseconds; the exact line is drawn by _first_crossing.
    slack = working_days * 24 * 60 - 60
    ends = Event.objects.filter(box=box, at__gte=start).order_by()
    dated = ends.filter(kind__in=DATED_ENDS, on_time=False,
                        at__gt=_Later(NullIf(KT("data__deadline"), Value("")), minutes=slack))
    undated = ends.filter(kind__in=_undated_ends(), at__gt=_Later(F("order__received_at"), minutes=slack))
    lo, hi = _deadline_window(calendar, start=start, horizon=horizon, working_days=working_days)
    # A day's margin: the services write the column and the event's deadline together, but a
    # generated history (the bench's) has them minutes apart; open orders are few.
    day = dt.timedelta(days=1)
    running = WorkOrder.objects.filter(box=box, status__in=OPEN_STATUSES, deadline__gte=lo - day,
                                       deadline__lt=min(hi + day, horizon)).order_by()
    found = set(dated.values_list("order_id", flat=True))
    found.update(undated.values_list("order_id", flat=True))
    found.update(running.values_list("id", flat=True))
    return found


def _undated_ends() -> list[str]:
    """Kinds other than a reply/rectification that can end a running period or mark it asked:
    those the move table allows from a status a running period is in (dispatched, accepted,
    supervised). The others (close, answer, ...) never follow a running period."""
    from hotline.workorders.models import OPEN_STATUSES
    from hotline.workorders.rules import MOVES

    kinds = (*PERIOD_START, *PERIOD_END, "request_extension")
    return sorted(k for k in kinds if k not in DATED_ENDS and MOVES[k].sources & OPEN_STATUSES)


def _deadline_window(calendar: WorkingCalendar, *, start: dt.datetime, horizon: dt.datetime,
                     working_days: int) -> tuple[dt.datetime, dt.datetime]:
    """[lo, hi): every deadline whose line (N working days later, same time of day) falls in
    [start, horizon) lies in it. Computed on the calendar, as N working days can span two weeks
    and more over the Spring Festival or National Day."""
    zone = timezone.get_current_timezone()
    first = timezone.localtime(start).date()
    last = timezone.localtime(horizon - dt.timedelta(microseconds=1)).date()
    lo, hi = _days_before(calendar, first, last, working_days)
    return (dt.datetime.combine(lo, dt.time(), tzinfo=zone),
            dt.datetime.combine(hi + dt.timedelta(days=1), dt.time(), tzinfo=zone))


def _days_before(calendar: WorkingCalendar, first: dt.date, last: dt.date, n: int) -> tuple[dt.date, dt.date]:
    """The first and last day d with first <= calendar.add_working_days(d, n) <= last."""
    if n == 0:
        return first, last
    one = dt.timedelta(days=1)
    # add_working_days(d, n) >= first  <=>  fewer than n working days in [d + 1, first - 1].
    lo, count = first - one, 0
    while count + calendar.is_workday(lo) < n:
        count += calendar.is_workday(lo)
        lo -= one
    # add_working_days(d, n) <= last  <=>  at least n working days in [d + 1, last].
    hi, count = last, 0
    while count < n:
        count += calendar.is_workday(hi)
        hi -= one
    return lo, hi


def _first_crossing(rows: list[tuple[Any, ...]], *, threshold: Callable[[dt.datetime], dt.datetime],
                    as_of: dt.datetime) -> tuple[int, dt.datetime] | None:
    """(unit id, time) of the history's first counted crossing; rows are (kind, at, unit_id, deadline
    text) in seq order."""
    limit: dt.datetime | None = None
    asked, unit_id = False, None
    for kind, at, ev_unit, deadline in rows:
        if limit is not None and at > limit:
            if not asked and unit_id is not None:
                return unit_id, limit
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
        return unit_id, limit
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


# --- knowledge duties (issue 9): one entry per update duty missed, from the knowledge base ---------

RULE_KNOWLEDGE_DUTY = "knowledge_duty"


@dataclass(frozen=True)
class KnowledgeMiss:
    """One knowledge update not delivered by its deadline, as the knowledge base reports it."""

    unit_id: int
    key: str  # stable per duty, e.g. "duty-12": the entry's rule_key
    reason: str
    reference: str = ""  # shown in the entry's case column, e.g. "KB-12"


def record_knowledge_duty_misses(*, sdef: SchemeDef, month: dt.date, misses: list[KnowledgeMiss],
                                 actor: User | None = None) -> int:
    """One entry per missed duty (the scheme's knowledge_missed points each), for the scheme's units;
    idempotent like every automatic rule: a duty counted once stays one entry, a withdrawn one is reversed."""
    conf = sdef.auto.get(RULE_KNOWLEDGE)
    if not conf:
        return 0
    tops = _top_units()
    units = {u.pk for u in scheme_units(sdef)}
    wanted = [Wanted(tops.get(m.unit_id, m.unit_id), m.key, _points(conf["points"]), m.reason,
                     (m.reference,) if m.reference else ())
              for m in misses if tops.get(m.unit_id, m.unit_id) in units]
    with transaction.atomic():
        sync_rule(rule=RULE_KNOWLEDGE_DUTY, indicator=conf["indicator"], box=sdef.box, scheme_name=sdef.name,
                  month=month, wanted=wanted, scope=units, actor=actor)
    return len(wanted)


def apply_automatic_rules(*, sdef: SchemeDef, month: dt.date, as_of: dt.datetime) -> None:
    """The rules a monthly run raises before scoring: serious overdue, the event-proven rules
    (assessment.rules), and knowledge misses when settings.HOTLINE_KNOWLEDGE_MISSES names a callable
    (box, month, as_of) returning either {unit_id: count} (one entry per unit) or a list of
    KnowledgeMiss (one entry per missed duty)."""
    from hotline.assessment.rules import apply_event_rules

    apply_overdue_rule(sdef=sdef, month=month, as_of=as_of)
    apply_event_rules(sdef=sdef, month=month, as_of=as_of)
    hook = getattr(settings, "HOTLINE_KNOWLEDGE_MISSES", "")
    if hook and RULE_KNOWLEDGE in sdef.auto:
        found = import_string(hook)(box=sdef.box, month=month, as_of=as_of)
        if isinstance(found, dict):
            record_knowledge_misses(scheme=sdef.name, month=month, counts=dict(found))
        else:
            record_knowledge_duty_misses(sdef=sdef, month=month, misses=list(found))


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
