"""Server-rendered workbench pages. Thin: reads via selectors, writes via the transition service."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pydantic
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hotline.directory.models import Unit
from hotline.workcalendar.models import Box
from hotline.workorders.models import Action, CallbackMethod, CallbackResult, Status
from hotline.workorders.rules import allowed_actions
from hotline.workorders.schemas import clean_action_data, data_errors, data_schema
from hotline.workorders.search import search
from hotline.workorders.selectors import (
    citizen_view, may_reveal_phone, order_events, reveal_phone, unit_subtree_ids, visible_orders,
)
from hotline.workorders.services import DomainError, transition


def home(request: HttpRequest) -> HttpResponse:
    return redirect("desks:landing" if request.user.is_authenticated else "login")


class CaseFilter(forms.Form):
    """The case list's filters; the CSV export reads the same ones, so it lists what the page lists."""

    q = forms.CharField(label="检索", required=False, max_length=60)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *Status.choices])
    box = forms.ChoiceField(label="业务", required=False, choices=[("", "全部业务"), *Box.choices])
    unit = forms.ModelChoiceField(label="承办单位", required=False, queryset=Unit.objects.filter(active=True),
                                  empty_label="全部单位")
    overdue = forms.BooleanField(label="仅超期", required=False)


def _filtered_cases(request: HttpRequest) -> tuple[Any, CaseFilter]:
    user: Any = request.user
    qs = visible_orders(user).select_related("unit", "channel")
    form = CaseFilter(request.GET)
    if not form.is_valid():  # an unknown choice filters nothing rather than failing the page
        form = CaseFilter({k: v for k, v in request.GET.items() if k not in form.errors})
        form.is_valid()
    f = form.cleaned_data
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("box"):
        qs = qs.filter(box=f["box"])
    if f.get("unit"):
        qs = qs.filter(unit_id__in=unit_subtree_ids(f["unit"].pk))
    if f.get("overdue"):
        qs = qs.filter(overdue=True)
    qs = search(qs, user=user, q=f.get("q") or "")
    return qs.order_by("-received_at", "-id"), form


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    qs, form = _filtered_cases(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    user: Any = request.user
    rows = [(o, citizen_view(user, o)) for o in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "workorders/case_list.html", {
        "page": page, "rows": rows, "form": form, "export_query": query.urlencode(),
    })


EXPORT_COLUMNS = ["工单编号", "业务", "状态", "渠道", "诉求人", "联系电话", "承办单位", "受理时间", "办理时限", "超期", "内容"]


@login_required
def case_export(request: HttpRequest) -> StreamingHttpResponse:
    """CSV of the filtered list, same scope and masking as the page (UTF-8 with BOM for Excel)."""
    qs, _ = _filtered_cases(request)
    user = request.user

    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        yield "\ufeff" + out.getvalue()
        for order in qs.iterator(chunk_size=500):
            out.seek(0)
            out.truncate()
            citizen = citizen_view(user, order)  # type: ignore[arg-type]
            writer.writerow([
                order.number, order.get_box_display(), order.get_status_display(), order.channel.name,
                citizen["citizen_name"], citizen["citizen_phone"], order.unit.name if order.unit else "",
                timezone.localtime(order.received_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(order.deadline).strftime("%Y-%m-%d %H:%M") if order.deadline else "",
                "是" if order.overdue else "", order.content,
            ])
            yield out.getvalue()

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cases.csv"'
    return response


def _visible_or_404(request: HttpRequest, number: str) -> Any:
    order = visible_orders(request.user).filter(number=number).first()  # type: ignore[arg-type]
    if order is None:
        raise Http404("工单不存在或无权查看")
    return order


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _visible_or_404(request, number)
    user = request.user
    return render(request, "workorders/case_detail.html", {
        "order": order,
        "citizen": citizen_view(user, order),  # type: ignore[arg-type]
        "can_reveal": may_reveal_phone(user, order),  # type: ignore[arg-type]
        "events": order_events(user, order=order),  # type: ignore[arg-type]
        "actions": [(a, Action(a).label) for a in allowed_actions(order.status, user.role)],  # type: ignore[union-attr]
        "units": Unit.objects.filter(active=True).order_by("code"),
        "results": CallbackResult.choices,
        "methods": CallbackMethod.choices,
    })


def _int(key: str, text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise DomainError(f"{key} 必须是整数", field=key) from exc


def _form_data(action: str, post: Any) -> dict[str, Any]:
    """Translate the action form's fields into the transition service's data dict, checked as the API checks it."""
    data: dict[str, Any] = {}
    for key in ("unit", "days"):
        if post.get(key):
            data[key] = _int(key, post[key])
    for key in ("text", "result", "method", "into"):
        if post.get(key):
            data[key] = post[key]
    if post.getlist("co_units"):
        data["co_units"] = [_int("co_units", u) for u in post.getlist("co_units") if u.strip()]
    if post.get("upheld") in ("true", "false"):
        data["upheld"] = post["upheld"] == "true"
    # The form shows every field; keep those this action takes, then range-check them (ids fit the database).
    allowed = data_schema(action).model_fields
    data = {k: v for k, v in data.items() if k in allowed}
    try:
        return clean_action_data(action, data)
    except pydantic.ValidationError as exc:
        field, message, _ = data_errors(exc)[0]
        raise DomainError(message, field=field.removeprefix("data.")) from exc


@login_required
@require_POST
def case_transition(request: HttpRequest, number: str) -> HttpResponse:
    order = _visible_or_404(request, number)
    action = request.POST.get("action", "")
    try:
        transition(order=order, action=action, actor=request.user,  # type: ignore[arg-type]
                   reason=request.POST.get("reason", ""), data=_form_data(action, request.POST))
    except DomainError as exc:
        field = f"（{exc.field}）" if exc.field else ""
        messages.error(request, f"操作失败{field}：{exc.message}")
    else:
        messages.success(request, f"已执行：{Action(action).label}")
    return redirect("case_detail", number=number)


@login_required
@require_POST
def case_phone(request: HttpRequest, number: str) -> HttpResponse:
    order = _visible_or_404(request, number)
    phone = reveal_phone(request.user, order=order, via="page")  # type: ignore[arg-type]
    if phone is None:
        return HttpResponse("无权查看完整号码", status=403)
    return HttpResponse(phone)
