"""审核台: replies awaiting review (the appeal and the reply side by side) and pending extension requests."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.desks.access import desk_view
from hotline.desks.audit import audit_list
from hotline.desks.panel import act_on_case, case_panel
from hotline.workorders.forms import REVIEW_FORMS, ActionForm
from hotline.workorders.models import Action, WorkOrder
from hotline.workorders.selectors import (
    PANEL_RELATED, REVIEW_TABS, count_steps, page_of_orders, countdowns, extended_deadline, latest_step, review_queue,
    review_tab_counts, step_attachments, visible_orders,
)

PAGE_SIZE = 30
REPLY_KINDS = (Action.REPLY, Action.RECTIFY)


def _review(request: HttpRequest, order: WorkOrder, bound: ActionForm | None) -> dict[str, Any]:
    """The panel plus what the reviewer weighs: the reply (and its files) or the extension request."""
    user: Any = request.user
    reply = latest_step(user, order=order, kinds=REPLY_KINDS)
    request_ = latest_step(user, order=order, kinds=(Action.REQUEST_EXTENSION,)) if order.extension_pending else None
    days = int(request_.data.get("days") or 0) if request_ else 0
    panel = case_panel(request, order, bound=bound, act_url="desks:review_act", only=tuple(REVIEW_FORMS),
                       initial={Action.APPROVE_EXTENSION: {"days": days}} if days else None)
    panel.update(
        reply=reply, reply_files=step_attachments(reply),
        reworks=count_steps(user, order=order, kind=Action.REWORK),
        extension=request_, extension_days=days,
        extension_deadline=extended_deadline(order, days=days) if days else None,
    )
    return panel


def _page(request: HttpRequest, *, bound: ActionForm | None = None, number: str = "",
          status: int = 200) -> HttpResponse:
    user: Any = request.user
    tab = request.GET.get("tab", "replies")
    tab = tab if tab in REVIEW_TABS else "replies"
    q = request.GET.get("q", "").strip()[:40]
    page = page_of_orders(review_queue(user, tab=tab, q=q), number=request.GET.get("page"), size=PAGE_SIZE)
    rows = list(page.object_list)
    audit_list(request, orders=rows, desk="review")
    left = countdowns(rows)
    counts = review_tab_counts(user)
    number = number or request.GET.get("case", "")
    order = visible_orders(user).select_related(*PANEL_RELATED).filter(number=number).first() if number else None
    return render(request, "desks/review/desk.html", {
        "tabs": [(slug, label, counts[slug]) for slug, (label, _) in REVIEW_TABS.items()],
        "tab": tab, "q": q, "page": page, "rows": [(o, left[o.pk]) for o in rows],
        "panel": _review(request, order, bound) if order else None,
        "missing_case": bool(number) and order is None,
    }, status=status)


@desk_view("review")
def desk(request: HttpRequest) -> HttpResponse:
    return _page(request)


@desk_view("review")
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    # Decided: on to the next one.
    return act_on_case(request, number=number, action=action, desk_url="desks:review", forms=REVIEW_FORMS,
                       orders=visible_orders(request.user), page=_page, missing="工单不存在")  # type: ignore[arg-type]
