"""`hotline calendar due|load|set|mark-loaded|status`: the working-day calendar from the console."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.workcalendar import selectors, services

OPTION_NAMES = {"start": "--from", "working_days": "--working-days", "year": "--year", "date": "--date", "name": "--name"}
HORIZON_DAYS = 60


def _parse_date(value: str, option: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise CommandError(f"{option}: expected a date as YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option}: {value!r} is not a valid date ({exc})") from exc


def _parse_int(value: str, option: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", value.strip()):
        raise CommandError(f"{option}: expected a whole number, got {value!r}")
    return int(value)


def _spans(years: list[int]) -> str:
    """[2020, 2021, 2022, 2024] -> '2020-2022, 2024'."""
    parts: list[str] = []
    for year in years:
        if parts and parts[-1].split("-")[-1] == str(year - 1):
            parts[-1] = f"{parts[-1].split('-')[0]}-{year}"
        else:
            parts.append(str(year))
    return ", ".join(parts) or "none"


def _missing_warning(year: int) -> str:
    return (
        f"warning: no calendar loaded for {year}; its days were counted Monday-Friday and the result is an "
        f"estimate (load it with `hotline calendar load --year {year}`, or enter it with `calendar set` and "
        f"`calendar mark-loaded --year {year}`)"
    )


class Command(BaseCommand):
    help = "Working-day calendar: compute due dates, load or enter holiday schedules, show status."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{due,load,set,mark-loaded,status}")

        due = sub.add_parser("due", help="print the date N working days after --from")
        due.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
        due.add_argument("--working-days", dest="working_days", required=True, metavar="N")

        load = sub.add_parser("load", help="load one year's official schedule from the chinesecalendar library")
        load.add_argument("--year", required=True, metavar="YYYY")

        set_ = sub.add_parser("set", help="enter or correct one day by hand")
        set_.add_argument("--date", required=True, metavar="YYYY-MM-DD")
        kind = set_.add_mutually_exclusive_group(required=True)
        kind.add_argument("--workday", action="store_true", help="a (weekend) make-up working day")
        kind.add_argument("--holiday", action="store_true", help="a (weekday) public holiday")
        set_.add_argument("--name", required=True, help="e.g. 春节 or 春节调休上班")

        mark = sub.add_parser("mark-loaded", help="declare a hand-entered year complete")
        mark.add_argument("--year", required=True, metavar="YYYY")

        sub.add_parser("status", help="years loaded, and warnings for years needed soon but missing")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {
            "due": self._due, "load": self._load, "set": self._set,
            "mark-loaded": self._mark_loaded, "status": self._status,
        }[options["subcommand"]]
        try:
            handler(options)
        except services.CalendarError as exc:
            option = OPTION_NAMES.get(exc.field, exc.field)
            raise CommandError(f"{option}: {exc.message}" if option else exc.message) from exc

    def _due(self, options: dict[str, Any]) -> None:
        start = _parse_date(options["start"], "--from")
        days = _parse_int(options["working_days"], "--working-days")
        due = services.add_working_days(start, days)
        self.stdout.write(due.date.isoformat())
        for year in due.missing_years:
            self.stderr.write(_missing_warning(year))

    def _load(self, options: dict[str, Any]) -> None:
        year = _parse_int(options["year"], "--year")
        result = services.load_official_year(year=year)
        removed = f"; removed {result.removed} day(s) not in the official schedule" if result.removed else ""
        self.stdout.write(f"loaded {result.year}: {result.days} exception day(s) from chinesecalendar{removed}")

    def _set(self, options: dict[str, Any]) -> None:
        date = _parse_date(options["date"], "--date")
        day = services.set_day(date=date, is_workday=bool(options["workday"]), name=options["name"])
        kind = "working day" if day.is_workday else "holiday"
        self.stdout.write(f"set {day.date.isoformat()} as {kind}: {day.name}")
        if not selectors.is_year_loaded(date.year):
            self.stdout.write(
                f"{date.year} is not marked loaded yet: when all its days are entered, run "
                f"`hotline calendar mark-loaded --year {date.year}`"
            )

    def _mark_loaded(self, options: dict[str, Any]) -> None:
        year = _parse_int(options["year"], "--year")
        cal_year = services.mark_year_loaded(year=year)
        self.stdout.write(f"marked {cal_year.year} loaded ({cal_year.source})")

    def _status(self, options: dict[str, Any]) -> None:
        summaries = selectors.year_summaries()
        self.stdout.write(f"years loaded: {_spans([s.year for s in summaries if s.loaded])}")
        for s in summaries:
            state = s.source if s.loaded else "NOT marked loaded (hand entry in progress?)"
            self.stdout.write(f"  {s.year}  holidays {s.holidays:>2}  make-up workdays {s.workdays:>2}  {state}")
        self.stdout.write(f"chinesecalendar library knows: {_spans(services.official_years())}")
        for year in services.missing_calendar_years(horizon_days=HORIZON_DAYS):
            self.stderr.write(
                f"warning: no calendar loaded for {year}, which deadlines set within the next {HORIZON_DAYS} "
                f"days can reach; they will be counted Monday-Friday and flagged"
            )
