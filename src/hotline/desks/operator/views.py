"""受理台: take a call on one screen. Reads via scoped selectors, the write via workorders.intake.take_call."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hotline.desks.access import desk_view
from hotline.desks.audit import audit_list, audit_steps
from hotline.desks.operator.forms import IntakeForm
from hotline.directory.models import Channel, Role, User
from hotline.directory.selectors import category_children, intake_placement
from hotline.intelligence.selectors import model_ready, suggest_categories
from hotline.knowledge.services import take_call_with_knowledge
from hotline.workorders.intake import KnowledgeUse
from hotline.workorders.models import Status, WorkOrder
from hotline.workorders.selectors import caller_history, duplicate_candidates, mask_phone, visible_orders
from hotline.workorders.services import DomainError

# A service error's field -> the form field it is shown next to (None: above the form).
ERROR_FIELDS = {"unit": "unit", "answer": "answer", "repeat_of": None, "outcome": None}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@desk_view("operator")
def desk(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if form.is_valid():
            try:
                order = _take(user, form)
            except DomainError as exc:
                form.add_error(ERROR_FIELDS.get(exc.field or "", None), exc.message)
            else:
                audit_steps(request, events=order.events.order_by("seq"), desk="operator")
                return redirect(f"{request.path}?saved={order.number}")
        status = 400
        hints = _hints(user, request.POST)
        _audit_hints(request, hints)
    else:
        phone = Channel.objects.filter(code="phone").first()
        form = IntakeForm(initial={"channel": phone})
        status = 200
        hints = {"asked": False}
    return render(request, "desks/operator/desk.html", {
        "form": form, "saved": _saved(user, request.GET.get("saved", "")), "leader_day": user.role == Role.LEADER,
        "category_model": model_ready("category"), **hints,
    }, status=status)


def _take(user: User, form: IntakeForm) -> WorkOrder:
    d = form.cleaned_data
    return take_call_with_knowledge(
        actor=user, fields=form.work_order_fields(), outcome=d["outcome"], unit_id=d.get("unit"),
        answer=d.get("answer", ""), repeat_of=d.get("repeat_of", "").strip(),
        knowledge=KnowledgeUse(article_id=d.get("kb_article"), query=d.get("kb_query", ""),
                               missing=bool(d.get("kb_missing"))),
    )


def _saved(user: User, number: str) -> dict[str, str] | None:
    """The banner after saving: the new number and what became of the call."""
    order = visible_orders(user).select_related("unit", "merged_into").filter(number=number[:32]).first() \
        if number else None
    if order is None:
        return None
    if order.status == Status.ANSWERED:
        text = "已直接答复办结"
    elif order.status == Status.MERGED and order.merged_into:
        text = f"已记为重复来电，并入 {order.merged_into.number}"
    elif order.unit:
        text = f"已受理并派单至{order.unit.name}"
    else:
        text = "已受理，待派单"
    return {"number": order.number, "text": text}


def _hints(user: User, params: Any) -> dict[str, Any]:
    phone = str(params.get("citizen_phone", ""))[:32]
    region = str(params.get("region", ""))
    content = str(params.get("content", ""))[:4000]
    return {
        "history": caller_history(user, phone=phone),
        "duplicates": duplicate_candidates(
            user, phone=phone, content=content, region_id=int(region) if region.isdigit() else None,
        ),
        "masked": mask_phone(phone.strip()), "asked": bool(phone.strip() or content.strip()),
    }


@desk_view("operator")
def hints(request: HttpRequest) -> HttpResponse:
    """htmx: the caller's cases of the last 12 months and the duplicate hints for what is typed so far."""
    hints_ = _hints(_user(request), request.GET)
    _audit_hints(request, hints_)
    return render(request, "desks/operator/hints.html", hints_)


def _audit_hints(request: HttpRequest, hints_: dict[str, Any]) -> None:
    shown = [*hints_["history"]["open"], *hints_["history"]["earlier"], *(o for o, _ in hints_["duplicates"])]
    audit_list(request, orders=shown, desk="operator")


@desk_view("operator")
def categories(request: HttpRequest) -> HttpResponse:
    """htmx: the second-level categories of the chosen first-level one, as <option>s."""
    parent = request.GET.get("category_parent", "")
    children = category_children(int(parent)) if parent.isdigit() else []
    return render(request, "desks/operator/category_options.html", {"children": children})


@desk_view("operator")
def suggestions(request: HttpRequest) -> HttpResponse:
    """htmx: the top-3 categories the model suggests for the title and content typed so far."""
    title = str(request.GET.get("title", ""))[:200]
    content = str(request.GET.get("content", ""))[:4000]
    region = str(request.GET.get("region", ""))
    asked = bool((title + content).strip())
    top = suggest_categories(title=title, content=content, address=str(request.GET.get("address", ""))[:200],
                             region_id=int(region) if region.isdigit() else None) if asked else []
    placed = intake_placement([s.pk for s in top])
    return render(request, "intelligence/_category_suggestions.html", {
        "trained": model_ready("category"), "asked": asked,
        "suggestions": [(s, placed.get(s.pk)) for s in top],  # (suggestion, where "采用" puts it or None)
    })
