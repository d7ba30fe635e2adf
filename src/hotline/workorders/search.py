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
FULL_NUMBER_LENGTH = 16  # RX + yyyymmdd + six-digit sequence
PHONE = re.compile(r"^\+?\d{7,15}$")
TAIL = re.compile(r"^\d{4}$")
SEQUENCE = re.compile(r"^\d{5,6}$")  # the end of a case number, as people read it out ("000047")
QUERY_MAX = 60


def search(qs: QuerySet[WorkOrder], *, user: User, q: str) -> QuerySet[WorkOrder]:
    """Narrow `qs` (already scoped to `user`) to the cases `q` designates; empty q leaves it as it is.

    Every desk and the case list use this one rule: a case number (whole, or its start with the RX/XX
    prefix, or its last five or six digits), a phone number (whole, or its last four digits), the
    citizen's name, or else words of the appeal."""
    q = (q or "").strip()[:QUERY_MAX]
    if not q:
        return qs
    identity = Q() if user.role != Role.UNIT_HANDLER else Q(confidential=False)
    compact = q.replace(" ", "").replace("-", "")
    if NUMBER.match(compact):
        number = compact.upper()
        # A full number hits the unique index; a prefix lists that day's (or month's) cases.
        return (qs.filter(number=number) if len(number) >= FULL_NUMBER_LENGTH
                else qs.filter(number__startswith=number))
    if PHONE.match(compact):
        return qs.filter(identity & Q(citizen_phone=compact.lstrip("+")))
    if TAIL.match(compact):
        return qs.alias(phone_tail=PhoneTail("citizen_phone")).filter(identity & Q(phone_tail=compact))
    if SEQUENCE.match(compact):
        return qs.filter(number__endswith=compact)
    return qs.filter((identity & Q(citizen_name=q)) | Q(content__contains=q))
