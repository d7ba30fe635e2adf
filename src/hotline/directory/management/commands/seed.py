"""`hotline seed [--city yueyang|xiangtan|all]`: reference data, and optionally city unit profiles."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.directory.seeds import CITIES, SeedError, seed_city, seed_directory


class Command(BaseCommand):
    help = "载入基础数据（渠道、诉求类型、分类、专线标签、行政区划），并可载入城市承办单位名录。可重复运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--city", choices=[*CITIES, "all"], default=None,
            help="also load this city's responsible units (all: every city profile)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = seed_directory()
            self.stdout.write("基础数据：" + "，".join(f"{k} 新增 {v}" for k, v in created.items()))
            cities = list(CITIES) if options["city"] == "all" else [options["city"]] if options["city"] else []
            for city in cities:
                report = seed_city(city=city)
                self.stdout.write(
                    f"{city}：承办单位新增 {report.created}，已存在 {report.existing}，"
                    f"关联行政区划 {report.linked_regions}"
                )
                for name, groups in report.folded.items():
                    self.stdout.write(f"  注意：“{name}”在多个分组中出现（{'、'.join(groups)}），按第一个分组建为一个单位")
        except SeedError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc
