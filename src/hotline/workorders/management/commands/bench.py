"""`hotline bench <name> [options]`: run one registered benchmark (see hotline.bench.REGISTRY)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hotline.bench import REGISTRY


class Command(BaseCommand):
    help = "Run a benchmark in a throwaway database: " + ", ".join(REGISTRY)

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="benchmark", required=True, metavar="name")
        for name, benchmark in REGISTRY.items():
            benchmark.add_arguments(subparsers.add_parser(name, help=benchmark.help))

    def handle(self, *args: Any, **options: Any) -> None:
        REGISTRY[options["benchmark"]].run(options, self.stdout)
