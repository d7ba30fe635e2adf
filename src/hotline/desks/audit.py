"""What the desks showed, into the audit trail (PIPL: every view of personal information is logged).

A desk's list page shows citizens' names and masked phones: one VIEW_LIST row per page with the case
numbers shown; an opened case (the panel beside a list, or a desk's case page) shows name, address and
complaint: one VIEW_CASE row (VIEW_CONFIDENTIAL for a confidential citizen). Steps a desk takes through
a service other than the action forms (which audit themselves) are recorded with record_steps.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from hotline.audit.services import client_ip
from hotline.workorders.models import Event, WorkOrder
from hotline.workorders.services import record_case_list, record_case_view, record_transition


def audit_list(request: HttpRequest, *, orders: Iterable[WorkOrder], desk: str) -> None:
    numbers = list(dict.fromkeys(o.number for o in orders))  # a case in two lists of one page: once
    if numbers:  # an empty page showed nobody's data
        record_case_list(actor=_actor(request), numbers=numbers, ip=client_ip(request), via=f"desk:{desk}",
                         query={k: v for k, v in request.GET.items()})


def audit_case(request: HttpRequest, *, order: WorkOrder, desk: str) -> None:
    record_case_view(actor=_actor(request), order=order, ip=client_ip(request), via=f"desk:{desk}")


def audit_steps(request: HttpRequest, *, events: Iterable[Event | None], desk: str) -> None:
    for event in events:
        if event is not None:
            record_transition(actor=_actor(request), event=event, ip=client_ip(request), via=f"desk:{desk}")


def _actor(request: HttpRequest) -> Any:
    return request.user
