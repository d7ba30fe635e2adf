"""The case panel shared by the 承办台, 审核台 and 回访台: the case's facts, phone reveal, one form per action."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from hotline.audit.services import client_ip

from hotline.desks.audit import audit_case
from hotline.workorders.forms import ActionForm, forms_for
from hotline.workorders.models import Action, WorkOrder
from hotline.workorders.rules import allowed_actions
from hotline.workorders.selectors import case_history, citizen_view, countdowns, may_reveal_phone


def case_panel(request: HttpRequest, order: WorkOrder, *, bound: ActionForm | None, act_url: str,
               only: tuple[str, ...] | None = None, history: int = 6,
               initial: dict[str, dict[str, Any]] | None = None, desk: str = "") -> dict[str, Any]:
    """Template context of the panel (its opening audited). `only` limits the forms to the actions this
    desk is for."""
    user: Any = request.user
    audit_case(request, order=order, desk=desk or act_url.split(":")[-1].removesuffix("_act"))
    actions = [a for a in allowed_actions(order.status, user.role) if only is None or a in only]
    return {
        "order": order,
        "citizen": citizen_view(user, order),
        "can_reveal": may_reveal_phone(user, order),
        "countdown": countdowns([order])[order.pk],
        "history": case_history(user, order=order, last=history),
        "forms": forms_for(order, actions, bound=bound, initial=initial),
        "open_first": bound is None,  # after a refused submit only that form is open
        "act_url": act_url,
        "query": request.GET.urlencode(),
    }


def act_on_case(request: HttpRequest, *, number: str, action: str, desk_url: str, orders: QuerySet[WorkOrder],
                forms: dict[str, type[ActionForm]], page: Callable[..., HttpResponse], missing: str,
                done: str = "", stay: bool = False) -> HttpResponse:
    """POST of one action's form from a desk's case panel. Refused: the desk page again with the form's
    errors (400). Done: back to the desk, with the case still open (`stay`) or on to the next one."""
    if request.method != "POST":  # a link followed from a page shown after a refused form: back to the desk
        return redirect(f"{reverse(desk_url)}?{request.GET.urlencode()}")
    order = orders.filter(number=number).first()
    form_class = forms.get(action)
    if order is None or form_class is None:
        raise Http404(missing)
    form = form_class(request.POST, request.FILES, prefix=action)
    if not form.perform(order=order, actor=request.user, ip=client_ip(request)):  # type: ignore[arg-type]
        return page(request, bound=form, number=number, status=400)
    messages.success(request, f"{number}：{done or '已' + Action(action).label}")
    query = request.GET.copy()
    if stay:
        query["case"] = number
    else:
        query.pop("case", None)
    return redirect(f"{reverse(desk_url)}?{query.urlencode()}")
