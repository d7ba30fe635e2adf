"""Working-day arithmetic on the Chinese public-holiday calendar, and deadline computation."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from hotline.workcalendar.models import Box, CalendarDay, CalendarYear, DeadlineRule, Urgency


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class DueDate:
    date: dt.date
    fallback: bool  # True when some day counted lies in a year with no official calendar loaded


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    fallback: bool


class WorkingCalendar:
    """A snapshot of the loaded calendar; cheap to build, used for many computations."""

    def __init__(self, exceptions: dict[dt.date, bool], years: set[int]) -> None:
        self.exceptions = exceptions
        self.years = years

    @classmethod
    def load(cls) -> "WorkingCalendar":
        return cls(
            dict(CalendarDay.objects.values_list("date", "is_workday")),
            set(CalendarYear.objects.values_list("year", flat=True)),
        )

    def is_workday(self, day: dt.date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> DueDate:
        """The date `days` working days after `start` (start itself is never counted)."""
        if days < 0:
            raise CalendarError("working days must not be negative")
        day, left, fallback = start, days, False
        while left > 0:
            day += dt.timedelta(days=1)
            fallback = fallback or day.year not in self.years
            if self.is_workday(day):
                left -= 1
        return DueDate(day, fallback)


def add_working_days(start: dt.date, days: int) -> DueDate:
    return WorkingCalendar.load().add_working_days(start, days)


def find_rule(*, box: str, appeal_type_id: int | None, urgency: str) -> DeadlineRule | None:
    """The most specific rule matching; exact matches beat wildcards (blank/None)."""
    best: tuple[int, DeadlineRule] | None = None
    for rule in DeadlineRule.objects.all():
        if rule.box not in ("", box) or rule.urgency not in ("", urgency):
            continue
        if rule.appeal_type_id not in (None, appeal_type_id):
            continue
        score = (rule.box != "") + 2 * (rule.urgency != "") + 4 * (rule.appeal_type_id is not None)
        if best is None or score > best[0]:
            best = (score, rule)
    return best[1] if best else None


DEFAULT_WORKING_DAYS = 5


def compute_deadline(
    *, start: dt.datetime, box: str, appeal_type_id: int | None, urgency: str,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """Deadline for an order dispatched at `start`: end of the due working day, or start + N hours."""
    rule = find_rule(box=box, appeal_type_id=appeal_type_id, urgency=urgency)
    amount = rule.amount if rule else DEFAULT_WORKING_DAYS
    if rule and rule.unit == DeadlineRule.Unit.HOURS:
        return Deadline(start + dt.timedelta(hours=amount), start.year not in (calendar or WorkingCalendar.load()).years)
    cal = calendar or WorkingCalendar.load()
    local = timezone.localtime(start)
    due = cal.add_working_days(local.date(), amount)
    end = dt.datetime.combine(due.date, dt.time(23, 59, 59), tzinfo=local.tzinfo)
    return Deadline(end, due.fallback)


@transaction.atomic
def load_official_year(*, year: int) -> int:
    """Load one year's holidays and make-up workdays from the chinesecalendar library. Returns days stored."""
    import chinese_calendar
    from chinese_calendar import constants

    known = {d.year for d in constants.holidays}
    if year not in known:
        raise CalendarError(f"year {year}: the chinesecalendar library has no official schedule for it")
    stored = 0
    for day, name in constants.holidays.items():
        if day.year == year and day.weekday() < 5:
            CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": False, "name": str(name)})
            stored += 1
    for day, name in constants.workdays.items():
        if day.year == year and day.weekday() >= 5:
            CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": True, "name": f"{name} 调休上班"})
            stored += 1
    CalendarYear.objects.get_or_create(year=year, defaults={"source": f"chinesecalendar {chinese_calendar.__version__}"})
    return stored


def load_all_official_years() -> list[int]:
    from chinese_calendar import constants

    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    years = [y for y in years if y >= 2020]
    for year in years:
        load_official_year(year=year)
    return years


def missing_calendar_years(*, horizon_days: int = 60, today: dt.date | None = None) -> list[int]:
    """Years that a deadline set within `horizon_days` could reach but that have no calendar: an admin warning."""
    today = today or timezone.localdate()
    reach = {today.year, (today + dt.timedelta(days=horizon_days)).year}
    return sorted(reach - set(CalendarYear.objects.values_list("year", flat=True)))


def seed_default_rules() -> None:
    """Typical rules: 5 working days normally, 2 when urgent, 24 hours when very urgent; letters 10 days."""
    defaults = [
        ("", "", 5, DeadlineRule.Unit.WORKING_DAYS),
        ("", Urgency.URGENT, 2, DeadlineRule.Unit.WORKING_DAYS),
        ("", Urgency.VERY_URGENT, 24, DeadlineRule.Unit.HOURS),
        (Box.MAILBOX, "", 10, DeadlineRule.Unit.WORKING_DAYS),
    ]
    for box, urgency, amount, unit in defaults:
        DeadlineRule.objects.get_or_create(
            box=box, appeal_type=None, urgency=urgency, defaults={"amount": amount, "unit": unit}
        )
