"""Read-only views of the calendar (the calendar is not user-scoped: every role may read it)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from hotline.workcalendar.models import CalendarDay, CalendarYear


@dataclass(frozen=True)
class YearSummary:
    year: int
    loaded: bool  # a CalendarYear row exists: deadlines reaching this year are exact
    source: str
    loaded_at: dt.datetime | None
    holidays: int  # weekday holidays stored
    workdays: int  # weekend make-up working days stored


def year_summaries() -> list[YearSummary]:
    """Every year that is loaded or has exception days stored (e.g. a hand entry not yet marked loaded)."""
    counts = {
        row["year"]: (row["holidays"], row["workdays"])
        for row in CalendarDay.objects.annotate(year=ExtractYear("date")).values("year").annotate(
            holidays=Count("pk", filter=Q(is_workday=False)), workdays=Count("pk", filter=Q(is_workday=True)),
        )
    }
    loaded = {y.year: y for y in CalendarYear.objects.all()}
    out = []
    for year in sorted(set(counts) | set(loaded)):
        holidays, workdays = counts.get(year, (0, 0))
        cal_year = loaded.get(year)
        out.append(YearSummary(
            year=year, loaded=cal_year is not None, source=cal_year.source if cal_year else "",
            loaded_at=cal_year.loaded_at if cal_year else None, holidays=holidays, workdays=workdays,
        ))
    return out


def is_year_loaded(year: int) -> bool:
    return CalendarYear.objects.filter(year=year).exists()


def working_days_left(*, today: dt.date, dues: set[dt.date]) -> dict[dt.date, int]:
    """For each due date, the working days from `today` to it: the working days after today up to and
    including the due date (0 when due today or on the next non-working stretch), negative when it has
    passed (minus the working days since). One query for the calendar exceptions of the whole span."""
    if not dues:
        return {}
    lo, hi = min(dues | {today}), max(dues | {today})
    exceptions = dict(CalendarDay.objects.filter(date__range=(lo, hi)).values_list("date", "is_workday"))
    counted, running = [], 0  # counted[i]: working days in (lo, lo + i]
    for i in range((hi - lo).days + 1):
        day = lo + dt.timedelta(days=i)
        running += bool(i) and exceptions.get(day, day.weekday() < 5)
        counted.append(running)

    def between(a: dt.date, b: dt.date) -> int:  # working days in (a, b]
        return counted[(b - lo).days] - counted[(a - lo).days]

    return {due: between(today, due) if due >= today else -between(due, today) for due in dues}
