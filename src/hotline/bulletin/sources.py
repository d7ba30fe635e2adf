"""The assessment's results as the bulletin uses them: the only module that reads the assessment app.

It goes through the assessment's public reads (latest_run, rankings, run_rows, ledger_report,
compiled scheme definitions) and turns them into plain JSON for the figures. A month with no
run gives empty sections, never an error; publishing requires published runs (services).
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

FIXED_LABELS = {"unit": "单位", "group": "分组", "grade": "等级", "tier": "档次", "rank": "排名"}
WEAK_DEFAULT: list[dict[str, str]] = []


def _latest(scheme: str, month: dt.date) -> Any:
    from hotline.assessment.selectors import latest_run

    return latest_run(scheme_name=scheme, month=month, published_only=True) or latest_run(
        scheme_name=scheme, month=month)


def run_for(scheme: str, month: dt.date, run_id: int | None = None) -> Any:
    """The run a bulletin uses: the given one, else the latest published version, else the latest draft."""
    from hotline.assessment.models import AssessmentRun

    if run_id is not None:
        return AssessmentRun.objects.select_related("scheme").filter(pk=run_id).first()
    return _latest(scheme, month)


def _labels(sdef: Any) -> dict[str, str]:
    labels = dict(FIXED_LABELS)
    labels.update({i.name: i.label for i in sdef.inputs})
    labels.update({f.name: f.label for f in (*sdef.rates, *sdef.parts, sdef.score)})
    return labels


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def weak_indicators(rows: list[dict[str, Any]], checks: list[dict[str, str]]) -> dict[Any, list[str]]:
    """Per unit id: the checked indicators on which the unit did worse than the mean of the scored units."""
    means = {}
    for check in checks:
        values = [Decimal(r[check["column"]]) for r in rows if r.get(check["column"]) not in (None, "")]
        means[check["column"]] = _mean(values)
    weak: dict[Any, list[str]] = {}
    for row in rows:
        for check in checks:
            raw, mean = row.get(check["column"]), means[check["column"]]
            if raw in (None, "") or mean is None:
                continue
            value = Decimal(raw)
            worse = value < mean if check.get("better", "higher") == "higher" else value > mean
            if worse:
                weak.setdefault(row["unit_id"], []).append(f"{check['label']}{value:.2f}%（平均{mean:.2f}%）")
    return weak


def assessment_figures(*, scheme: str, label: str, month: dt.date, run_id: int | None = None,
                       weak_checks: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """One scheme's month: the run used, column labels, rows by group/tier, grade counts, top lists."""
    from hotline.assessment.selectors import rankings, run_rows
    from hotline.assessment.services import compiled

    empty: dict[str, Any] = {"run": None, "label": label, "scheme": scheme, "columns": [], "rows": [],
                             "grade_counts": [], "top": [], "units": 0, "low": []}
    run = run_for(scheme, month, run_id)
    if run is None:
        return empty
    sdef = compiled(run.scheme)
    ranks = rankings(run)
    values = {(i["unit_id"], i["unit"], i["group"]): i["values"] for i in run.inputs}
    flat = run_rows(run)
    labels = _labels(sdef)
    columns = ["unit", *sdef.input_names, *[c for c in run.outputs["columns"] if c not in ("unit", "group")]]
    rows = []
    for bucket in ranks.buckets:
        for row in bucket.rows:
            cells = {**values.get((row["unit_id"], row["unit"], row["group"]), {}), **row}
            rows.append({"unit_id": row["unit_id"], "group": bucket.group, "group_label": bucket.group_label,
                         "tier": bucket.tier, "cells": {c: str(cells.get(c, "")) for c in columns}})
    grade_counts = [{"label": glabel.replace(" ", ""), "count": sum(ranks.grade_counts.get(g, 0) for g in grades)}
                    for glabel, grades in sdef.grade_summary]
    if sdef.grade_summary:
        noun = "信件量" if sdef.box == "mailbox" else "工单量"
        grade_counts.append({"label": f"{noun}为0", "count": ranks.grade_counts.get("none", 0)})
    top = [{"group": b.group, "label": b.group_label + (f"（{b.tier}档）" if b.tier else ""),
            "units": [{"unit": r["unit"], "score": r[ranks.score_column], "rank": r.get("rank", "")} for r in b.top]}
           for b in ranks.buckets if b.top]
    order = [band.label for band in sdef.grades]
    weak = weak_indicators(flat, weak_checks or WEAK_DEFAULT)
    low = [
        {"unit": r["unit"], "unit_id": r["unit_id"], "grade": r["grade"], "score": r[ranks.score_column],
         "scheme_label": label, "weak": "；".join(weak.get(r["unit_id"], [])) or "综合得分偏低"}
        for r in flat if r.get("grade") in order[1:]
    ]
    low.sort(key=lambda r: (order.index(r["grade"]), Decimal(r["score"] or 0), r["unit"]))
    return {
        "run": {"id": run.pk, "scheme": run.scheme_name, "version": run.version, "status": run.status,
                "published": run.status == "published", "as_of": run.as_of.isoformat()},
        "label": label, "scheme": scheme, "columns": [{"key": c, "label": labels.get(c, c)} for c in columns],
        "rows": rows, "grade_counts": grade_counts, "top": top, "units": ranks.units, "low": low,
    }


def ledger_figures(*, runs: list[dict[str, Any]], month: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Ledger entries in force for the month of each scheme used (as they stood when a run was published)."""
    from hotline.assessment.models import AssessmentRun
    from hotline.assessment.selectors import ledger_report
    from hotline.assessment.services import compiled, get_scheme

    minus: list[dict[str, Any]] = []
    plus: list[dict[str, Any]] = []
    exempt: list[dict[str, Any]] = []
    seen: set[int] = set()
    for item in runs:
        run = AssessmentRun.objects.filter(pk=item["run"]["id"]).select_related("scheme").first() \
            if item.get("run") else None
        sdef = compiled(run.scheme if run else get_scheme(item["scheme"]))
        report = ledger_report(sdef=sdef, month=month, as_of=run.published_at if run else None)
        for target, entries in ((minus, report["deductions"]), (plus, report["additions"])):
            for e in entries:
                if e["id"] not in seen:
                    seen.add(e["id"])
                    target.append({"unit": e["unit"], "indicator": e["indicator"], "points": e["points"],
                                   "reason": e["reason"], "cases": e["case_numbers"], "id": e["id"],
                                   "rule": e["rule"]})
        for e in report.get("exemptions", []):
            if e["id"] not in seen:
                seen.add(e["id"])
                exempt.append({"unit": e["unit"], "indicator": e["indicator"], "points": e["points"],
                               "reason": f"{e['reason']}；豁免理由：{e['exemption']}", "cases": e["case_numbers"],
                               "id": e["id"], "rule": e["rule"], "exempt": True})
    return {"ledger_minus": minus, "ledger_plus": plus, "ledger": sorted(minus + plus, key=lambda e: e["id"]),
            "ledger_exempt": exempt}


def knowledge_figures(ledger: dict[str, list[dict[str, Any]]], *, month: dt.date,
                      as_of: dt.datetime) -> dict[str, Any]:
    """The knowledge-base section: the ledger's 知识库 entries (units with stale knowledge), plus the
    knowledge base's own month figures (direct answers citing an article, gaps, duty compliance per unit)."""
    from hotline.knowledge.selectors import month_figures

    entries = [e for e in ledger["ledger"] if "知识库" in e["indicator"]]
    return {**month_figures(month=month, as_of=as_of), "source": "knowledge", "entries": entries}


def leader_day_figures(month: dt.date) -> list[dict[str, Any]]:
    """The month's leader answering days (who, when, calls taken, cases supervised), from their records."""
    from hotline.assessment.selectors import leader_days

    return leader_days(month=month)
