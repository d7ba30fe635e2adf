"""`hotline export [--out FILE] [--box hotline|mailbox] [--from DATE] [--to DATE]`: cases as JSON Lines."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.workcalendar.models import Box
from hotline.cmdio import RawStream
from hotline.workorders.exchange import ExportError, export_cases


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from None



class Command(BaseCommand):
    help = "Export cases with their full event histories in the hotline-cases JSON Lines format."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help="file to write (default: standard output)")
        parser.add_argument("--box", choices=Box.values, help="only cases of this box")
        parser.add_argument("--from", dest="date_from", help="first day received, YYYY-MM-DD (local time)")
        parser.add_argument("--to", dest="date_to", help="last day received, YYYY-MM-DD (inclusive)")

    def handle(self, *args: Any, **options: Any) -> None:
        date_from = _date(options["date_from"]) if options["date_from"] else None
        date_to = _date(options["date_to"]) if options["date_to"] else None
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from must not be after --to")
        scope: dict[str, Any] = {"box": options["box"], "date_from": date_from, "date_to": date_to}
        try:
            if options["out"]:
                count = self._to_file(Path(options["out"]), scope)
            else:
                count = export_cases(RawStream(self.stdout), **scope)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(f"exported {count} cases")

    def _to_file(self, path: Path, scope: dict[str, Any]) -> int:
        """Write beside the target and rename at the end, so a failed export leaves no half file."""
        tmp = path.with_name(f".{path.name}.partial")
        try:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                count = export_cases(fh, **scope)
            os.replace(tmp, path)
        except OSError as exc:
            raise CommandError(f"--out {path}: {exc.strerror or exc}") from None
        finally:
            tmp.unlink(missing_ok=True)
        return count
