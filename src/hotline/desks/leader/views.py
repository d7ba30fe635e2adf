"""领导驾驶舱: the month at a glance (charts and figures, each linking to its cases), unit ranking with
grades, special reports awaiting an instruction (批示), and the way into a leader answering day."""
from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from hotline.bulletin.dashboard import LeaderMonth, leader_month, month_rankings
from hotline.bulletin.period import BulletinError, Month, rate_text
from hotline.desks.access import desk_view
from hotline.desks.charts import Series, rate_line, stacked_bars
from hotline.desks.leader.forms import InstructForm
from hotline.workorders.models import SpecialReport
from hotline.workorders.reports import awaiting_instruction, instruct
from hotline.workorders.services import DomainError

RANKED_ROWS = 6  # per group and tier: the head of the table; the whole table is in the assessment pages


def _month(request: HttpRequest) -> Month:
    if request.GET.get("month"):
        return Month.parse(request.GET["month"])
    today = timezone.localdate()
    return Month(today.year, today.month)


def cases_url(month: Month, figure: str, key: str = "", box: str = "hotline") -> str:
    query = {"month": str(month), "box": box, "figure": figure} | ({"key": key} if key else {})
    return f"{_figure_cases_path()}?{urlencode(query)}"


@functools.cache
def _figure_cases_path() -> str:
    return reverse("figure_cases")


def _charts(data: LeaderMonth) -> dict[str, Any]:
    m = data.month
    labels = [str(day.day) for day, _ in data.days]
    series = [Series(name, [counts.get(code, 0) for _, counts in data.days],
                     [cases_url(m, "day", f"{day.isoformat()}/{code}" if code else day.isoformat())
                      for day, _ in data.days])
              for code, name in data.channels]
    volume = stacked_bars(labels, series, title=f"{m.label}每日受理量（按渠道）")
    trend = rate_line([(f"{p.month}月", rate, cases_url(p, "callback")) for p, rate, _ in data.trend],
                      title="近 12 个月回访满意率")
    return {"volume_chart": volume, "trend_chart": trend}


def _tiles(data: LeaderMonth) -> list[tuple[str, Any, str, str]]:
    m, sat = data.month, data.satisfaction
    return [
        ("受理总量", data.received, cases_url(m, "received"), ""),
        ("直接答复", data.answered, cases_url(m, "answered_directly"), ""),
        ("派发工单", data.dispatched, cases_url(m, "dispatched"), ""),
        ("超期未办结", data.overdue, cases_url(m, "overdue"), "red" if data.overdue else ""),
        ("本月督办", data.supervised, cases_url(m, "supervised"), "amber" if data.supervised else ""),
        ("回访满意率", rate_text(sat["satisfaction_rate"]), cases_url(m, "callback"), ""),
        ("不满意", sat["unsatisfied"], cases_url(m, "callback", "unsatisfied"), ""),
        ("领导接听日", data.leader_day, cases_url(m, "tag", "leader_day"), ""),
    ]


def _ranking(month: Month) -> dict[str, Any] | None:
    ranked = month_rankings(month)
    if ranked is None:
        return None
    buckets = []
    for b in ranked.buckets:
        rows = [(r.get("rank") or "—", r["unit"], cases_url(month, "unit", str(r["unit_id"])),
                 r.get(ranked.score_column) or "—", r.get("grade") or "—") for r in b.rows[:RANKED_ROWS]]
        buckets.append({"label": b.group_label + (f" {b.tier} 档" if b.tier else ""), "rows": rows,
                        "more": max(len(b.rows) - RANKED_ROWS, 0)})
    return {"summary": ranked.summary, "buckets": buckets, "status": ranked.status}


def _render(request: HttpRequest, month: Month, *, bound: tuple[int, InstructForm] | None = None,
            status: int = 200) -> HttpResponse:
    data = leader_month(month)
    reports = list(awaiting_instruction(request.user))  # type: ignore[arg-type]
    forms = {r.pk: (bound[1] if bound and bound[0] == r.pk else InstructForm()) for r in reports}
    return render(request, "desks/leader/desk.html", {
        "month": month, "prev": month.previous(), "next": month.next(), "data": data, "tiles": _tiles(data),
        "ranking": _ranking(month), "reports": [(r, forms[r.pk]) for r in reports],
        "top_categories": [(r, cases_url(month, "subject", str(r["key"]))) for r in data.top_categories],
        "hot_items": [(r, cases_url(month, "hot_subject", str(r["key"]))) for r in data.hot_items],
        **_charts(data),
    }, status=status)


@desk_view("leader")
def desk(request: HttpRequest) -> HttpResponse:
    try:
        month = _month(request)
    except BulletinError as exc:
        messages.error(request, exc.message)
        return redirect("desks:leader")
    return _render(request, month)


@desk_view("leader")
def instruct_report(request: HttpRequest, report_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("desks:leader")
    user: Any = request.user
    report = SpecialReport.objects.filter(pk=report_id, to_leader=user).select_related("order").first()
    if report is None:
        raise Http404("专报不存在或未报送给您")
    form = InstructForm(request.POST)
    if form.is_valid():
        try:
            instruct(report=report, actor=request.user, text=form.cleaned_data["instruction"])  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error("instruction" if exc.field == "instruction" else None, exc.message)
        else:
            messages.success(request, f"已批示：{report.order.number}")
            return redirect("desks:leader")
    return _render(request, _month(request), bound=(report.pk, form), status=400)
