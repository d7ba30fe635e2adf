"""All figures of one bulletin (month + style) as plain JSON: numbers as int, rates as '99.61' text.

环比 (month on month) compares with the previous month's frozen bulletin of the same style when
one is published, otherwise with the previous month computed now from the case history.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hotline.bulletin import problems, selectors, sources
from hotline.bulletin.period import CENT, Month

FIGURES_VERSION = 1
CHANGE_COUNTS = ("received", "answered_directly", "dispatched", "due", "done", "on_time")
CHANGE_RATES = ("answered_rate", "closure_rate", "on_time_rate", "satisfaction_rate")


def jsonable(value: Any) -> Any:
    """Decimals become text (exact); floats are refused so that nothing binary leaks into a frozen record."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        raise TypeError("binary float in bulletin figures")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def change(current: dict[str, Any], previous: dict[str, Any] | None, source: str) -> dict[str, Any]:
    """Per headline figure: previous value and the change (counts in %, rates in percentage points)."""
    out: dict[str, Any] = {}
    for key in (*CHANGE_COUNTS, *CHANGE_RATES):
        cur = current.get(key)
        prev = (previous or {}).get(key)
        kind = "rate" if key in CHANGE_RATES else "count"
        delta: Decimal | None = None
        if cur is not None and prev is not None:
            if kind == "rate":
                delta = (Decimal(cur) - Decimal(prev)).quantize(CENT, rounding=ROUND_HALF_UP)
            elif Decimal(prev) != 0:
                delta = ((Decimal(cur) - Decimal(prev)) * 100 / Decimal(prev)).quantize(CENT, rounding=ROUND_HALF_UP)
        out[key] = {"kind": kind, "current": cur, "previous": prev, "delta": delta, "source": source}
    return out


def previous_headlines(style_key: str, month: Month) -> tuple[dict[str, Any] | None, str]:
    """The previous month's headlines per scope from its latest frozen bulletin, if one is published."""
    from hotline.bulletin.models import PublishedBulletin

    frozen = (PublishedBulletin.objects.filter(style=style_key, month=month.previous().first_day)
              .order_by("-version").first())
    if frozen is None:
        return None, "computed"
    scopes = frozen.figures.get("scopes", {})
    return {name: scope.get("headline") for name, scope in scopes.items()}, f"published:{frozen.pk}"


def computed_previous(month: Month, boxes: list[str]) -> tuple[dict[str, Any] | None, str]:
    """The previous month's headline computed from the cases, or (None, why) when that month's data is
    missing or incomplete (an interrupted import, or only the cases a simulation of this month carried
    over): a percentage against part of a month would be false, so none is printed."""
    from hotline.workorders.runs import month_status

    status, _ = month_status(month.previous().first_day, boxes)
    if status != "complete":
        return None, status
    return jsonable(selectors.headline(month.previous(), boxes)), "computed"


def scope_figures(style: dict[str, Any], month: Month, boxes: list[str], as_of: dt.datetime) -> dict[str, Any]:
    cube = selectors.month_cube(month, boxes, as_of=as_of)  # one scan of the month for all breakdowns
    figures: dict[str, Any] = {
        "boxes": boxes,
        "headline": selectors.headline(month, boxes, as_of=as_of, cube=cube),
        "channels": selectors.by_channel(month, boxes, as_of=as_of, cube=cube),
        "counties": selectors.by_county(month, boxes, as_of=as_of, cube=cube),
        "appeal_types": selectors.by_appeal_type(month, boxes, as_of=as_of, cube=cube),
        "subjects": selectors.by_subject(month, boxes, as_of=as_of, cube=cube),
        "hot_subjects": selectors.hot_subjects(month, boxes, as_of=as_of, cube=cube),
        "hot_topics": selectors.hot_topics(month, boxes, as_of=as_of),
        "surges": selectors.subject_surges(month, boxes, as_of=as_of, cube=cube),
        "special_lines": [selectors.special_line(month, boxes, tag, as_of=as_of) for tag in style["special_lines"]],
        "callbacks": selectors.callback_figures(month, boxes),
    }
    if "leader_day" in style["special_lines"]:
        figures["leader_days"] = sources.leader_day_figures(month.first_day)
    if style.get("campaign"):
        figures["campaign"] = selectors.campaign(month, boxes, style["campaign"], as_of=as_of)
    return figures


def compute_figures(*, style: dict[str, Any], month: Month, as_of: dt.datetime | None = None,
                    issued_on: dt.date | None = None, run_ids: dict[str, int] | None = None) -> dict[str, Any]:
    """Everything the bulletin prints, computed from the cases (and the assessment runs) as of the cut-off."""
    end = selectors.cutoff(month, as_of)
    issued = issued_on or dt.date.today()
    scopes = {name: scope_figures(style, month, boxes, end) for name, boxes in style["scopes"].items()}
    previous, source = previous_headlines(style["key"], month)
    for name, scope in scopes.items():
        prev = (previous or {}).get(name) if previous is not None else None
        scope_source = source
        if previous is None:
            prev, scope_source = computed_previous(month, scope["boxes"])
        scope["change"] = change(jsonable(scope["headline"]), prev, scope_source)
    assessment: dict[str, Any] = {}
    for name, conf in style.get("assessment", {}).items():
        assessment[name] = sources.assessment_figures(
            scheme=conf["scheme"], label=conf["label"], month=month.first_day,
            run_id=(run_ids or {}).get(name), weak_checks=conf.get("weak", []),
        )
    ledger = sources.ledger_figures(runs=list(assessment.values()), month=month.first_day)
    assessment.update(ledger)
    conf = style.get("problems", {})
    all_boxes = sorted({b for boxes in style["scopes"].values() for b in boxes})
    found = {
        "overdue": problems.seriously_overdue(month, all_boxes, as_of=end,
                                              working_days=conf.get("serious_overdue_working_days", 5)),
        "bounced": problems.bounced(month, all_boxes, as_of=end, threshold=conf.get("bounce_threshold", 3)),
        "rejected": problems.rejected_replies(month, all_boxes, as_of=end),
        "low_grades": [row for scheme in assessment.values() if isinstance(scheme, dict) and "low" in scheme
                       for row in scheme["low"]],
        "knowledge": sources.knowledge_figures(ledger, month=month.first_day, as_of=end),
    }
    figures = {
        "version": FIGURES_VERSION,
        "meta": {"month_key": str(month), "year": month.year, "month": month.month, "label": month.label,
                 "as_of": end.isoformat(), "issued_on": f"{issued.year}年{issued.month}月{issued.day}日",
                 "issued_date": issued.isoformat(), "style": style["key"]},
        **{name: scope for name, scope in scopes.items()},
        "scopes": {name: {"boxes": scope["boxes"], "headline": scope["headline"]} for name, scope in scopes.items()},
        "assessment": assessment,
        "problems": found,
    }
    return jsonable(figures)


def used_runs(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [scope["run"] for scope in figures["assessment"].values()
            if isinstance(scope, dict) and scope.get("run")]
