"""Working-day arithmetic on the Chinese public-holiday calendar, and deadline computation.

Rules (see docs/decisions.md):
- counting starts the day after the start date; the start date itself never counts;
- a working-day deadline ends at 23:59:59 local time (settings.TIME_ZONE) of the due day;
- an hour deadline is wall-clock: start + N hours, whatever the calendar says;
- a day in a year with no loaded calendar (no CalendarYear row) is judged Monday-Friday, and the
  result is flagged `fallback` so that the order shows its deadline is an estimate.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from hotline.workcalendar.models import Box, CalendarDay, CalendarYear, DeadlineRule, Urgency

FIRST_OFFICIAL_YEAR = 2020  # years before this are never loaded automatically
MIN_YEAR, MAX_YEAR = 1949, 2100
MAX_WORKING_DAYS = 10_000  # ~40 years; guards against absurd input running for long or overflowing dates
DEFAULT_WORKING_DAYS = 5  # used when no DeadlineRule matches at all
MANUAL_SOURCE = "管理员手工录入"


class CalendarError(ValueError):
    """Bad calendar input; `field` names the offending argument."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class DueDate:
    date: dt.date
    fallback: bool  # True when some day counted lies in a year with no official calendar loaded
    missing_years: tuple[int, ...] = ()  # those years, for warnings


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    fallback: bool
    missing_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class YearLoad:
    year: int
    days: int  # exception days stored (weekday holidays + weekend make-up working days)
    removed: int  # days of that year that were stored but are not in the official schedule


class WorkingCalendar:
    """A snapshot of the loaded calendar; cheap to build, used for many computations."""

    def __init__(self, exceptions: dict[dt.date, bool], years: set[int]) -> None:
        self.exceptions = exceptions
        self.years = years

    @classmethod
    def load(cls) -> WorkingCalendar:
        return cls(
            dict(CalendarDay.objects.values_list("date", "is_workday")),
            set(CalendarYear.objects.values_list("year", flat=True)),
        )

    def is_workday(self, day: dt.date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> DueDate:
        """The date `days` working days after `start` (start itself is never counted; 0 days gives `start`)."""
        if isinstance(days, bool) or not isinstance(days, int):
            raise CalendarError("working days must be a whole number", field="working_days")
        if days < 0:
            raise CalendarError(f"working days must not be negative (got {days})", field="working_days")
        if days > MAX_WORKING_DAYS:
            raise CalendarError(f"working days must be at most {MAX_WORKING_DAYS} (got {days})", field="working_days")
        day, left, missing = start, days, set()
        while left > 0:
            if day == dt.date.max:
                raise CalendarError(f"{days} working days after {start} is beyond the last representable date",
                                    field="start")
            day += dt.timedelta(days=1)
            if day.year not in self.years:
                missing.add(day.year)
            if self.is_workday(day):
                left -= 1
        return DueDate(day, bool(missing), tuple(sorted(missing)))


def add_working_days(start: dt.date, days: int) -> DueDate:
    return WorkingCalendar.load().add_working_days(start, days)


def _specificity(rule: DeadlineRule) -> int:
    # Field by field: an exact urgency beats an exact appeal type, which beats an exact box, so a
    # very urgent case keeps its short deadline even when its appeal type has a longer rule.
    return 4 * (rule.urgency != "") + 2 * (rule.appeal_type_id is not None) + (rule.box != "")


def find_rule(*, box: str, appeal_type_id: int | None, urgency: str) -> DeadlineRule | None:
    """The most specific matching rule; blank/None fields are wildcards. Unique constraints rule out ties."""
    best: DeadlineRule | None = None
    for rule in DeadlineRule.objects.order_by("pk"):
        if rule.box not in ("", box) or rule.urgency not in ("", urgency):
            continue
        if rule.appeal_type_id not in (None, appeal_type_id):
            continue
        if best is None or _specificity(rule) > _specificity(best):
            best = rule
    return best


def compute_deadline(
    *, start: dt.datetime, box: str, appeal_type_id: int | None, urgency: str,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """Deadline for an order dispatched at `start`: end of the due working day, or start + N hours."""
    if timezone.is_naive(start):
        raise CalendarError("start must be a timezone-aware datetime", field="start")
    rule = find_rule(box=box, appeal_type_id=appeal_type_id, urgency=urgency)
    if rule is not None and rule.unit == DeadlineRule.Unit.HOURS:
        # Wall-clock hours do not depend on the calendar, so they are never an estimate.
        return Deadline(start + dt.timedelta(hours=rule.amount), False)
    amount = rule.amount if rule is not None else DEFAULT_WORKING_DAYS
    cal = calendar or WorkingCalendar.load()
    local = timezone.localtime(start)
    due = cal.add_working_days(local.date(), amount)
    end = dt.datetime.combine(due.date, dt.time(23, 59, 59), tzinfo=local.tzinfo)
    return Deadline(end, due.fallback, due.missing_years)


def _check_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarError(f"year must be between {MIN_YEAR} and {MAX_YEAR} (got {year!r})", field="year")


def official_years() -> list[int]:
    """Every year the installed chinesecalendar library has an official schedule for."""
    from chinese_calendar import constants

    return sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})


def official_schedule(year: int) -> dict[dt.date, tuple[bool, str]]:
    """The library's exceptions to Monday-Friday for `year`: date -> (is_workday, Chinese name)."""
    from chinese_calendar import constants

    chinese = {h.value: getattr(h, "chinese", h.value) for h in constants.Holiday}
    days: dict[dt.date, tuple[bool, str]] = {}
    for day, name in constants.holidays.items():
        if day.year == year and day.weekday() < 5:
            days[day] = (False, chinese.get(str(name), str(name)))
    for day, name in constants.workdays.items():
        if day.year == year and day.weekday() >= 5:
            days[day] = (True, f"{chinese.get(str(name), str(name))}调休上班")
    return days


@transaction.atomic
def load_official_year(*, year: int) -> YearLoad:
    """Make `year` match the chinesecalendar library's official schedule, and mark it loaded.

    Days of that year stored earlier but not in the schedule (e.g. a mistaken manual entry) are removed.
    """
    import chinese_calendar

    _check_year(year)
    if year not in official_years():
        raise CalendarError(
            f"year {year}: the installed chinesecalendar {chinese_calendar.__version__} has no official "
            f"schedule for it; enter it by hand (calendar set ... then calendar mark-loaded --year {year})",
            field="year",
        )
    schedule = official_schedule(year)
    stale = CalendarDay.objects.filter(date__year=year).exclude(date__in=list(schedule))
    removed = stale.count()
    stale.delete()
    for day, (is_workday, name) in schedule.items():
        CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "name": name})
    CalendarYear.objects.update_or_create(
        year=year, defaults={"source": f"chinesecalendar {chinese_calendar.__version__}"}
    )
    return YearLoad(year, len(schedule), removed)


def load_all_official_years(*, since: int = FIRST_OFFICIAL_YEAR) -> list[int]:
    years = [y for y in official_years() if y >= since]
    for year in years:
        load_official_year(year=year)
    return years


@transaction.atomic
def set_day(*, date: dt.date, is_workday: bool, name: str) -> CalendarDay:
    """Enter or correct one exception day by hand (e.g. a newly published year the library lacks)."""
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        raise CalendarError(f"date must be in the years {MIN_YEAR}-{MAX_YEAR} (got {date})", field="date")
    name = name.strip()
    if not name:
        raise CalendarError("name must not be blank", field="name")
    max_length = CalendarDay._meta.get_field("name").max_length or 60
    if len(name) > max_length:
        raise CalendarError(f"name must be at most {max_length} characters (got {len(name)})", field="name")
    day, _ = CalendarDay.objects.update_or_create(date=date, defaults={"is_workday": is_workday, "name": name})
    return day


@transaction.atomic
def mark_year_loaded(*, year: int, source: str = MANUAL_SOURCE) -> CalendarYear:
    """Declare a hand-entered year complete, so deadlines reaching it are no longer flagged as estimates."""
    _check_year(year)
    if not CalendarDay.objects.filter(date__year=year, is_workday=False).exists():
        raise CalendarError(
            f"year {year}: no holidays entered yet; enter them with `calendar set` before marking the year loaded",
            field="year",
        )
    cal_year, _ = CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
    return cal_year


def missing_calendar_years(*, horizon_days: int = 60, today: dt.date | None = None) -> list[int]:
    """Years that a deadline set within `horizon_days` could reach but that have no calendar: an admin warning."""
    today = today or timezone.localdate()
    reach = set(range(today.year, (today + dt.timedelta(days=horizon_days)).year + 1))
    return sorted(reach - set(CalendarYear.objects.values_list("year", flat=True)))


DEFAULT_RULES: list[tuple[str, str, int, str]] = [
    ("", "", 5, DeadlineRule.Unit.WORKING_DAYS),
    ("", Urgency.URGENT, 2, DeadlineRule.Unit.WORKING_DAYS),
    ("", Urgency.VERY_URGENT, 24, DeadlineRule.Unit.HOURS),
    (Box.MAILBOX, "", 10, DeadlineRule.Unit.WORKING_DAYS),
]


def seed_default_rules() -> None:
    """Typical rules: 5 working days normally, 2 when urgent, 24 hours when very urgent; letters 10 days."""
    for box, urgency, amount, unit in DEFAULT_RULES:
        DeadlineRule.objects.get_or_create(
            box=box, appeal_type=None, urgency=urgency, defaults={"amount": amount, "unit": unit}
        )
