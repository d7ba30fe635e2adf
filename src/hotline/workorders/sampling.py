"""The month's manual spot-check callback sample (人工抽查回访).

Which cases are drawn is reproducible: a case belongs to month M's sample when the first 64 bits of
sha256("M|case number") fall below rate × 2^64. The same month and case always give the same answer,
whoever draws and however often; drawing again later in the month only adds the cases that entered
callback since (the population is the cases that entered callback in the month: a reply accepted by
the reviewer or a rectification). A draw never removes a case already drawn.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hotline.directory.models import Role, User
from hotline.workorders.models import Action, CallbackSample, Event
from hotline.workorders.services import DomainError, ForbiddenMove

SAMPLERS = frozenset({Role.CALLBACK, Role.SUPERVISOR})
_SCALE = 2**64


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(month.year, month.month, 1))
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, timezone.make_aware(dt.datetime.combine(nxt, dt.time.min))


def sample_rate(value: str | Decimal | None = None) -> Decimal:
    try:
        rate = Decimal(str(value if value is not None else settings.CALLBACK_SAMPLE_RATE))
    except InvalidOperation:
        raise DomainError("抽查比例必须是 0 到 1 之间的小数", field="rate") from None
    if not Decimal(0) < rate <= Decimal(1):
        raise DomainError("抽查比例必须大于 0 且不超过 1", field="rate")
    return rate


def in_sample(*, month: dt.date, number: str, rate: Decimal) -> bool:
    digest = hashlib.sha256(f"{month:%Y-%m}|{number}".encode()).digest()
    return int.from_bytes(digest[:8], "big") < int(rate * _SCALE)


def draw_callback_sample(*, month: dt.date, actor: User, rate: Decimal | str | None = None,
                         at: dt.datetime | None = None) -> int:
    """Draw (or top up) the month's sample; returns how many cases were added now."""
    if actor.role not in SAMPLERS:
        raise ForbiddenMove("只有回访员或督办员可以抽取抽查样本")
    if month.day != 1:
        raise DomainError("月份必须是某月的第一天", field="month")
    rate_ = sample_rate(rate)
    start, end = month_bounds(month)
    entered = (Event.objects.filter(kind__in=(Action.ACCEPT_REPLY, Action.RECTIFY), at__gte=start, at__lt=end)
               .values_list("order_id", "order__number").distinct())
    chosen = {pk for pk, number in entered.iterator(chunk_size=5000)
              if in_sample(month=month, number=number, rate=rate_)}
    at = at or timezone.now()
    with transaction.atomic():
        have = set(CallbackSample.objects.filter(month=month).values_list("order_id", flat=True))
        new = [CallbackSample(month=month, order_id=pk, drawn_at=at, drawn_by=actor) for pk in sorted(chosen - have)]
        CallbackSample.objects.bulk_create(new, batch_size=1000)
    return len(new)
