"""督办台: verify unsatisfied callbacks, supervise (督办) with a deadline, overdue cases across all units,
a unit's open problems, special reports (专报) to a leader. Reads via scoped selectors, writes via services."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hotline.desks.access import desk_view
from hotline.desks.audit import audit_case, audit_list, audit_steps
from hotline.desks.supervise.forms import ReportForm, SuperviseForm, VerifyForm
from hotline.directory.models import Unit
from hotline.workorders import supervision
from hotline.workorders.models import Status, WorkOrder
from hotline.workorders.reports import raise_report, recent_reports
from hotline.workorders.search import search
from hotline.workorders.selectors import citizen_view, visible_orders
from hotline.workorders.services import DomainError, transition

TABS = [("verify", "待核实"), ("supervise", "待督办"), ("supervised", "督办中"), ("overdue", "超期工单"),
        ("units", "单位问题"), ("reports", "专报"), ("hotspots", "热点预警")]
PER_PAGE = 30


def _queue(user: Any, tab: str, unit: Unit | None) -> Any:
    if tab == "verify":
        return supervision.to_verify(user)
    if tab == "supervise":
        return supervision.to_supervise(user)
    if tab == "supervised":
        return supervision.under_supervision(user)
    if tab == "overdue":
        return supervision.overdue_open(user)
    if tab == "units" and unit is not None:
        return supervision.unit_problems(user, unit=unit)
    return None


def _unit(request: HttpRequest) -> Unit | None:
    raw = request.GET.get("unit", "")
    return Unit.objects.filter(pk=int(raw)).first() if raw.isdigit() else None


@desk_view("supervise")
def desk(request: HttpRequest) -> HttpResponse:
    user = request.user
    tab = request.GET.get("tab", "verify")
    tab = tab if tab in dict(TABS) else "verify"
    q = request.GET.get("q", "").strip()
    unit = _unit(request) if tab == "units" else None
    context: dict[str, Any] = {"tabs": TABS, "tab": tab, "q": q, "unit": unit,
                               "counts": supervision.counts(user)}  # type: ignore[arg-type]
    queue = _queue(user, tab, unit)
    if queue is not None:
        # Deferred join: sort and count the ids (index-only), then load the page's 30 rows with their joins.
        ids = search(queue, user=user, q=q).values_list("pk", flat=True)  # type: ignore[arg-type]
        page = Paginator(ids, PER_PAGE).get_page(request.GET.get("page"))
        loaded = {o.pk: o for o in supervision.with_joins(WorkOrder.objects.filter(pk__in=list(page)))}
        context["page"] = page
        audit_list(request, orders=[loaded[pk] for pk in page if pk in loaded], desk="supervise")
        context["rows"] = [(loaded[pk], citizen_view(user, loaded[pk])) for pk in page if pk in loaded]  # type: ignore[arg-type]
    if tab == "units":
        context["glance"] = supervision.units_at_a_glance(user)  # type: ignore[arg-type]
        context["units"] = _unit_groups()
    if tab == "reports":
        context["reports"] = recent_reports()
    return render(request, "desks/supervise/desk.html", context)


def _unit_groups() -> list[tuple[str, list[Unit]]]:
    units = list(Unit.objects.filter(active=True).order_by("group", "code"))
    return [(label, [u for u in units if u.group == code]) for code, label in Unit.Group.choices]


# --- one case: the supervisor's actions ----------------------------------------------------------

ACTIONS = {"verify": VerifyForm, "supervise": SuperviseForm, "report": ReportForm}
SUPERVISABLE = (Status.UNSATISFIED, Status.DISPATCHED, Status.ACCEPTED)


def _forms(order: WorkOrder, bound: tuple[str, forms.Form] | None) -> dict[str, forms.Form]:
    initial = {"version": order.version}
    shown: dict[str, forms.Form] = {}
    if order.status == Status.VERIFYING:
        shown["verify"] = VerifyForm(initial=initial)
    if order.status in SUPERVISABLE:
        shown["supervise"] = SuperviseForm(initial=initial)
    shown["report"] = ReportForm(initial=initial)
    if bound is not None:
        shown[bound[0]] = bound[1]
    return shown


def _apply(request: HttpRequest, action: str, form: forms.Form, order: WorkOrder, user: Any) -> str:
    data = form.cleaned_data
    version = data["version"]
    if action == "verify":
        event = transition(order=order, action="verify", actor=user, reason=data["reason"],
                           data={"upheld": data["upheld"]}, expected_version=version)
        audit_steps(request, events=[event], desk="supervise")
        return "已核实：属实，请督办" if data["upheld"] else "已核实：不属实，工单办结"
    if action == "supervise":
        extra = {"days": data["days"]} if data.get("days") else {}
        event = transition(order=order, action="supervise", actor=user, reason=data["reason"], data=extra,
                           expected_version=version)
        audit_steps(request, events=[event], desk="supervise")
        return "已督办"
    raise_report(order=order, actor=user, leader=data["leader"], note=data["note"], expected_version=version)
    return f"已专报 {data['leader'].get_full_name() or data['leader'].username}"


@desk_view("supervise")
def case(request: HttpRequest, number: str) -> HttpResponse:
    user: Any = request.user
    order = visible_orders(user).select_related("unit", "channel", "category").filter(number=number).first()
    if order is None:
        raise Http404("工单不存在或无权查看")
    bound: tuple[str, forms.Form] | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return HttpResponse("未知操作", status=400)
        form = ACTIONS[action](request.POST)
        bound = (action, form)
        if form.is_valid():
            try:
                done = _apply(request, action, form, order, user)
            except DomainError as exc:
                field = exc.field if exc.field in form.fields and exc.field != "version" else None
                form.add_error(field, exc.message)
            else:
                messages.success(request, f"{order.number} {done}")
                return redirect("desks:supervise")
    audit_case(request, order=order, desk="supervise")
    return render(request, "desks/supervise/case.html", {
        "order": order, "citizen": citizen_view(user, order), "forms": _forms(order, bound),
        "callback": supervision.last_callback(order), "reply": supervision.last_reply(order),
        "reports": order.special_reports.select_related("to_leader", "instructed_by"),
    }, status=400 if bound else 200)
