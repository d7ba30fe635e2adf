"""Benchmarks run by `hotline bench <name>`. Add one by writing a module with `add_arguments` and `run`
and registering it in REGISTRY below."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hotline.bench import intake
from hotline.bench.harness import Output


@dataclass(frozen=True)
class Benchmark:
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[dict[str, Any], Output], None]  # raises CommandError on failure


REGISTRY: dict[str, Benchmark] = {
    "intake": Benchmark(
        help="cases/s through create_order, then through POST /api/intake on gunicorn (throwaway SQLite)",
        add_arguments=intake.add_arguments, run=intake.run,
    ),
}
