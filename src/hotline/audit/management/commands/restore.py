"""`hotline restore FILE`: load a backup into an empty data directory or database, bring it to this
version (migrate) and verify its hash chains."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.audit.backup import BackupError, restore
from hotline.audit.chain import Broken
from hotline.audit.models import AuditAction
from hotline.audit.services import CLI, record_access
from hotline.audit.verification import verify_all


class Command(BaseCommand):
    help = "从备份文件恢复到空的数据目录或空数据库，然后升级并校验审计链。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a file written by hotline backup")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: 文件不存在")
        try:
            vendor = restore(path=path)
        except BackupError as exc:
            raise CommandError(exc.message) from None
        call_command("migrate", interactive=False, verbosity=0)
        try:
            reports = verify_all()
        except Broken as exc:
            raise CommandError(f"已恢复，但哈希链校验失败：{exc}（备份前数据已被改动？）") from None
        record_access(actor=None, action=AuditAction.RESTORE, ip=CLI, detail={"file": str(path)})
        where = settings.DATABASES["default"]["NAME"]
        chains = "，".join(f"{r.name} {r.rows} 条" for r in reports)
        self.stdout.write(f"已从 {path} 恢复到 {vendor} 数据库 {where}；哈希链完整（{chains}）")
