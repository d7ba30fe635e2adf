"""承办台: the unit's inbox by working-day countdown, and a case panel with one form per action."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.desks.access import desk_view
from hotline.desks.audit import audit_list
from hotline.desks.panel import act_on_case, case_panel
from hotline.workorders.forms import UNIT_FORMS, ActionForm
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
    return act_on_case(request, number=number, action=action, desk_url="desks:unit", forms=UNIT_FORMS,
                       orders=handler_orders(request.user), page=_page,  # type: ignore[arg-type]
                       missing="工单不存在或不属于本单位", stay=True)
