"""The case panel shared by the 承办台, 审核台 and 回访台: the case's facts, phone reveal, one form per action."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hotline.desks.audit import audit_case
from hotline.workorders.forms import ActionForm, forms_for
from hotline.workorders.models import WorkOrder
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
