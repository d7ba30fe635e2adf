"""`hotline tick [--now ISO]`: run the deadline sweep once and print a one-line summary."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hotline.workorders.deadlines import sweep


def parse_now(value: str) -> dt.datetime:
    """ISO 8601 date-time; without an offset it is read in the server's time zone (settings.TIME_ZONE)."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now: {value!r} is not an ISO 8601 date-time, e.g. 2024-05-10T09:00+08:00") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = "Deadline sweep: flag overdue open orders and remind those due within a working day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="sweep as of this instant (ISO 8601) instead of the clock")

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options["now"]) if options["now"] else timezone.now()
        self.stdout.write(sweep(now=now).summary())
