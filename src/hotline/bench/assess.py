"""`hotline bench assess`: time `assess month` over a generated month against a plain GROUP BY floor.

The month (default 1,000,000 orders, ~7.4M events) is generated once into a dedicated bench
database and reused: a SQLite file (`--db`, default in the temp directory) and, with `--postgres
URL`, a PostgreSQL database whose name must contain "bench" (it is filled, never emptied).
Each database is handled in a child process started with that database configured.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from hotline.bench.harness import Output, in_throwaway_process, run_per_database

MONTH = dt.date(2024, 5, 1)
SCHEME = "yueyang-hotline"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders in the month (default 1,000,000)")
    parser.add_argument("--db", default="", help="SQLite bench file (default: temp dir, reused if present)")
    parser.add_argument("--postgres", default="", help="postgres://… URL of a database named *bench* to run on too")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions; the best is reported (default 3)")


def run(options: dict[str, Any], out: Output) -> None:
    if options["orders"] < 1 or options["repeat"] < 1:
        raise CommandError("--orders and --repeat must be >= 1")
    if in_throwaway_process():
        _measure(options, out)
        return
    run_per_database("assess", options, out)


def _best(fn: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _measure(options: dict[str, Any], out: Output) -> None:
    from hotline.assessment.services import compute_month
    from hotline.bench import assess_data
    from hotline.workorders.metrics import floor_sql, metric_columns_ready

    call_command("migrate", verbosity=0, interactive=False)
    have, want = assess_data.existing_orders(), options["orders"]
    if have < want:
        out.write(f"generating {want - have:,} orders (reused: {have:,}) …\n")
        started = time.perf_counter()
        events = assess_data.generate(want - have, seed=42 + have, progress=lambda s: out.write(s + "\n"))
        out.write(f"generated {want - have:,} orders, {events:,} events in {time.perf_counter() - started:.0f} s\n")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    else:
        out.write(f"reusing {have:,} bench orders\n")
    if not metric_columns_ready(month=MONTH):
        out.write("warning: some events lack their metric columns; the slow fallback path will run\n")
    sql, params = floor_sql("hotline", MONTH)

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    floor_s = _best(floor, options["repeat"])
    # The first run of a month also writes its automatic ledger entries; later runs only compare.
    first_s = _best(lambda: compute_month(scheme=SCHEME, month=MONTH), 1)
    assess_s = _best(lambda: compute_month(scheme=SCHEME, month=MONTH), options["repeat"])
    out.write(f"first run of the month (with its ledger entries): {first_s:.2f} s\n")
    out.write(f"floor (plain GROUP BY over the month's events): {floor_s:.2f} s\n")
    out.write(f"assess month --scheme {SCHEME} --month 2024-05:  {assess_s:.2f} s "
              f"(ratio {assess_s / floor_s:.2f}×; targets < 10 s and ≤ 3×)\n")
    out.flush()
