"""回访台: cases awaiting callback, retries of unreachable citizens, the month's spot-check sample."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hotline.audit.services import client_ip
from hotline.desks.access import desk_view
from hotline.desks.audit import audit_list
from hotline.desks.panel import case_panel
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
    if request.method != "POST":  # a link followed from a page shown after a refused form: back to the desk
        return redirect(f"{reverse('desks:callback')}?{request.GET.urlencode()}")
    order = visible_orders(request.user).filter(number=number).first()  # type: ignore[arg-type]
    form_class = CALLBACK_FORMS.get(action)
    if order is None or form_class is None:
        raise Http404("工单不存在")
    form = form_class(request.POST, prefix=action)
    if not form.perform(order=order, actor=request.user, ip=client_ip(request)):  # type: ignore[arg-type]
        return _page(request, bound=form, number=number, status=400)
    messages.success(request, f"{number}：已记录回访")
    query = request.GET.copy()
    query.pop("case", None)
    return redirect(f"{reverse('desks:callback')}?{query.urlencode()}")


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
