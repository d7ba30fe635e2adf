"""JSON API of the assessment app (mounted by hotline/api_routes.py under /api/assessment)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from hotline.api import InputError, error_item, staff_auth
from hotline.assessment.models import AssessmentRun
from hotline.assessment.selectors import (
    explain_run, get_visible_run, is_hotline_staff, ledger_report, rankings, visible_runs,
)
from hotline.assessment.services import AssessmentError, compiled, parse_month
from hotline.directory.models import User
from hotline.workorders.schemas import ErrorOut
from hotline.workorders.selectors import unit_subtree_ids

router = Router(tags=["assessment"], auth=staff_auth)
ERRORS: dict[int, Any] = {c: ErrorOut for c in (401, 404, 422)}
NOT_FOUND = "没有该考核结果"


class RunOut(Schema):
    id: int
    scheme: str
    scheme_version: int
    month: str
    version: int
    status: str
    as_of: dt.datetime
    content_hash: str
    created_at: dt.datetime
    published_at: dt.datetime | None


class RunDetailOut(RunOut):
    columns: list[str]
    rows: list[dict[str, Any]]
    diff: list[dict[str, Any]]
    compared_to_version: int | None


class CasesOut(Schema):
    metric: str
    cases: list[str]


class ExplainOut(Schema):
    run: int
    scheme: str
    month: str
    unit_id: int
    unit: str
    input: str
    value: str | None
    as_of: dt.datetime | None
    sources: list[CasesOut]
    ledger: list[dict[str, Any]]
    consistent: bool | None


def _run_out(run: AssessmentRun) -> dict[str, Any]:
    return {
        "id": run.pk, "scheme": run.scheme_name, "scheme_version": run.scheme_version,
        "month": run.month.strftime("%Y-%m"), "version": run.version, "status": run.status, "as_of": run.as_of,
        "content_hash": run.content_hash, "created_at": run.created_at, "published_at": run.published_at,
    }


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _bad_input(exc: AssessmentError) -> InputError:
    return InputError([error_item(exc.field, exc.message)])


def _run_or_404(request: HttpRequest, run_id: int) -> AssessmentRun:
    run = get_visible_run(_user(request), run_id=run_id)
    if run is None:
        raise Http404(NOT_FOUND)
    return run


@router.get("/runs", response={200: list[RunOut], **ERRORS}, summary="月度考核结果列表")
def list_runs(request: HttpRequest, scheme: str | None = None, month: str | None = None) -> list[dict[str, Any]]:
    """Runs the user may see: published ones for everybody, drafts for hotline staff."""
    qs = visible_runs(_user(request))
    if scheme:
        qs = qs.filter(scheme_name=scheme)
    if month:
        try:
            qs = qs.filter(month=parse_month(month))
        except AssessmentError as exc:
            raise _bad_input(exc) from None
    return [_run_out(r) for r in qs.order_by("-month", "scheme_name", "-version")[:500]]


@router.get("/runs/{run_id}", response={200: RunDetailOut, **ERRORS}, summary="月度考核结果")
def run_detail(request: HttpRequest, run_id: int) -> dict[str, Any]:
    run = _run_or_404(request, run_id)
    return {
        **_run_out(run), "columns": run.outputs["columns"],
        "rows": [{"unit_id": r["unit_id"], **dict(zip(run.outputs["columns"], r["cells"]))}
                 for r in run.outputs["rows"]],
        "diff": run.diff, "compared_to_version": run.compared_to.version if run.compared_to else None,
    }


@router.get("/runs/{run_id}/rankings", response={200: dict[str, Any], **ERRORS}, summary="分组排名与等次统计")
def run_rankings(request: HttpRequest, run_id: int) -> dict[str, Any]:
    """Grade counts, ranks and top lists (the bulletin's 工单考核 section)."""
    ranks = rankings(_run_or_404(request, run_id))
    return {
        "scheme": ranks.scheme, "month": ranks.month.strftime("%Y-%m") if ranks.month else None,
        "version": ranks.version, "status": ranks.status, "units": ranks.units,
        "grade_counts": ranks.grade_counts, "summary": ranks.summary,
        "buckets": [
            {"group": b.group, "group_label": b.group_label, "tier": b.tier, "rows": b.rows, "top": b.top}
            for b in ranks.buckets
        ],
    }


@router.get("/runs/{run_id}/ledger", response={200: dict[str, Any], **ERRORS}, summary="加扣分明细")
def run_ledger(request: HttpRequest, run_id: int) -> dict[str, Any]:
    """Deductions and additions beside the score; a unit handler sees their own unit's entries only."""
    run = _run_or_404(request, run_id)
    report = ledger_report(sdef=compiled(run.scheme), month=run.month, as_of=run.published_at)
    user = _user(request)
    if not is_hotline_staff(user):
        own = unit_subtree_ids(user.unit_id) if user.unit_id else set()
        report = {k: [e for e in v if e["unit_id"] in own] for k, v in report.items()}
    return report


@router.get("/runs/{run_id}/explain", response={200: ExplainOut, **ERRORS}, summary="数据追溯")
def run_explain(request: HttpRequest, run_id: int, unit: int, input: str) -> dict[str, Any]:
    """The cases behind one input of one unit. A unit handler may ask only about their own unit (404 otherwise)."""
    run = _run_or_404(request, run_id)
    try:
        result = explain_run(user=_user(request), run=run, unit_id=unit, input_name=input)
    except AssessmentError as exc:
        raise _bad_input(exc) from None
    if result is None:
        raise Http404("没有该单位的数据")
    return {
        "run": run.pk, "scheme": result.scheme, "month": result.month.strftime("%Y-%m"), "unit_id": result.unit_id,
        "unit": result.unit, "input": result.input, "value": result.value, "as_of": result.as_of,
        "sources": result.sources, "ledger": result.ledger, "consistent": result.consistent,
    }
