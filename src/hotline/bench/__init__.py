"""Benchmarks run by `hotline bench <name>`. Add one by writing a module with `add_arguments` and `run`
and registering it in REGISTRY below."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hotline.bench import assess, bulletin, classify, desks, duplicates, hotspots, intake, kb, replies, routing
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
    "bulletin": Benchmark(
        help="simulate Yueyang 2024-05 at --scale, run its assessments, time the whole bulletin (throwaway SQLite)",
        add_arguments=bulletin.add_arguments, run=bulletin.run,
    ),
    "kb": Benchmark(
        help="knowledge search p50/p95 over --articles (default 100,000), import rate, recall@1/@5 on real replies",
        add_arguments=kb.add_arguments, run=kb.run,
    ),
    "assess": Benchmark(
        help="assess month over a generated month of N orders (default 1M) vs a plain GROUP BY floor",
        add_arguments=assess.add_arguments, run=assess.run,
    ),
    "classify": Benchmark(
        help="text classifier on the shared labelled set: training time, messages/s (segmented, raw), held-out accuracy",
        add_arguments=classify.add_arguments, run=classify.run,
    ),
    "routing": Benchmark(
        help="unit/category suggestion: train on simulated 2024-04, top-1/top-3 accuracy on 2024-05 (throwaway SQLite)",
        add_arguments=routing.add_arguments, run=routing.run,
    ),
    "duplicates": Benchmark(
        help="repeat calls and planted duplicates in simulated 2024-05: precision and recall (throwaway SQLite)",
        add_arguments=duplicates.add_arguments, run=duplicates.run,
    ),
    "hotspots": Benchmark(
        help="hot topics of the real messages vs the published top 5; surge alerts on simulated 2024-05",
        add_arguments=hotspots.add_arguments, run=hotspots.run,
    ),
    "replies": Benchmark(
        help="reply quality flags on 2,796 real replies vs the hand labels (agreement, kappa); no database",
        add_arguments=replies.add_arguments, run=replies.run,
    ),
    "desks": Benchmark(
        help="p50/p95 of each desk's main page for its heaviest user over 1M cases (reusable bench database)",
        add_arguments=desks.add_arguments, run=desks.run,
    ),
}
