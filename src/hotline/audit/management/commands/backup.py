"""`hotline backup --out FILE`: a consistent copy of the whole database, safe while the server runs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.audit.backup import BackupError, backup
from hotline.audit.models import AuditAction
from hotline.audit.services import CLI, record_access


class Command(BaseCommand):
    help = "备份整个数据库到文件（SQLite 在线备份 / PostgreSQL pg_dump），服务运行时也可执行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="the backup file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.is_dir():
            raise CommandError(f"--out {out}: 是一个目录，请给出文件名")
        # Recorded first, so that the backup itself carries the record of its making.
        record_access(actor=None, action=AuditAction.BACKUP, ip=CLI, detail={"out": str(out)})
        try:
            result = backup(out=out)
        except BackupError as exc:
            raise CommandError(exc.message) from None
        except OSError as exc:
            raise CommandError(f"--out {out}: {exc.strerror or exc}") from None
        self.stdout.write(f"已备份（{result.vendor}）到 {result.path}，{result.size} 字节")
