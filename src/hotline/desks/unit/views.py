"""承办台: the unit's inbox by working-day countdown, and a case panel with one form per action."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from hotline.audit.services import client_ip
from hotline.desks.access import desk_view
from hotline.desks.audit import audit_list
from hotline.desks.panel import case_panel
from hotline.workorders.forms import UNIT_FORMS, ActionForm
from hotline.workorders.models import Action
from hotline.workorders.selectors import (
    PANEL_RELATED, UNIT_TABS, countdowns, handler_orders, handler_units, page_of_orders, unit_inbox,
    unit_tab_counts,
)

PAGE_SIZE = 30


def _filters(request: HttpRequest) -> dict[str, Any]:
    tab = request.GET.get("tab", "open")
    unit = request.GET.get("unit", "")
    return {
        "tab": tab if tab in UNIT_TABS else "open",
        "q": request.GET.get("q", "").strip()[:40],
        "unit": int(unit) if unit.isdigit() else None,
    }


def _page(request: HttpRequest, *, bound: ActionForm | None = None, number: str = "",
          status: int = 200) -> HttpResponse:
    user = request.user
    f = _filters(request)
    units = handler_units(user)  # type: ignore[arg-type]
    unit_id = f["unit"] if f["unit"] in {u.pk for u in units} else None
    qs = unit_inbox(user, tab=f["tab"], q=f["q"], unit_id=unit_id)  # type: ignore[arg-type]
    page = page_of_orders(qs, number=request.GET.get("page"), size=PAGE_SIZE)
    rows = list(page.object_list)
    audit_list(request, orders=rows, desk="unit")
    left = countdowns(rows)
    counts = unit_tab_counts(user)  # type: ignore[arg-type]
    number = number or request.GET.get("case", "")
    order = (handler_orders(user).select_related(*PANEL_RELATED)  # type: ignore[arg-type]
             .filter(number=number).first()) if number else None
    return render(request, "desks/unit/desk.html", {
        "tabs": [(slug, label, counts[slug]) for slug, label in UNIT_TABS.items()],
        "f": f, "units": units, "unit_id": unit_id, "page": page,
        "rows": [(o, left[o.pk]) for o in rows],
        "panel": case_panel(request, order, bound=bound, act_url="desks:unit_act") if order else None,
        "missing_case": bool(number) and order is None,
    }, status=status)


@desk_view("unit")
def desk(request: HttpRequest) -> HttpResponse:
    return _page(request)


@desk_view("unit")
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if request.method != "POST":  # a link followed from a page shown after a refused form: back to the desk
        return redirect(f"{reverse('desks:unit')}?{request.GET.urlencode()}")
    order = handler_orders(request.user).filter(number=number).first()  # type: ignore[arg-type]
    form_class = UNIT_FORMS.get(action)
    if order is None or form_class is None:
        raise Http404("工单不存在或不属于本单位")
    form = form_class(request.POST, request.FILES, prefix=action)
    if not form.perform(order=order, actor=request.user, ip=client_ip(request)):  # type: ignore[arg-type]
        return _page(request, bound=form, number=number, status=400)
    messages.success(request, f"{number}：已{Action(action).label}")
    query = request.GET.copy()
    query["case"] = number
    return redirect(f"{reverse('desks:unit')}?{query.urlencode()}")
