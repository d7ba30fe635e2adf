"""Pages of the intelligence app shown inside the desks: the hot-topic and surge panel (loaded by htmx on
the supervisor's and the leader's desks) and the list of one topic's cases. Reads only, via selectors."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hotline.intelligence.selectors import cached_hot_topics, cached_surge_alerts, may_see_hotspots

TOPICS = 10
TOPIC_CASES = 300  # a topic page lists this many cases at most (the count says how many there are)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", {"reason": "热点与突增预警仅限督办员、领导使用。"}, status=403)


def _month(raw: str) -> tuple[dt.date, dt.date] | None:
    """(first, last day) of "YYYY-MM"; the current month when empty; None when malformed."""
    if not raw:
        today = timezone.localdate()
        raw = f"{today.year:04d}-{today.month:02d}"
    try:
        first = dt.date.fromisoformat(f"{raw[:7]}-01") if len(raw) == 7 else None
    except ValueError:
        return None
    if first is None:
        return None
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


@login_required
def hotspots(request: HttpRequest) -> HttpResponse:
    """htmx panel: the month's hot topics (each linking to its cases) and the month's surge alerts."""
    user: Any = request.user
    if not may_see_hotspots(user):
        return _forbidden(request)
    raw = request.GET.get("month", "")
    period = _month(raw)
    if period is None:
        return render(request, "intelligence/_hotspots_panel.html", {"error": "月份格式应为 YYYY-MM"}, status=400)
    first, last = period
    until = min(last, timezone.localdate())
    topics = cached_hot_topics(user, start=first, end=last, limit=TOPICS)
    alerts = cached_surge_alerts(user, first=first, day=until) if until >= first else []
    return render(request, "intelligence/_hotspots_panel.html", {
        "month": f"{first:%Y-%m}", "topics": topics, "alerts": sorted(alerts, key=lambda a: (a.day, -a.count),
                                                                          reverse=True),
    })


@login_required
def topic(request: HttpRequest) -> HttpResponse:
    """The cases of one hot topic of a month (by its name), as the user may see them."""
    from hotline.workorders.selectors import visible_orders

    user: Any = request.user
    if not may_see_hotspots(user):
        return _forbidden(request)
    period = _month(request.GET.get("month", ""))
    name = request.GET.get("topic", "")[:200]
    if period is None:
        return render(request, "400.html", {"reason": "月份格式应为 YYYY-MM"}, status=400)
    topics = cached_hot_topics(user, start=period[0], end=period[1], limit=TOPICS)
    found = next((t for t in topics if t.name == name), None)
    orders = []
    if found is not None:
        orders = list(visible_orders(user).filter(number__in=found.numbers[:TOPIC_CASES])
                      .select_related("unit", "region", "category").order_by("-received_at"))
    return render(request, "intelligence/topic.html", {
        "month": f"{period[0]:%Y-%m}", "name": name, "topic": found, "orders": orders,
    }, status=200 if found else 404)
