"""`hotline integrity`: storage checks, hash chains and interrupted loads, one line each."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hotline.audit.integrity import check_integrity


class Command(BaseCommand):
    help = "Check the database: SQLite's integrity and foreign keys, the hash chains, interrupted imports."

    def handle(self, *args: Any, **options: Any) -> None:
        report = check_integrity()
        for line in report.ok_lines:
            self.stdout.write(line)
        for line in report.warnings:
            self.stderr.write(f"注意：{line}")
        for line in report.problems:
            self.stderr.write(f"问题：{line}")
        if report.problems:
            raise CommandError(f"发现 {len(report.problems)} 处问题")
