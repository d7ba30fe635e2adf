"""Monthly assessment inputs per unit, computed from the event history (see docs/metrics.md).

Two families of metrics, each computed by ONE aggregate SQL statement (SQLite >= 3.25, PostgreSQL):

* per-order ("tenure") metrics - due, done, on_time, reworked, extended, contacted - are judged on
  the order's *final assignment* to a unit in the month and on the events that follow it; they read
  the tenure table (one row per assignment, derived from the events: hotline.workorders.tenure);
* per-event metrics - returned and the callback family - count events that happened in the month.

The same SQL feeds the numbers (`unit_month_metrics`) and the drill-down (`metric_cases`), so a
number and the cases behind it cannot disagree. The per-event fast path reads the denormalized event
columns box/result/method through a covering index (migration 0002); while events without those
columns exist in the period, a slower path reads the order's box and the JSON data instead.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from hotline.directory.models import Unit
from hotline.workcalendar.models import Box
from hotline.workorders.models import Action, CallbackMethod, CallbackResult, Event, Tenure, WorkOrder
from hotline.workorders.selectors import unit_subtree_ids
from hotline.workorders.services import DomainError

# China has one time zone and no daylight saving time; month boundaries are local midnights.
ASSESSMENT_TZ = ZoneInfo("Asia/Shanghai")
# Default cut-off: 00:00 local on this day of the following month (events up to the 9th count).
CUTOFF_DAY = 10
# Decimal precision of the satisfaction percentages (significant digits, rounded half-up).
PERCENT_PRECISION = 28


@dataclass(frozen=True)
class UnitMonthMetrics:
    unit_id: int
    due: int = 0
    done: int = 0
    on_time: int = 0
    reworked: int = 0
    extended: int = 0
    contacted: int = 0
    returned: int = 0
    callbacks: int = 0
    satisfied: int = 0
    unsatisfied: int = 0
    system_callbacks: int = 0  # SMS survey
    system_satisfied: int = 0
    spot_callbacks: int = 0  # manual spot-check calls
    spot_satisfied: int = 0

    @property
    def system_satisfaction(self) -> Decimal:
        """100 * system_satisfied / system_callbacks, unrounded (28 significant digits, half-up); 0 if none."""
        return percent(self.system_satisfied, self.system_callbacks)

    @property
    def spot_check_satisfaction(self) -> Decimal:
        """100 * spot_satisfied / spot_callbacks, unrounded (28 significant digits, half-up); 0 if none."""
        return percent(self.spot_satisfied, self.spot_callbacks)

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in METRICS)

    def plus(self, other: UnitMonthMetrics, *, unit_id: int | None = None) -> UnitMonthMetrics:
        """Field-wise sum, labelled with `unit_id` (default: this one's)."""
        sums = {name: getattr(self, name) + getattr(other, name) for name in METRICS}
        return UnitMonthMetrics(unit_id=self.unit_id if unit_id is None else unit_id, **sums)


METRICS: tuple[str, ...] = tuple(f.name for f in fields(UnitMonthMetrics) if f.name != "unit_id")
TENURE_METRICS: tuple[str, ...] = ("due", "done", "on_time", "reworked", "extended", "contacted")
EVENT_METRICS: tuple[str, ...] = tuple(m for m in METRICS if m not in TENURE_METRICS)


def percent(numerator: int, denominator: int) -> Decimal:
    if denominator == 0:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = PERCENT_PRECISION
        ctx.rounding = ROUND_HALF_UP
        return Decimal(100 * numerator) / Decimal(denominator)


# --- the period ------------------------------------------------------------------------------

def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the month as aware local datetimes (Asia/Shanghai midnights)."""
    _check_month(month)
    start = dt.datetime(month.year, month.month, 1, tzinfo=ASSESSMENT_TZ)
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, dt.datetime(nxt.year, nxt.month, 1, tzinfo=ASSESSMENT_TZ)


def default_cutoff(month: dt.date) -> dt.datetime:
    """The documented cut-off of a month: 00:00 Asia/Shanghai on the 10th of the following month."""
    _, end = month_bounds(month)
    return end.replace(day=CUTOFF_DAY)


def _check_month(month: Any) -> None:
    if not isinstance(month, dt.date) or isinstance(month, dt.datetime) or month.day != 1:
        raise DomainError("month must be a date on the first day of the month", field="month")


def _check(box: str, month: dt.date, as_of: dt.datetime | None) -> dt.datetime:
    if box not in Box.values:
        raise DomainError(f"box must be one of {', '.join(Box.values)}", field="box")
    _check_month(month)
    if as_of is None:
        return default_cutoff(month)
    if not isinstance(as_of, dt.datetime) or as_of.tzinfo is None or as_of.utcoffset() is None:
        raise DomainError("as_of must be a timezone-aware datetime", field="as_of")
    return as_of


# --- SQL --------------------------------------------------------------------------------------

EV = Event._meta.db_table
WO = WorkOrder._meta.db_table
WINDOW_INDEX = "event_metrics_window"  # (box, kind, at, order, seq, unit, on_time, result, method)
TN = Tenure._meta.db_table
TENURE_TABLE_INDEX = "tenure_metrics"  # (box, assigned_at, unit, lost_at, reply_at, ...): covering
UNFILLED_INDEX = "event_metrics_unfilled"  # (at) WHERE box IS NULL: empty once transition() fills box


class _Sql:
    """Collects parameters for one statement. Placeholders are markers, numbered when created and
    turned into positional `%s` in textual order by `finish()`, so fragments can be built in any order."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def p(self, value: Any) -> str:
        if isinstance(value, dt.datetime):
            value = connection.ops.adapt_datetimefield_value(value)
        self.values.append(value)
        return f"\x00{len(self.values) - 1}\x00"

    def many(self, values: Iterable[Any]) -> str:
        return "(" + ", ".join(self.p(v) for v in values) + ")"

    def finish(self, sql: str) -> tuple[str, list[Any]]:
        parts = sql.split("\x00")
        return "%s".join(parts[0::2]), [self.values[int(i)] for i in parts[1::2]]


@dataclass(frozen=True)
class _Path:
    """Backend and whether the denormalized columns can be used (fast) or not (JSON + join)."""

    vendor: str
    fast: bool

    def json_text(self, alias: str, key: str) -> str:
        if self.vendor == "postgresql":
            return f"({alias}.data ->> '{key}')"
        return f"json_extract({alias}.data, '$.{key}')"

    def json_is(self, alias: str, key: str, literal: str) -> str:
        """The JSON value at `key` is exactly the JSON literal true/false (not 1, not "true")."""
        if self.vendor == "postgresql":
            return f"(({alias}.data -> '{key}') = '{literal}'::jsonb)"
        return f"(json_type({alias}.data, '$.{key}') = '{literal}')"

    def callback_field(self, alias: str, key: str) -> str:
        if self.fast:
            return f"{alias}.{key}"
        return f"CASE WHEN {alias}.kind = '{Action.CALLBACK.value}' THEN {self.json_text(alias, key)} END"

    def events(self, q: _Sql, alias: str, box: str, index: str) -> tuple[str, str]:
        """FROM clause of events of one box and the matching WHERE condition."""
        if self.fast:
            hint = f" INDEXED BY {index}" if self.vendor == "sqlite" else ""
            return f"{EV} {alias}{hint}", f"{alias}.box = {q.p(box)}"
        return f"{EV} {alias} JOIN {WO} o_{alias} ON o_{alias}.id = {alias}.order_id", f"o_{alias}.box = {q.p(box)}"


def metric_columns_ready(*, month: dt.date, as_of: dt.datetime | None = None) -> bool:
    """True when every event of the period has its denormalized columns, i.e. the fast path is used."""
    as_of = _check(Box.HOTLINE, month, as_of)
    return _path(month_bounds(month)[0], as_of).fast


def _path(start: dt.datetime, as_of: dt.datetime) -> _Path:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise ImproperlyConfigured(f"monthly metrics support SQLite and PostgreSQL, not {vendor}")
    q = _Sql()
    hint = f" INDEXED BY {UNFILLED_INDEX}" if vendor == "sqlite" else ""
    sql, params = q.finish(f"SELECT 1 FROM {EV} e{hint} WHERE e.box IS NULL AND e.at >= {q.p(start)}"
                           f" AND e.at <= {q.p(as_of)} LIMIT 1")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _Path(vendor, fast=cursor.fetchone() is None)


def _tenure_sql(q: _Sql, path: _Path, *, box: str, start: dt.datetime, end: dt.datetime, as_of: dt.datetime,
                unit_ids: list[int] | None = None) -> str:
    """Rows (order_id, unit_id, due, done, on_time, reworked, extended, contacted) with 0/1 flags, one per
    tenure (assignment) of the month (docs/metrics.md, "Tenures").

    The order is due for the tenure's unit when the tenure was not lost (re-assigned or returned) by
    the cut-off, i.e. it is the order's final assignment in the month and the unit kept the order;
    the other flags need due and count the tenure's first reply/contact/... up to the cut-off.
    """
    cut = q.p(as_of)
    due = f"(t.lost_at IS NULL OR t.lost_at > {cut})"
    hint = f" INDEXED BY {TENURE_TABLE_INDEX}" if path.vendor == "sqlite" else ""
    units = f" AND t.unit_id IN {q.many(unit_ids)}" if unit_ids is not None else ""
    return (
        f"SELECT t.order_id AS order_id, t.unit_id AS unit_id, CASE WHEN {due} THEN 1 ELSE 0 END AS due,"
        f" CASE WHEN {due} AND t.reply_at <= {cut} THEN 1 ELSE 0 END AS done,"
        f" CASE WHEN {due} AND t.reply_at <= {cut} AND t.reply_on_time THEN 1 ELSE 0 END AS on_time,"
        f" CASE WHEN {due} AND t.rework_at <= {cut} THEN 1 ELSE 0 END AS reworked,"
        f" CASE WHEN {due} AND t.extension_at <= {cut} THEN 1 ELSE 0 END AS extended,"
        # Seqs follow time, so a contact up to the cut-off precedes any reply made after it.
        f" CASE WHEN {due} AND t.contact_at <= {cut} AND (t.reply_seq IS NULL OR t.contact_seq < t.reply_seq)"
        f" THEN 1 ELSE 0 END AS contacted"
        f" FROM {TN} t{hint} WHERE t.box = {q.p(box)} AND t.assigned_at >= {q.p(start)}"
        f" AND t.assigned_at < {q.p(end)} AND t.assigned_at <= {cut}{units}"
    )


@dataclass(frozen=True)
class _EventRule:
    """Which events of the month a per-event metric counts."""

    kind: str
    results: tuple[str, ...] | None = None  # callback result in these (None: any)
    method: str | None = None  # callback method (None: any)
    not_overturned: bool = False  # an unsatisfied result overturned by verify(upheld=false) is left out

    def count(self, kind: str, result: str | None, method: str | None, n: int, overturned: int) -> int:
        """How many of `n` events of this kind/result/method (`overturned` of them overturned) count."""
        if kind != self.kind or (self.results is not None and result not in self.results):
            return 0
        if self.method is not None and method != self.method:
            return 0
        return n - overturned if self.not_overturned else n

    def sql(self, q: _Sql, alias: str) -> str:
        parts = [f"{alias}.kind = {q.p(self.kind)}"]
        if self.results is not None:
            parts.append(f"{alias}.result IN {q.many(self.results)}")
        if self.method is not None:
            parts.append(f"{alias}.method = {q.p(self.method)}")
        if self.not_overturned:
            parts.append(f"{alias}.overturned = 0")
        return " AND ".join(parts)


R = CallbackResult
ANSWERED = (R.SATISFIED.value, R.BASIC.value, R.UNSATISFIED.value)  # every result but unreachable
PLEASED = (R.SATISFIED.value, R.BASIC.value)  # satisfied or basically satisfied
CB, SMS, MANUAL = Action.CALLBACK.value, CallbackMethod.SMS.value, CallbackMethod.MANUAL.value
EVENT_RULES: dict[str, _EventRule] = {
    "returned": _EventRule(Action.RETURN.value),
    "callbacks": _EventRule(CB, ANSWERED),
    "satisfied": _EventRule(CB, PLEASED),
    "unsatisfied": _EventRule(CB, (R.UNSATISFIED.value,), not_overturned=True),
    "system_callbacks": _EventRule(CB, ANSWERED, SMS),
    "system_satisfied": _EventRule(CB, PLEASED, SMS),
    "spot_callbacks": _EventRule(CB, ANSWERED, MANUAL),
    "spot_satisfied": _EventRule(CB, PLEASED, MANUAL),
}
assert tuple(EVENT_RULES) == EVENT_METRICS


def _events_sql(q: _Sql, path: _Path, *, box: str, start: dt.datetime, end: dt.datetime, as_of: dt.datetime,
                unit_ids: list[int] | None = None) -> str:
    """One row per return/callback event of the month: order_id, unit_id, kind, result, method, overturned.

    overturned = 1 for an unsatisfied callback whose verification (the first verify event after it, at
    or before the cut-off) found the dissatisfaction not upheld.
    """
    src, cond = path.events(q, "e", box, WINDOW_INDEX)
    result = path.callback_field("e", "result")
    verdict = (f"(SELECT CASE WHEN {path.json_is('v', 'upheld', 'false')} THEN 1 ELSE 0 END FROM {EV} v"
               f" WHERE v.order_id = e.order_id AND v.kind = {q.p(Action.VERIFY.value)} AND v.seq > e.seq"
               f" AND v.at <= {q.p(as_of)} ORDER BY v.seq LIMIT 1)")
    units = f" AND e.unit_id IN {q.many(unit_ids)}" if unit_ids is not None else ""
    return (
        f"SELECT e.order_id AS order_id, e.unit_id AS unit_id, e.kind AS kind, {result} AS result,"
        f" {path.callback_field('e', 'method')} AS method,"
        f" CASE WHEN {result} = {q.p(R.UNSATISFIED.value)} THEN COALESCE({verdict}, 0) ELSE 0 END AS overturned"
        f" FROM {src} WHERE {cond} AND e.kind IN {q.many((Action.RETURN.value, CB))}"
        f" AND e.at >= {q.p(start)} AND e.at < {q.p(end)} AND e.at <= {q.p(as_of)}{units}"
    )


# --- public API -------------------------------------------------------------------------------

def unit_month_metrics(*, box: str, month: dt.date, as_of: dt.datetime | None = None,
                       roll_up: bool = False) -> dict[int, UnitMonthMetrics]:
    """Assessment inputs of every unit with any non-zero metric, keyed by unit id (ascending).

    Per unit as assigned (Event.unit); with roll_up=True, sub-units are summed into their top-level
    unit. Only events with at <= as_of count; as_of defaults to `default_cutoff(month)`.
    """
    as_of = _check(box, month, as_of)
    start, end = month_bounds(month)
    path = _path(start, as_of)
    counts: dict[int, dict[str, int]] = {}

    def bucket(unit_id: int) -> dict[str, int]:
        return counts.setdefault(unit_id, dict.fromkeys(METRICS, 0))

    q = _Sql()
    tenure = _tenure_sql(q, path, box=box, start=start, end=end, as_of=as_of)
    tenure_sql = q.finish(
        "SELECT d.unit_id, SUM(d.due), SUM(d.done), SUM(d.on_time), SUM(d.reworked), SUM(d.extended),"
        f" SUM(d.contacted) FROM ({tenure}) d GROUP BY d.unit_id"
    )
    q = _Sql()
    events = _events_sql(q, path, box=box, start=start, end=end, as_of=as_of)
    # overturned is summed, not grouped on: plain columns as keys let PostgreSQL hash the groups.
    events_sql = q.finish(
        "SELECT ev.unit_id, ev.kind, ev.result, ev.method, COUNT(*), SUM(ev.overturned)"
        f" FROM ({events}) ev GROUP BY ev.unit_id, ev.kind, ev.result, ev.method"
    )
    with connection.cursor() as cursor:
        cursor.execute(*tenure_sql)
        for unit_id, *values in cursor.fetchall():
            bucket(unit_id).update(zip(TENURE_METRICS, (int(v) for v in values)))
        cursor.execute(*events_sql)
        for unit_id, kind, result, method, n, overturned in cursor.fetchall():
            if unit_id is None:  # an event written before any assignment: no unit to charge
                continue
            row = bucket(unit_id)
            for name, rule in EVENT_RULES.items():
                row[name] += rule.count(kind, result, method, int(n), int(overturned))
    out = {uid: UnitMonthMetrics(unit_id=uid, **row) for uid, row in sorted(counts.items())}
    out = {uid: m for uid, m in out.items() if not m.is_empty()}
    if roll_up:
        out = roll_up_metrics(out, dict(Unit.objects.values_list("id", "parent_id")))
    return out


def metric_cases(*, box: str, month: dt.date, unit_id: int | None, metric: str, as_of: dt.datetime | None = None,
                 roll_up: bool = False) -> QuerySet[WorkOrder]:
    """The orders behind one number of `unit_month_metrics`.

    For order metrics (due … contacted) the count of this queryset equals the number. For event
    metrics (returned, callbacks …) it is the distinct orders having such events, which can be fewer
    than the number (an order called back twice in the month counts twice). With roll_up=True the
    unit's whole subtree is included; unit_id=None means every unit (the city's figure).
    """
    as_of = _check(box, month, as_of)
    if metric not in METRICS:
        raise DomainError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}", field="metric")
    start, end = month_bounds(month)
    path = _path(start, as_of)
    units = None if unit_id is None else sorted(unit_subtree_ids(unit_id)) if roll_up else [unit_id]
    q = _Sql()
    if metric in TENURE_METRICS:
        tenure = _tenure_sql(q, path, box=box, start=start, end=end, as_of=as_of, unit_ids=units)
        sql, params = q.finish(f"SELECT d.order_id FROM ({tenure}) d WHERE d.{metric} = 1")
    else:
        events = _events_sql(q, path, box=box, start=start, end=end, as_of=as_of, unit_ids=units)
        sql, params = q.finish(f"SELECT ev.order_id FROM ({events}) ev WHERE {EVENT_RULES[metric].sql(q, 'ev')}")
    # Computed once: without statistics PostgreSQL may otherwise re-run the aggregate for every order row.
    materialized = "MATERIALIZED " if path.vendor == "postgresql" else ""
    sql = f"WITH ids AS {materialized}({sql}) SELECT ids.order_id FROM ids"
    return WorkOrder.objects.filter(pk__in=RawSQL(sql, params))


def roll_up_metrics(metrics: Mapping[int, UnitMonthMetrics],
                    parent_of: Mapping[int, int | None]) -> dict[int, UnitMonthMetrics]:
    """Sum each unit's metrics into its top-level accountable unit (follow parent_of to the root)."""
    out: dict[int, UnitMonthMetrics] = {}
    for uid, m in metrics.items():
        top = top_unit(uid, parent_of)
        out[top] = out[top].plus(m) if top in out else replace(m, unit_id=top)
    return dict(sorted(out.items()))


roll_up = roll_up_metrics  # the name the assessment brief uses


def top_unit(unit_id: int, parent_of: Mapping[int, int | None]) -> int:
    seen = {unit_id}
    while (parent := parent_of.get(unit_id)) is not None:
        if parent in seen:
            raise ValueError(f"unit hierarchy has a cycle through unit {parent}")
        seen.add(parent)
        unit_id = parent
    return unit_id


def floor_sql(box: str, month: dt.date) -> tuple[str, list[Any]]:
    """The plain GROUP BY over the month's events of one box: the bench's lower bound for timing.

    On SQLite it names the covering index: left to itself, SQLite's planner (once ANALYZE has run)
    prefers a skip-scan of the (unit, kind, at) index with a table lookup per row, 3-4x slower."""
    _check(box, month, None)
    start, end = month_bounds(month)
    hint = f" INDEXED BY {WINDOW_INDEX}" if connection.vendor == "sqlite" else ""
    q = _Sql()
    return q.finish(
        f"SELECT e.unit_id, e.kind, COUNT(*) FROM {EV} e{hint} WHERE e.box = {q.p(box)}"
        f" AND e.at >= {q.p(start)} AND e.at < {q.p(end)} GROUP BY e.unit_id, e.kind"
    )


# Fills the denormalized columns of events written without them (same statements as migration 0002).
_BACKFILL = {
    "sqlite": (
        f"UPDATE {EV} SET box = (SELECT o.box FROM {WO} o WHERE o.id = {EV}.order_id),"
        " on_time = CASE WHEN kind IN ('reply', 'rectify') THEN"
        " CASE json_type(data, '$.on_time') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END END,"
        " result = CASE WHEN kind = 'callback' THEN json_extract(data, '$.result') END,"
        " method = CASE WHEN kind = 'callback' THEN json_extract(data, '$.method') END"
        " WHERE box IS NULL"
    ),
    "postgresql": (
        f"UPDATE {EV} e SET box = o.box,"
        " on_time = CASE WHEN e.kind IN ('reply', 'rectify') AND jsonb_typeof(e.data -> 'on_time') = 'boolean'"
        " THEN (e.data ->> 'on_time')::boolean END,"
        " result = CASE WHEN e.kind = 'callback' THEN e.data ->> 'result' END,"
        " method = CASE WHEN e.kind = 'callback' THEN e.data ->> 'method' END"
        f" FROM {WO} o WHERE o.id = e.order_id AND e.box IS NULL"
    ),
}


def backfill_metric_columns() -> int:
    """Copy box/on_time/result/method into events that lack them; returns the number of rows filled.

    Only needed for events written by code that does not set the columns (see docs/metrics.md)."""
    with connection.cursor() as cursor:
        cursor.execute(_BACKFILL[connection.vendor])
        return cursor.rowcount
