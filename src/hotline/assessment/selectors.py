"""Reads of the assessment app, scoped to the asking user.

Published tables are visible to every active staff user, unit handlers included (the rankings
are sent to every unit). Drafts are visible to hotline staff only. The cases behind a number
are shown to hotline staff, and to a unit handler for their own unit only.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import QuerySet

from hotline.assessment.definition import SchemeDef
from hotline.assessment.models import AssessmentRun, LedgerEntry, RunStatus
from hotline.assessment.engine import ScoredTable
from hotline.assessment.services import PERCENT_SOURCES, AssessmentError, compiled, table_payload
from hotline.directory.models import Role, Unit, User
from hotline.workorders.selectors import CITYWIDE_ROLES, unit_subtree_ids


def is_hotline_staff(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role in CITYWIDE_ROLES)


def visible_runs(user: User) -> QuerySet[AssessmentRun]:
    qs = AssessmentRun.objects.all()
    if not user.is_active:
        return qs.none()
    if is_hotline_staff(user):
        return qs
    if user.role == Role.UNIT_HANDLER:
        return qs.filter(status=RunStatus.PUBLISHED)
    return qs.none()


def get_visible_run(user: User, *, run_id: int) -> AssessmentRun | None:
    return visible_runs(user).select_related("scheme").filter(pk=run_id).first()


def latest_run(*, scheme_name: str, month: dt.date, published_only: bool = False) -> AssessmentRun | None:
    qs = AssessmentRun.objects.filter(scheme_name=scheme_name, month=month)
    if published_only:
        qs = qs.filter(status=RunStatus.PUBLISHED)
    return qs.select_related("scheme").order_by("-version").first()


def run_rows(run: AssessmentRun) -> list[dict[str, Any]]:
    """The stored table as dicts (column -> text), with unit_id."""
    cols = run.outputs["columns"]
    return [{"unit_id": r["unit_id"], **dict(zip(cols, r["cells"]))} for r in run.outputs["rows"]]


# --- rankings, grade counts, top lists (for the bulletin) ---------------------------------------

@dataclass
class Bucket:
    group: str
    group_label: str
    tier: str | None
    rows: list[dict[str, Any]]  # ranked rows first (by rank), then the unscored
    top: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Rankings:
    scheme: str
    month: dt.date | None
    version: int
    status: str
    score_column: str
    buckets: list[Bucket]
    grade_counts: dict[str, int]  # per grade, plus "none" for units with zero volume
    units: int
    summary: str  # e.g. "A 类 58 个，B 类 2 个，C 类 1 个，D 类及以下 2 个，工单量为 0 的 16 个"


def rankings(run: AssessmentRun) -> Rankings:
    """Group and tier membership, ranks, grade counts and top lists of a stored run."""
    return build_rankings(compiled(run.scheme), inputs=run.inputs, outputs=run.outputs, month=run.month,
                          version=run.version, status=run.status)


def table_rankings(table: ScoredTable, *, month: dt.date | None = None) -> Rankings:
    """The same for a table scored from a file (`hotline assess score`)."""
    inputs, outputs = table_payload(table)
    return build_rankings(table.scheme, inputs=inputs, outputs=outputs, month=month, version=0, status="")


def build_rankings(sdef: SchemeDef, *, inputs: list[dict[str, Any]], outputs: dict[str, Any],
                   month: dt.date | None, version: int, status: str) -> Rankings:
    cols = outputs["columns"]
    rows = [{"unit_id": r["unit_id"], **dict(zip(cols, r["cells"]))} for r in outputs["rows"]]
    values = {(i["unit_id"], i["unit"], i["group"]): i["values"] for i in inputs}
    buckets: dict[tuple[str, str | None], Bucket] = {}
    for row in rows:
        tier = row.get("tier") or None
        key = (row["group"], tier)
        if key not in buckets:
            buckets[key] = Bucket(row["group"], sdef.groups.get(row["group"], row["group"]), tier, [])
        buckets[key].rows.append(row)
    for bucket in buckets.values():
        bucket.rows.sort(key=lambda r: (r.get("rank") in (None, ""), int(r.get("rank") or 0), r["unit"]))
        floor = sdef.top_floors.get(bucket.group)
        eligible = [
            r for r in bucket.rows if r.get("rank") not in (None, "")
            and (floor is None or Fraction(values[(r["unit_id"], r["unit"], r["group"])][sdef.top_input]) >= floor)
        ]
        bucket.top = eligible[: sdef.top_size]
    counts = {band.label: 0 for band in sdef.grades}
    counts["none"] = 0
    for row in rows:
        if row[sdef.score.name] == "":
            counts["none"] += 1
        elif row.get("grade"):
            counts[row["grade"]] += 1
    group_pos = {g: i for i, g in enumerate(sdef.groups)}
    ordered = sorted(buckets.values(), key=lambda b: (group_pos.get(b.group, 99), b.tier or ""))
    return Rankings(
        scheme=sdef.name, month=month, version=version, status=status, score_column=sdef.score.name,
        buckets=ordered, grade_counts=counts, units=len(rows), summary=grade_summary(sdef, counts),
    )


def grade_summary(sdef: SchemeDef, counts: dict[str, int]) -> str:
    """The bulletin's sentence: the scheme's grade_summary buckets, then the zero-volume count."""
    parts = [f"{label} {sum(counts.get(g, 0) for g in grades)} 个" for label, grades in sdef.grade_summary]
    noun = "信件" if sdef.box == "mailbox" else "工单"
    parts.append(f"{noun}量为 0 的 {counts.get('none', 0)} 个")
    return "，".join(parts)


# --- drill-down --------------------------------------------------------------------------------

@dataclass
class Explanation:
    scheme: str
    month: dt.date
    unit_id: int
    unit: str
    input: str
    value: str | None
    as_of: dt.datetime | None
    sources: list[dict[str, Any]]  # [{"metric": name, "cases": [numbers]}]
    ledger: list[dict[str, Any]]
    # For per-order counts, whether the cases found still add up to the stored value (None: not checkable).
    # False only if events were later inserted with earlier timestamps (e.g. a backdated import).
    consistent: bool | None = None


def may_explain(user: User, unit_id: int) -> bool:
    if is_hotline_staff(user):
        return True
    if user.is_active and user.role == Role.UNIT_HANDLER and user.unit_id:
        return unit_id in unit_subtree_ids(user.unit_id)
    return False


def explain(*, sdef: SchemeDef, month: dt.date, unit: Unit, input_name: str, as_of: dt.datetime | None,
            value: str | None = None) -> Explanation:
    """The cases (or ledger entries) behind one input of one unit; access is checked by the caller."""
    from hotline.workorders.metrics import TENURE_METRICS, metric_cases

    if input_name not in sdef.input_names:
        raise AssessmentError(f"方案 {sdef.name} 没有输入项 {input_name}；可选：{', '.join(sdef.input_names)}",
                              field="input")
    spec = sdef.input(input_name)
    sources, ledger = [], []
    if spec.ledger is not None:
        entries = (LedgerEntry.objects.filter(month=month, box=sdef.box, scheme_name__in=["", sdef.name],
                                              indicator__in=spec.ledger.indicators,
                                              unit_id__in=unit_subtree_ids(unit.pk))
                   .select_related("unit", "entered_by").order_by("id"))
        ledger = [ledger_row(e) for e in entries]
    else:
        metrics = PERCENT_SOURCES.get(str(spec.metric), (str(spec.metric),))
        for metric in metrics:
            qs = metric_cases(box=sdef.box, month=month, unit_id=unit.pk, metric=metric, as_of=as_of, roll_up=True)
            sources.append({"metric": metric, "cases": sorted(qs.values_list("number", flat=True))})
    consistent = None
    if value is not None and len(sources) == 1 and sources[0]["metric"] in TENURE_METRICS:
        consistent = len(sources[0]["cases"]) == int(value)
    return Explanation(sdef.name, month, unit.pk, unit.name, input_name, value, as_of, sources, ledger, consistent)


def explain_run(*, user: User, run: AssessmentRun, unit_id: int, input_name: str) -> Explanation | None:
    """Drill-down into a stored run; None when the user may not see this unit's cases or the unit is not in it."""
    if not may_explain(user, unit_id):
        return None
    record = next((i for i in run.inputs if i["unit_id"] == unit_id), None)
    if record is None:
        return None
    unit = Unit.objects.get(pk=unit_id)
    return explain(sdef=compiled(run.scheme), month=run.month, unit=unit, input_name=input_name, as_of=run.as_of,
                   value=record["values"].get(input_name))


def ledger_row(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "id": entry.pk, "unit": entry.unit.name, "unit_id": entry.unit_id, "month": entry.month.strftime("%Y-%m"),
        "indicator": entry.indicator, "points": str(entry.points), "reason": entry.reason,
        "case_numbers": list(entry.case_numbers), "rule": entry.rule,
        "entered_by": entry.entered_by.username if entry.entered_by else None,
        "entered_at": entry.entered_at.isoformat(), "reverses": entry.reverses_id,
    }


EXEMPT_PREFIX = "豁免："  # the reason of a reversal made by an exemption (assessment.records, ledger.sync_rule)


def ledger_report(*, sdef: SchemeDef, month: dt.date, as_of: dt.datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """Entries in force for a scheme's month, split into deductions (附件3) and additions (附件4).

    With as_of (e.g. a run's published_at) the ledger is read as it stood then."""
    qs = LedgerEntry.objects.filter(month=month, box=sdef.box, scheme_name__in=["", sdef.name])
    if as_of is not None:
        qs = qs.filter(entered_at__lte=as_of)
    entries = list(qs.select_related("unit", "entered_by").order_by("unit__code", "id"))
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    in_force = [e for e in entries if e.reverses_id is None and e.pk not in reversed_ids]
    by_id = {e.pk: e for e in entries}
    # Exemptions are listed apart: the automatic entry that an exemption cancelled, with its reason.
    exempted = [dict(ledger_row(by_id[e.reverses_id]), exemption=e.reason.removeprefix(EXEMPT_PREFIX))
                for e in entries if e.reverses_id in by_id and e.rule and e.reason.startswith(EXEMPT_PREFIX)]
    return {
        "deductions": [ledger_row(e) for e in in_force if e.points < 0],
        "additions": [ledger_row(e) for e in in_force if e.points > 0],
        "exemptions": exempted,
    }


# --- leader answering days ---------------------------------------------------------------------

LEADER_TAG = "leader_day"
SESSION_HOURS = {"am": (0, 12), "pm": (12, 24), "day": (0, 24)}


@dataclass(frozen=True)
class LeaderDayCases:
    calls: list[str]  # case numbers taken in the session
    supervised: list[str]  # of those and of the leader's own supervisions that day, the supervised cases


def leader_day_window(day: Any) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a session: the morning until noon, the afternoon from noon, or the whole day."""
    from django.utils import timezone

    lo, hi = SESSION_HOURS[day.session]
    midnight = timezone.make_aware(dt.datetime.combine(day.date, dt.time.min))
    return midnight + dt.timedelta(hours=lo), midnight + dt.timedelta(hours=hi)


def leader_day_cases(*, day: Any, box: str | None = None) -> LeaderDayCases:
    """The calls of a leader answering day: cases tagged 领导接听日 received in the session (taken by the
    leader's account when the record names one), and the cases supervised in it (those calls that were
    supervised, and whatever the leader's account supervised during the session)."""
    from hotline.workorders.models import Event, WorkOrder

    start, end = leader_day_window(day)
    orders = WorkOrder.objects.filter(tags__code=LEADER_TAG, received_at__gte=start, received_at__lt=end)
    if box:
        orders = orders.filter(box=box)
    if day.leader_user_id:
        orders = orders.filter(events__kind="create", events__actor_id=day.leader_user_id)
    calls = dict(orders.order_by("number").values_list("id", "number"))
    supervised = set(Event.objects.filter(kind="supervise", order_id__in=list(calls)).values_list("order__number",
                                                                                                   flat=True))
    if day.leader_user_id:
        supervised |= set(Event.objects.filter(kind="supervise", actor_id=day.leader_user_id, at__gte=start,
                                               at__lt=end).values_list("order__number", flat=True))
    return LeaderDayCases(calls=sorted(set(calls.values())), supervised=sorted(supervised))


def leader_days(*, month: dt.date) -> list[dict[str, Any]]:
    """The month's leader answering days with their calls and supervised cases (for the bulletin's 领导接听日)."""
    from hotline.assessment.models import LeaderDay
    from hotline.workorders.metrics import month_bounds

    start, end = month_bounds(month)
    rows = []
    for day in LeaderDay.objects.filter(date__gte=start.date(), date__lt=end.date()).select_related("unit") \
            .order_by("date", "session", "id"):
        got = leader_day_cases(day=day)
        rows.append({"leader": day.leader, "title": day.title, "unit": day.unit.name, "date": day.date.isoformat(),
                     "day": f"{day.date.month}月{day.date.day}日",
                     "session": day.get_session_display(), "calls": len(got.calls),
                     "supervised": len(got.supervised), "cases": got.calls})
    return rows
