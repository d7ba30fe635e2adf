"""Writes of the assessment app: scheme versions, monthly runs and publishing.

Ledger writes live in ledger.py. The case-history metrics come from
hotline.workorders.metrics, imported inside functions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hotline.assessment.definition import SHIPPED, DefinitionError, SchemeDef, compile_definition, shipped_definition
from hotline.assessment.engine import InputError, ScoredTable, UnitInput, check_row, input_text, score_table
from hotline.assessment.models import AssessmentRun, RunStatus, Scheme
from hotline.directory.models import Unit, User


class AssessmentError(ValueError):
    """A request the assessment rules refuse; `field` names the offending input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- schemes -----------------------------------------------------------------------------------

def install_shipped_schemes() -> list[Scheme]:
    """Create version 1 of every shipped scheme whose name is not in the database yet (idempotent)."""
    created = []
    for name in SHIPPED:
        if not Scheme.objects.filter(name=name).exists():
            definition = shipped_definition(name)
            compile_definition(definition)
            created.append(Scheme.objects.create(
                name=name, version=1, title=definition.get("title", ""), definition=definition,
                note="随产品发布的方案",
            ))
    return created


def get_scheme(name: str, version: int | None = None) -> Scheme:
    """The latest (or the given) version of a scheme; shipped schemes are installed on first use."""
    if name in SHIPPED:
        install_shipped_schemes()
    qs = Scheme.objects.filter(name=name)
    scheme = (qs.filter(version=version) if version else qs.order_by("-version")).first()
    if scheme is None:
        known = sorted(set(Scheme.objects.values_list("name", flat=True)) | set(SHIPPED))
        what = f"{name} v{version}" if version else name
        raise AssessmentError(f"没有考核方案 {what}；已有：{', '.join(known)}", field="scheme")
    return scheme


def compiled(scheme: Scheme) -> SchemeDef:
    try:
        return compile_definition(scheme.definition)
    except DefinitionError as exc:
        raise AssessmentError(f"方案 {scheme} 的定义有误：{exc}", field="definition") from None


def create_scheme(*, name: str, definition: dict[str, Any], actor: User | None, note: str = "") -> Scheme:
    """A brand-new scheme (version 1) from a definition written by an administrator."""
    name = name.strip()
    if not name:
        raise AssessmentError("方案名称不能为空", field="name")
    data = dict(definition, name=name)
    try:
        compile_definition(data)
    except DefinitionError as exc:
        raise AssessmentError(f"方案定义有误：{exc}", field="definition") from None
    with transaction.atomic():
        if Scheme.objects.filter(name=name).exists():
            raise AssessmentError(f"已有名为 {name} 的方案；请复制为新版本", field="name")
        return Scheme.objects.create(name=name, version=1, title=data.get("title", ""), definition=data,
                                     created_by=actor, note=note)


def free_name(base: str) -> str:
    """`base`, or `base-2`, `base-3`… whichever no scheme uses yet."""
    name, n = base, 1
    while Scheme.objects.filter(name=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def copy_scheme(*, scheme: Scheme, actor: User | None, new_name: str | None = None,
                definition: dict[str, Any] | None = None, note: str = "") -> Scheme:
    """A new version of the same scheme, or (with new_name) version 1 of a new scheme, from `scheme`."""
    data = json.loads(json.dumps(definition if definition is not None else scheme.definition))
    name = (new_name or scheme.name).strip()
    if not name:
        raise AssessmentError("方案名称不能为空", field="name")
    data["name"] = name
    try:
        compile_definition(data)
    except DefinitionError as exc:
        raise AssessmentError(f"方案定义有误：{exc}", field="definition") from None
    with transaction.atomic():
        if new_name and Scheme.objects.filter(name=name).exists():
            raise AssessmentError(f"已有名为 {name} 的方案；请复制为新版本", field="name")
        last = Scheme.objects.select_for_update().filter(name=name).aggregate(v=Max("version"))["v"] or 0
        return Scheme.objects.create(
            name=name, version=last + 1, title=data.get("title", ""), definition=data, created_by=actor,
            copied_from=scheme, note=note or f"复制自 {scheme}",
        )


def update_scheme(*, scheme: Scheme, definition: dict[str, Any], actor: User | None) -> Scheme:
    """Edit a version that no run has used yet; a used (frozen) version must be copied instead."""
    if scheme.frozen:
        raise AssessmentError("该版本已被考核使用，已冻结；请复制为新版本后修改", field="definition")
    data = dict(definition, name=scheme.name)
    try:
        compile_definition(data)
    except DefinitionError as exc:
        raise AssessmentError(f"方案定义有误：{exc}", field="definition") from None
    scheme.definition = data
    scheme.title = data.get("title", "")
    scheme.save(update_fields=["definition", "title"])
    return scheme


# --- monthly runs ------------------------------------------------------------------------------

PERCENT_SOURCES = {
    "system_satisfaction": ("system_satisfied", "system_callbacks"),
    "spot_check_satisfaction": ("spot_satisfied", "spot_callbacks"),
}


def parse_month(text: str) -> dt.date:
    try:
        value = dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise AssessmentError(f"月份应为 YYYY-MM，实际为“{text}”", field="month") from None
    return value


def scheme_units(sdef: SchemeDef) -> list[Unit]:
    """The accountable (top-level, active) units of the scheme's city in the scheme's groups."""
    qs = Unit.objects.filter(parent__isnull=True, active=True, group__in=list(sdef.groups))
    if sdef.city:
        qs = qs.filter(city=sdef.city)
    return list(qs.order_by("code"))


def month_inputs(*, sdef: SchemeDef, month: dt.date, as_of: dt.datetime | None) -> list[UnitInput]:
    """Every accountable unit's inputs for the month: case-history metrics rolled up, plus ledger points."""
    from hotline.assessment.ledger import ledger_points
    from hotline.workorders.metrics import UnitMonthMetrics, unit_month_metrics

    metrics = unit_month_metrics(box=sdef.box, month=month, as_of=as_of, roll_up=True)
    units = scheme_units(sdef)
    points = ledger_points(sdef=sdef, month=month, unit_ids=[u.pk for u in units])
    items = []
    for unit in units:
        m = metrics.get(unit.pk) or UnitMonthMetrics(unit_id=unit.pk)
        values: dict[str, Fraction] = {}
        for spec in sdef.inputs:
            if spec.ledger is not None:
                assert spec.lo is not None and spec.hi is not None
                values[spec.name] = min(max(spec.ledger.start + points[unit.pk].get(spec.name, Fraction(0)),
                                            spec.lo), spec.hi)
            else:
                raw = getattr(m, str(spec.metric))
                values[spec.name] = Fraction(raw) if isinstance(raw, (int, Decimal)) else Fraction(str(raw))
        item = UnitInput(unit=unit.name, group=unit.group, values=values, unit_id=unit.pk)
        try:
            check_row(sdef, item)
        except InputError as exc:
            raise AssessmentError(f"单位 {unit.name} 的月度数据不一致：{exc}", field=exc.column) from None
        items.append(item)
    return items


def _canonical(payload: Any) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def table_payload(table: ScoredTable) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The stored inputs and outputs of a scored table, as plain JSON (all numbers as text)."""
    sdef = table.scheme
    inputs = [
        {"unit_id": r.unit_id, "unit": r.unit, "group": r.group,
         "values": {n: input_text(r.inputs[n]) for n in sdef.input_names}}
        for r in table.rows
    ]
    outputs = {
        "columns": table.columns,
        "rows": [{"unit_id": r.unit_id, "cells": table.cells(r)} for r in table.rows],
    }
    return inputs, outputs


def content_hash(*, scheme: Scheme, month: dt.date, inputs: Any, outputs: Any) -> str:
    payload = {"scheme": scheme.name, "scheme_version": scheme.version, "month": month.strftime("%Y-%m"),
               "inputs": inputs, "outputs": outputs}
    return hashlib.sha256(_canonical(payload)).hexdigest()


def table_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """Per unit and column, what changed from `old` outputs to `new` outputs."""
    if old is None:
        return []
    def index(outputs: dict[str, Any]) -> dict[Any, dict[str, str]]:
        cols = outputs["columns"]
        return {(r["unit_id"], r["cells"][0], r["cells"][1]): dict(zip(cols, r["cells"])) for r in outputs["rows"]}
    before, after = index(old), index(new)
    changes: list[dict[str, Any]] = []
    for key in [*before, *(k for k in after if k not in before)]:
        b, a = before.get(key), after.get(key)
        unit, group = key[1], key[2]
        if b is None or a is None:
            changes.append({"unit": unit, "group": group, "column": "*", "old": None if b is None else "present",
                            "new": None if a is None else "present"})
            continue
        for col in dict.fromkeys([*b, *a]):
            if b.get(col) != a.get(col):
                changes.append({"unit": unit, "group": group, "column": col, "old": b.get(col), "new": a.get(col)})
    return changes


@dataclass(frozen=True)
class RunResult:
    run: AssessmentRun
    created: bool
    published_now: bool


def run_month(*, scheme: str, month: dt.date, as_of: dt.datetime | None = None, actor: User | None = None,
              publish: bool = False) -> AssessmentRun:
    """Compute, store (or reuse) and optionally publish a month; see compute_month for the details."""
    return compute_month(scheme=scheme, month=month, as_of=as_of, actor=actor, publish=publish).run


def compute_month(*, scheme: str, month: dt.date, as_of: dt.datetime | None = None, actor: User | None = None,
                  publish: bool = False) -> RunResult:
    """Score a month from the case history and the ledger with the scheme's latest version.

    Identical content (same scheme version, inputs and outputs) is never stored twice: the latest
    version is returned instead. Different content makes a new version with a per-cell diff against
    the latest published version (or, if none, the latest version). Published versions never change.
    """
    from hotline.assessment.ledger import apply_automatic_rules, apply_grade_penalties
    from hotline.workorders.metrics import default_cutoff

    if month.day != 1:
        raise AssessmentError("月份须为当月 1 日", field="month")
    if as_of is not None and timezone.is_naive(as_of):
        raise AssessmentError("as_of 须带时区", field="as_of")
    from hotline.workorders.runs import month_gaps

    gaps = month_gaps(month)
    if gaps:  # ranking units on part of a month would be wrong, not just imprecise
        raise AssessmentError(f"{month:%Y-%m} 的工单数据不完整，不予考核：{gaps[0]}。"
                              "请重新运行中断的导入（同一命令）补齐后再考核", field="month")
    scheme_row = get_scheme(scheme)
    sdef = compiled(scheme_row)
    # A cut-off still in the future is read as "now": the run records the moment its data was read,
    # so its drill-down shows the cases as they were then, and later events make a new version.
    cutoff = min(as_of or default_cutoff(month), timezone.now())
    with transaction.atomic():
        Scheme.objects.select_for_update().filter(pk=scheme_row.pk).first()
        apply_automatic_rules(sdef=sdef, month=month, as_of=cutoff)
        try:
            table = score_table(sdef, month_inputs(sdef=sdef, month=month, as_of=cutoff))
        except InputError as exc:
            raise AssessmentError(str(exc), field=exc.column) from None
        inputs, outputs = table_payload(table)
        digest = content_hash(scheme=scheme_row, month=month, inputs=inputs, outputs=outputs)
        runs = AssessmentRun.objects.filter(scheme_name=scheme_row.name, month=month)
        latest = runs.order_by("-version").first()
        if latest is not None and latest.content_hash == digest:
            published_now = publish and latest.status == RunStatus.DRAFT
            if published_now:
                _publish(latest, actor=actor)
                apply_grade_penalties(run=latest, actor=actor)
            return RunResult(latest, created=False, published_now=published_now)
        base = runs.filter(status=RunStatus.PUBLISHED).order_by("-version").first() or latest
        run = AssessmentRun(
            scheme=scheme_row, scheme_name=scheme_row.name, scheme_version=scheme_row.version, month=month,
            version=(latest.version + 1) if latest else 1, as_of=cutoff, inputs=inputs, outputs=outputs,
            content_hash=digest, diff=table_diff(base.outputs if base else None, outputs), compared_to=base,
            created_by=actor,
        )
        if publish:
            run.status, run.published_by, run.published_at = RunStatus.PUBLISHED, actor, timezone.now()
        run.save(force_insert=True)
        if not scheme_row.frozen:
            scheme_row.frozen = True
            scheme_row.save(update_fields=["frozen"])
        if publish:
            apply_grade_penalties(run=run, actor=actor)
    return RunResult(run, created=True, published_now=publish)


def _publish(run: AssessmentRun, *, actor: User | None) -> None:
    run.status, run.published_by, run.published_at = RunStatus.PUBLISHED, actor, timezone.now()
    run.save(update_fields=["status", "published_by", "published_at"])


def publish_run(*, run: AssessmentRun, actor: User | None) -> AssessmentRun:
    """Freeze a draft. Only the latest version of a month can be published."""
    from hotline.assessment.ledger import apply_grade_penalties

    with transaction.atomic():
        locked = AssessmentRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == RunStatus.PUBLISHED:
            raise AssessmentError("该版本已发布", field="status")
        newer = AssessmentRun.objects.filter(scheme_name=locked.scheme_name, month=locked.month,
                                             version__gt=locked.version).exists()
        if newer:
            raise AssessmentError("已有更新的版本，只能发布最新版本", field="version")
        _publish(locked, actor=actor)
        apply_grade_penalties(run=locked, actor=actor)
    return locked
