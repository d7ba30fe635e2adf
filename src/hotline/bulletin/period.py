"""The bulletin's month, its local-time bounds, and the number formats every output shares."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone


class BulletinError(ValueError):
    """Bad input for the bulletin; `field` names the offending input."""

    def __init__(self, message: str, *, field: str = "", code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
CENT = Decimal("0.01")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.match((text or "").strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            raise BulletinError(f"月份格式应为 YYYY-MM（2000–2100 年）：{text!r}", field="month")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def start(self) -> dt.datetime:
        """00:00 local time on the first day of the month."""
        return timezone.make_aware(dt.datetime(self.year, self.month, 1))

    @property
    def end(self) -> dt.datetime:
        """The start of the next month (exclusive bound)."""
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"


def pct(numerator: int, denominator: int) -> Decimal | None:
    """100·n/d rounded half-up to 2 decimals; None when there is no denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def rate_text(value: str | Decimal | None) -> str:
    """'99.61%'; an em dash when the rate has no denominator."""
    return "—" if value is None else f"{Decimal(value):.2f}%"


def dec(value: str | Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value)
