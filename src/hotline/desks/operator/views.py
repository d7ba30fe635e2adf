"""受理台: take a call on one screen. Reads via scoped selectors, the write via workorders.intake.take_call."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hotline.desks.access import desk_view
from hotline.desks.operator.forms import IntakeForm
from hotline.directory.models import Channel, Role, Unit, User
from hotline.directory.selectors import category_children
from hotline.workorders.intake import KnowledgeUse, Outcome, take_call
from hotline.workorders.models import WorkOrder
from hotline.workorders.selectors import caller_history, duplicate_candidates, mask_phone
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
                messages.success(request, _saved_message(order, form.cleaned_data["outcome"]))
                return redirect(f"{request.path}?saved={order.number}")
        status = 400
    else:
        phone = Channel.objects.filter(code="phone").first()
        form = IntakeForm(initial={"channel": phone})
        status = 200
    return render(request, "desks/operator/desk.html", {
        "form": form, "saved": request.GET.get("saved", "")[:32], "leader_day": user.role == Role.LEADER,
    }, status=status)


def _take(user: User, form: IntakeForm) -> WorkOrder:
    d = form.cleaned_data
    return take_call(
        actor=user, fields=form.work_order_fields(), outcome=d["outcome"], unit_id=d.get("unit"),
        answer=d.get("answer", ""), repeat_of=d.get("repeat_of", "").strip(),
        knowledge=KnowledgeUse(article_id=d.get("kb_article"), query=d.get("kb_query", ""),
                               missing=bool(d.get("kb_missing"))),
    )


def _saved_message(order: WorkOrder, outcome: str) -> str:
    if outcome == Outcome.ANSWER:
        return f"已直接答复办结：{order.number}"
    if outcome == Outcome.DISPATCH:
        unit = Unit.objects.filter(pk=order.unit_id).values_list("name", flat=True).first()
        return f"已受理并派单至{unit}：{order.number}"
    if outcome == Outcome.REPEAT:
        into = WorkOrder.objects.filter(pk=order.merged_into_id).values_list("number", flat=True).first()
        return f"已记为重复来电并入 {into}：{order.number}"
    return f"已受理，待派单：{order.number}"


@desk_view("operator")
def hints(request: HttpRequest) -> HttpResponse:
    """htmx: the caller's cases of the last 12 months and the duplicate hints for what is typed so far."""
    user = _user(request)
    phone = request.GET.get("citizen_phone", "")[:32]
    region = request.GET.get("region", "")
    content = request.GET.get("content", "")[:4000]
    history = caller_history(user, phone=phone)
    duplicates = duplicate_candidates(
        user, phone=phone, content=content, region_id=int(region) if region.isdigit() else None,
    )
    return render(request, "desks/operator/hints.html", {
        "history": history, "duplicates": duplicates, "masked": mask_phone(phone.strip()),
        "asked": bool(phone.strip() or content.strip()),
    })


@desk_view("operator")
def categories(request: HttpRequest) -> HttpResponse:
    """htmx: the second-level categories of the chosen first-level one, as <option>s."""
    parent = request.GET.get("category_parent", "")
    children = category_children(int(parent)) if parent.isdigit() else []
    return render(request, "desks/operator/category_options.html", {"children": children})
