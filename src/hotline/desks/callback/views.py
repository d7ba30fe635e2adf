"""回访台: cases awaiting callback, retries of unreachable citizens, the month's spot-check sample."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hotline.desks.access import desk_view
from hotline.desks.audit import audit_list
from hotline.desks.panel import act_on_case, case_panel
from hotline.workorders.forms import CALLBACK_FORMS, ActionForm
from hotline.workorders.models import Action, CallbackResult
from hotline.workorders.sampling import draw_callback_sample
from hotline.workorders.selectors import (
    CALLBACK_TABS, PANEL_RELATED, callback_queue, callback_tab_counts, latest_step, sample_progress,
    step_attachments, visible_orders,
)
from hotline.workorders.services import DomainError

PAGE_SIZE = 30


def _month(request: HttpRequest) -> dt.date:
    """?month=YYYY-MM, else this month."""
    raw = request.GET.get("month", "")
    try:
        day = dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        day = timezone.localdate()
    return day.replace(day=1)


def _page(request: HttpRequest, *, bound: ActionForm | None = None, number: str = "",
          status: int = 200) -> HttpResponse:
    user: Any = request.user
    tab = request.GET.get("tab", "waiting")
    tab = tab if tab in CALLBACK_TABS else "waiting"
    q, month = request.GET.get("q", "").strip()[:40], _month(request)
    page = Paginator(callback_queue(user, tab=tab, q=q, month=month), PAGE_SIZE).get_page(request.GET.get("page"))
    for o in page.object_list:
        last: Any = getattr(o, "last_result", None)  # annotated by callback_queue
        setattr(o, "last_result_label", CallbackResult(last).label if last in CallbackResult.values else "")
    audit_list(request, orders=page.object_list, desk="callback")
    counts = callback_tab_counts(user, month=month)
    number = number or request.GET.get("case", "")
    order = visible_orders(user).select_related(*PANEL_RELATED).filter(number=number).first() if number else None
    panel = None
    if order is not None:
        panel = case_panel(request, order, bound=bound, act_url="desks:callback_act", only=tuple(CALLBACK_FORMS))
        reply = latest_step(user, order=order, kinds=(Action.REPLY, Action.RECTIFY))
        panel.update(reply=reply, reply_files=step_attachments(reply))
    total, done = sample_progress(user, month=month)
    return render(request, "desks/callback/desk.html", {
        "tabs": [(slug, label, counts[slug]) for slug, (label, _) in CALLBACK_TABS.items()],
        "tab": tab, "q": q, "month": month, "page": page, "panel": panel,
        "missing_case": bool(number) and order is None, "sample_total": total, "sample_done": done,
    }, status=status)


@desk_view("callback")
def desk(request: HttpRequest) -> HttpResponse:
    return _page(request)


@desk_view("callback")
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    return act_on_case(request, number=number, action=action, desk_url="desks:callback", forms=CALLBACK_FORMS,
                       orders=visible_orders(request.user), page=_page, missing="工单不存在",  # type: ignore[arg-type]
                       done="已记录回访")


@desk_view("callback")
@require_POST
def draw(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    try:
        added = draw_callback_sample(month=month, actor=request.user)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{month:%Y年%m月}抽查样本：新增 {added} 件")
    return redirect(f"{reverse('desks:callback')}?tab=sample&month={month:%Y-%m}")
