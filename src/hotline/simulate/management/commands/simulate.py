"""`hotline simulate --city yueyang --month 2024-05 [--scale X] [--seed N] [--out FILE.jsonl] [--no-load]
[--history N] [--check]`"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.simulate.check import compare, render
from hotline.simulate.runner import run
from hotline.cmdio import RawStream
from hotline.simulate.spec import SimulationError, available



def months_option(options: dict[str, Any]) -> tuple[str, int]:
    """(month, history) from --month [--history N] or --months FIRST..LAST."""
    if bool(options["month"]) == bool(options["months"]):
        raise CommandError("give either --month YYYY-MM or --months FIRST..LAST")
    if options["month"]:
        return options["month"], options["history"]
    if options["history"]:
        raise CommandError("--months already says which baseline months to simulate; drop --history")
    first, sep, last = options["months"].partition("..")
    try:
        a, b = (dt.date.fromisoformat(f"{m.strip()}-01") for m in (first, last))
    except ValueError:
        raise CommandError(f"--months: {options['months']!r} is not FIRST..LAST, e.g. 2024-02..2024-05") from None
    if not sep or a > b:
        raise CommandError(f"--months: {options['months']!r} is not FIRST..LAST with FIRST not after LAST")
    return f"{b:%Y-%m}", (b.year - a.year) * 12 + b.month - a.month


class Command(BaseCommand):
    help = ("Simulate a published month (cases with complete histories) and load it through the import path. "
            f"Months: {', '.join(available())}.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--city", required=True, help="city profile, e.g. yueyang")
        parser.add_argument("--month", help="YYYY-MM of a published month")
        parser.add_argument("--months", metavar="FIRST..LAST",
                            help="e.g. 2024-02..2024-05: LAST (a published month) and the baseline months from FIRST "
                                 "on, so that month-on-month figures have complete months to compare with")
        parser.add_argument("--scale", default="1", help="multiply every count by this (default 1)")
        parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same file")
        parser.add_argument("--out", help="also write the cases to this .jsonl file (hotline-cases format)")
        parser.add_argument("--no-load", action="store_true", help="only write --out, do not load the database")
        parser.add_argument("--chunk", type=int, default=20000, help="cases per import chunk (default 20000)")
        parser.add_argument("--history", type=int, default=0,
                            help="also simulate this many baseline months before it (the usual level for hotspots)")
        parser.add_argument("--plant-surge", action="append", default=[], metavar="DAY:TOPIC[:CALLS]",
                            help="plant a surge of CALLS calls (default 15, whatever the scale) on one road on DAY, "
                                 "copying the month's cluster TOPIC (yueyang 2024-05: water_cut, power_cut, "
                                 "square_dance); repeatable")
        parser.add_argument("--check", action="store_true",
                            help="after loading, compare the month's metrics with the plan and the bulletin")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scale = Decimal(options["scale"])
        except InvalidOperation:
            raise CommandError(f"--scale: {options['scale']!r} is not a number") from None
        if options["no_load"] and not options["out"]:
            raise CommandError("--no-load needs --out: there would be nothing to write")
        if options["no_load"] and options["check"]:
            raise CommandError("--check needs the cases loaded; drop --no-load")
        month, history = months_option(options)
        progress = RawStream(self.stderr) if options["verbosity"] >= 1 else None
        out = Path(options["out"]) if options["out"] else None
        try:
            result = run(city=options["city"], month=month, scale=scale, seed=options["seed"], out=out,
                         load=not options["no_load"], chunk=options["chunk"], history=history,
                         progress=progress, plants=options["plant_surge"])  # type: ignore[arg-type]
        except SimulationError as exc:
            raise CommandError(f"--{exc.field}: {exc.message}") from None
        except OSError as exc:
            raise CommandError(f"{out}: {exc.strerror or exc}") from None
        for note in result.notes:
            self.stderr.write(note)
        rate = result.cases / result.seconds if result.seconds else 0
        self.stdout.write(
            f"{result.cases} cases generated, {result.loaded} loaded ({result.events} events) "
            f"in {result.seconds:.1f} s ({rate:.0f} cases/s), peak RSS {result.peak_rss_mb:.0f} MB"
            + (f"; written to {out}" if out else "")
        )
        if options["check"]:
            assert result.plan is not None
            report = compare(result.plan)
            self.stdout.write(render(report))
            if not report.units_ok:
                raise CommandError("the simulated month does not match its per-unit plan (see above)")
            if not report.ok:
                self.stderr.write("some city figures differ from the bulletin by more than 1 % (see above); "
                                  "below scale 1 the published figures round differently")
