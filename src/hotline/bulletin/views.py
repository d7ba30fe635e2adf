"""The month's figures as a page, each count a link to the cases behind it (scoped to the user)."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hotline.bulletin import selectors
from hotline.bulletin.period import BulletinError, Month
from hotline.workorders.selectors import CITYWIDE_ROLES

BOXES = {"hotline": "12345热线", "mailbox": "市长信箱"}
HEADLINE = [("received", "受理总量"), ("answered_directly", "直接答复"), ("dispatched", "派发工单"),
            ("due", "应办理"), ("done", "已办结"), ("on_time", "按期办结")]


def _box(request: HttpRequest) -> str:
    box = request.GET.get("box", "hotline")
    if box not in BOXES:
        raise BulletinError(f"业务应为 {'、'.join(BOXES)} 之一", field="box")
    return box


def _default_month() -> Month:
    today = timezone.localdate()
    return Month(today.year, today.month).previous()


@login_required
def month_figures(request: HttpRequest) -> HttpResponse:
    """Citywide staff only: the city's totals are the hotline's working figures until published."""
    user: Any = request.user
    if user.role not in CITYWIDE_ROLES and not user.is_superuser:
        raise PermissionDenied
    try:
        month = Month.parse(request.GET["month"]) if request.GET.get("month") else _default_month()
        box = _box(request)
    except BulletinError as exc:
        return render(request, "bulletin/figures.html", {"error": exc.message, "boxes": BOXES}, status=400)
    cube = selectors.month_cube(month, box)
    headline = selectors.headline(month, box, cube=cube)
    sections = [
        ("渠道", "channel", selectors.by_channel(month, box, cube=cube)),
        ("区县", "county", selectors.by_county(month, box, cube=cube)),
        ("诉求类型", "appeal_type", selectors.by_appeal_type(month, box, cube=cube)),
        ("诉求分类", "subject", selectors.by_subject(month, box, cube=cube)),
        ("热点事项", "hot_subject", selectors.hot_subjects(month, box, cube=cube)),
    ]
    return render(request, "bulletin/figures.html", {
        "month": month, "box": box, "box_label": BOXES[box], "boxes": BOXES, "sections": sections,
        "headline": [(key, label, headline[key]) for key, label in HEADLINE],
    })


@login_required
def figure_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure, as far as this user may see them (units: their own only)."""
    try:
        month = Month.parse(request.GET.get("month", ""))
        box = _box(request)
        orders = selectors.figure_orders(request.user, month=month, box=box,  # type: ignore[arg-type]
                                         figure=request.GET.get("figure", ""), key=request.GET.get("key", ""))
    except BulletinError as exc:
        return render(request, "bulletin/figure_cases.html", {"error": exc.message}, status=400)
    page = Paginator(orders.select_related("unit", "channel"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "bulletin/figure_cases.html", {
        "page": page, "month": month, "box_label": BOXES[box],
        "title": selectors.figure_title(request.GET.get("figure", ""), request.GET.get("key", "")),
    })
