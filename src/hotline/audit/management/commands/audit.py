"""`hotline audit verify`: check the audit trail's and the work-order events' hash chains."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.audit.chain import Broken
from hotline.audit.verification import CHECKS


class Command(BaseCommand):
    help = "Audit trail tools. `verify`: check every hash chain and name the first broken row."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        sub.add_parser("verify", help="check the audit trail's and the events' hash chains")

    def handle(self, *args: Any, **options: Any) -> None:
        for name, check in CHECKS.items():
            try:
                report = check()
            except Broken as exc:
                raise CommandError(f"校验失败 {exc.chain}: 第一处损坏 {exc.row}: {exc.reason}") from None
            self.stdout.write(f"{report.name}: {report.rows} 条，链完整；链头 {report.head or '(空)'}")
