"""`hotline export --as USER [--all] [--out FILE] [--box hotline|mailbox] [--from DATE] [--to DATE]`:
cases as JSON Lines, as that user sees them (scoped and masked), or everything for an administrator's
explicit `--all`. Every export is an audit row."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.audit.services import CLI
from hotline.cmdio import RawStream, cli_user
from hotline.directory.models import Role, User
from hotline.workcalendar.models import Box
from hotline.workorders.exchange import ExportError, export_cases
from hotline.workorders.services import record_export


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def may_export_all(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


class Command(BaseCommand):
    help = ("Export cases with their full event histories in the hotline-cases JSON Lines format, as the user "
            "named by --as sees them (scoped to the user's cases, citizens masked); --all: an administrator's "
            "full, unmasked export. Every export is recorded in the audit trail.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="as_user", metavar="USER", help="export as this user (required)")
        parser.add_argument("--all", action="store_true",
                            help="every case, unmasked (administrators only; audited as a full export)")
        parser.add_argument("--out", help="file to write (default: standard output)")
        parser.add_argument("--box", choices=Box.values, help="only cases of this box")
        parser.add_argument("--from", dest="date_from", help="first day received, YYYY-MM-DD (local time)")
        parser.add_argument("--to", dest="date_to", help="last day received, YYYY-MM-DD (inclusive)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = cli_user(options["as_user"], hint="hotline export --as 用户名（全量导出：--all --as 管理员）")
        if options["all"] and not may_export_all(user):
            raise CommandError(f"用户 {user.get_username()} 不是管理员，不能全量导出（去掉 --all 按其权限导出）")
        date_from = _date(options["date_from"]) if options["date_from"] else None
        date_to = _date(options["date_to"]) if options["date_to"] else None
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from must not be after --to")
        scope: dict[str, Any] = {"box": options["box"], "date_from": date_from, "date_to": date_to,
                                 "viewer": None if options["all"] else user}
        try:
            if options["out"]:
                count = self._to_file(Path(options["out"]), scope)
            else:
                count = export_cases(RawStream(self.stdout), **scope)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        record_export(actor=user, count=count, ip=CLI, via="cli", everything=options["all"],
                      scope={"box": options["box"], "from": options["date_from"], "to": options["date_to"],
                             "out": options["out"] or "-"})
        self.stderr.write(f"exported {count} cases" + (" (full, unmasked)" if options["all"] else
                                                      f" as {user.get_username()}"))

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
