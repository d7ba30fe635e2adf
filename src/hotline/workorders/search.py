"""Case search as the desks and the case list offer it: by case number, by phone (the full number or its
last four digits) and by the citizen's name, within what the user may already see.

The masking rules stay: phone and name only ever match, never display, and a unit handler cannot find
a confidential citizen's cases by their phone or name (that would reveal who complained).
"""
from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from hotline.directory.models import Role, User
from hotline.workorders.models import PhoneTail, WorkOrder

NUMBER = re.compile(r"^(RX|XX)\d{4,}$", re.IGNORECASE)
PHONE = re.compile(r"^\+?\d{7,15}$")
TAIL = re.compile(r"^\d{4}$")
QUERY_MAX = 60


def search(qs: QuerySet[WorkOrder], *, user: User, q: str) -> QuerySet[WorkOrder]:
    """Narrow `qs` (already scoped to `user`) to the cases `q` designates; empty q leaves it as it is."""
    q = (q or "").strip()[:QUERY_MAX]
    if not q:
        return qs
    identity = Q() if user.role != Role.UNIT_HANDLER else Q(confidential=False)
    compact = q.replace(" ", "").replace("-", "")
    if NUMBER.match(compact):
        number = compact.upper()
        # A full number hits the unique index; a prefix lists that day's (or month's) cases.
        return qs.filter(number=number) if len(number) >= 16 else qs.filter(number__startswith=number)
    if PHONE.match(compact):
        return qs.filter(identity & Q(citizen_phone=compact))
    if TAIL.match(compact):
        return qs.alias(phone_tail=PhoneTail("citizen_phone")).filter(identity & Q(phone_tail=compact))
    return qs.filter((identity & Q(citizen_name=q)) | Q(content__contains=q))
