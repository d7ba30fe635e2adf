"""派单台: the queue of new and returned cases, oldest first, with the rule table's suggested unit.
Reads via scoped selectors; writes via hotline.workorders.dispatching."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hotline.desks.access import desk_view
from hotline.desks.audit import audit_case, audit_list, audit_steps
from hotline.desks.dispatch.forms import BulkDispatchForm, DispatchOneForm, QueueFilterForm
from hotline.directory.models import User
from hotline.directory.selectors import suggest_unit, suggest_units
from hotline.intelligence.selectors import model_ready, suggest_units_for
from hotline.workorders.dispatching import DispatchItem, DispatchResult, dispatch_many, dispatch_one
from hotline.workorders.models import Status
from hotline.workorders.selectors import (
    DISPUTED_BOUNCES, Bounces, bounces_of, citizen_view, dispatch_queue, return_history, visible_orders,
)

PAGE_SIZE = 30


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@desk_view("dispatch")
def desk(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    filters = QueueFilterForm(request.GET or None)
    bulk = BulkDispatchForm(request.POST if request.method == "POST" else None)
    results: list[DispatchResult] = []
    if request.method == "POST" and bulk.is_valid():
        results = _bulk_dispatch(user, bulk)
        audit_steps(request, events=[r.event for r in results], desk="dispatch")
    page = Paginator(dispatch_queue(user, **filters.queue_kwargs()), PAGE_SIZE).get_page(request.GET.get("page"))
    orders = list(page.object_list)
    audit_list(request, orders=orders, desk="dispatch")
    suggested = suggest_units(orders)
    bounces = bounces_of([o.pk for o in orders])
    learnt = suggest_units_for(orders)  # one batch for the page: the model's top 3 next to the rule's unit
    rows = [{"order": o, "suggested": suggested.get(o.pk), "bounces": bounces.get(o.pk, Bounces(0)),
             "citizen": citizen_view(user, o), "learnt": learnt.get(o.pk, [])} for o in orders]
    status = 400 if request.method == "POST" and not bulk.is_valid() else 200
    return render(request, "desks/dispatch/desk.html", {
        "filters": filters, "bulk": bulk, "results": results, "page": page, "rows": rows,
        "ok_count": sum(r.ok for r in results), "disputed_at": DISPUTED_BOUNCES, "unit_model": model_ready("unit"),
    }, status=status)


def _bulk_dispatch(user: User, bulk: BulkDispatchForm) -> list[DispatchResult]:
    picked = bulk.picked()
    unit_id = bulk.cleaned_data.get("unit")
    suggested: dict[str, Any] = {}
    if unit_id is None:  # each case to its suggested unit
        orders = list(visible_orders(user).filter(number__in=[n for n, _ in picked]))
        by_id = suggest_units(orders)
        suggested = {o.number: by_id[o.pk].pk for o in orders if o.pk in by_id}
    items = [DispatchItem(number=n, unit_id=unit_id or suggested.get(n), version=v) for n, v in picked]
    return dispatch_many(actor=user, items=items, reason=bulk.cleaned_data.get("reason", ""))


@desk_view("dispatch")
def case(request: HttpRequest, number: str) -> HttpResponse:
    """One case: its appeal, the returns with their reasons, and the (re-)dispatch form."""
    user = _user(request)
    order = visible_orders(user).select_related("channel", "category", "region", "unit", "appeal_type") \
        .filter(number=number).first()
    if order is None:
        raise Http404("工单不存在或无权查看")
    waiting = order.status in (Status.NEW, Status.RETURNED)
    suggested = suggest_unit(order)
    learnt = suggest_units_for([order])[order.pk]
    if request.method == "POST" and waiting:
        form = DispatchOneForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            result = dispatch_one(actor=user, item=DispatchItem(number, d["unit"], d["version"]), reason=d["reason"])
            audit_steps(request, events=[result.event], desk="dispatch")
            if result.ok:
                messages.success(request, f"{number} {result.message}")
                return redirect("desks:dispatch")
            form.add_error(result.field if result.field in ("unit", "reason") else None, result.message)
    else:
        form = DispatchOneForm(initial={"unit": suggested.pk if suggested else None, "version": order.version})
    audit_case(request, order=order, desk="dispatch")
    history = return_history(user, order=order)
    bounces = sum(1 for e in history if e.kind == "return")
    return render(request, "desks/dispatch/case.html", {
        "order": order, "form": form, "waiting": waiting, "suggested": suggested, "history": history,
        "learnt": learnt, "unit_model": model_ready("unit"),
        "bounces": bounces, "disputed": bounces >= DISPUTED_BOUNCES, "citizen": citizen_view(user, order),
    }, status=400 if form.errors else 200)
