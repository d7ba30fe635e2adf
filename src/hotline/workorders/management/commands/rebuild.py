"""`hotline rebuild`: recompute the data derived from the events (docs/metrics.md, "Storage and speed")."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hotline.audit.chain import Broken
from hotline.workorders.chain import verify_events

from hotline.workorders import tenure
from hotline.workorders.metrics import backfill_metric_columns


class Command(BaseCommand):
    help = ("Recompute what the monthly metrics read beside the events (event metric columns, tenures); "
            "needed only after events were written outside the services, e.g. by a database restore script.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Derived data is recomputed only from events whose hash chain holds: never from forged rows.
        try:
            verify_events()
        except Broken as exc:
            raise CommandError(f"事件哈希链损坏，拒绝重建（hotline audit verify）：{exc.row}: {exc.reason}") from None
        with transaction.atomic():
            filled = backfill_metric_columns()
            tenures = tenure.rebuild()
        self.stdout.write(f"事件指标列补齐 {filled} 条；承办期重建 {tenures} 条\n")
