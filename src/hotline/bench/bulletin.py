"""`hotline bench bulletin`: simulate Yueyang 2024-05, run its assessment months, build the whole bulletin.

Runs in a throwaway SQLite database (see harness.respawn_in_throwaway): migrate, simulate the month at
--scale through the import path (timed, cases/s), score both Yueyang assessment schemes as draft runs
(the bulletin's tables read them), then build the `yueyang` bulletin in all three formats (docx, pdf,
xlsx) with the phase timings the bulletin service records. Peak RSS is this process's (simulation and
Python rendering); LibreOffice's, which converts the PDF in a child process, is printed apart.

--keep DIR writes the bulletin files and a copy of the database (VACUUM INTO) to DIR before the
throwaway directory is deleted.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from hotline.bench.harness import Output, in_throwaway_process, respawn_in_throwaway, start_throwaway

CITY, MONTH, STYLE = "yueyang", "2024-05", "yueyang"
SCHEMES = ("yueyang-hotline", "yueyang-mailbox")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", default="1", help="simulation scale (default 1: the published month; 30: about 2,000,000 cases)")
    parser.add_argument("--seed", type=int, default=1, help="simulation seed (default 1)")
    parser.add_argument("--keep", metavar="DIR", default=None,
                        help="write the bulletin files and a copy of the database to DIR")


def _scale(text: str) -> Decimal:
    try:
        scale = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"--scale: {text!r} is not a number") from None
    if not scale.is_finite() or scale <= 0:
        raise CommandError(f"--scale: must be a positive number, not {text!r}")
    return scale


def run(options: dict[str, Any], out: Output) -> None:
    scale = _scale(str(options["scale"]))
    keep = Path(options["keep"]).resolve() if options.get("keep") else None
    if keep is not None and keep.exists() and not keep.is_dir():
        raise CommandError(f"--keep: {keep} exists and is not a directory")
    if not in_throwaway_process():
        argv = ["bench", "bulletin", "--scale", str(scale), "--seed", str(options["seed"])]
        if keep is not None:
            argv += ["--keep", str(keep)]
        respawn_in_throwaway(argv, out)
        return
    start_throwaway(out)
    _simulate(scale, options["seed"], out)
    _assess(out)
    if keep is not None:  # before the bulletin, so that a failed bulletin still leaves the month to look at
        _keep_database(keep, out)
    built = _bulletin(out)
    out.write(f"peak RSS (this process): {_peak_mb(resource.RUSAGE_SELF):.0f} MB; "
              f"largest child process (LibreOffice): {_peak_mb(resource.RUSAGE_CHILDREN):.0f} MB\n")
    if keep is not None:
        _keep_files(built, keep, out)


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def _simulate(scale: Decimal, seed: int, out: Output) -> None:
    from hotline.simulate.runner import run as simulate
    from hotline.simulate.spec import SimulationError

    try:
        result = simulate(city=CITY, month=MONTH, scale=scale, seed=seed)
    except SimulationError as exc:
        raise CommandError(f"--{exc.field}: {exc.message}") from None
    rate = result.cases / result.seconds if result.seconds else 0.0
    out.write(f"simulate {CITY} {MONTH} scale {scale} seed {seed}: {result.cases} cases, {result.loaded} loaded "
              f"({result.events} events) in {result.seconds:.1f} s = {rate:.0f} cases/s; "
              f"peak RSS so far {_peak_mb(resource.RUSAGE_SELF):.0f} MB\n")
    out.flush()
    if result.loaded != result.cases:
        raise CommandError(f"{result.cases} cases simulated but {result.loaded} loaded")


def _assess(out: Output) -> None:
    from hotline.assessment.services import run_month

    first = dt.date.fromisoformat(MONTH + "-01")
    for scheme in SCHEMES:
        clock = time.perf_counter()
        assessment = run_month(scheme=scheme, month=first)
        out.write(f"assessment {scheme} {MONTH} (draft run v{assessment.version}): "
                  f"{time.perf_counter() - clock:.2f} s\n")
        out.flush()


def _bulletin(out: Output) -> Any:
    from hotline.bulletin.period import BulletinError, Month
    from hotline.bulletin.services import FORMATS, build

    clock = time.perf_counter()
    try:
        built = build(month=Month.parse(MONTH), style=STYLE, formats=FORMATS)
    except BulletinError as exc:
        raise CommandError(f"{exc.field or 'bulletin'}: {exc.message}") from None
    total = time.perf_counter() - clock
    phases = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in built.seconds.items())
    sizes = ", ".join(f"{name.rsplit('.', 1)[-1]} {len(content) // 1024} KiB"
                      for name, content in sorted(built.files.items()) if not name.endswith(".png"))
    headline = built.figures["hotline"]["headline"]
    out.write(f"bulletin {STYLE} {MONTH} (docx + pdf + xlsx): {total:.2f} s ({phases}); {sizes}\n")
    out.write(f"  hotline received {headline['received']}, answered directly {headline['answered_directly']}, "
              f"dispatched {headline['dispatched']}; closure {headline['closure_rate']} %, "
              f"on time {headline['on_time_rate']} %, satisfaction {headline['satisfaction_rate']} %\n")
    out.flush()
    missing = [f for f in FORMATS if f"{built.base_name()}.{f}" not in built.files]
    if missing:
        raise CommandError(f"the bulletin is missing {', '.join(missing)}")
    return built


def _keep_database(directory: Path, out: Output) -> None:
    from django.db import connection

    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "bench.sqlite3"
    database.unlink(missing_ok=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(database)])
    out.write(f"kept the database in {database}\n")
    out.flush()


def _keep_files(built: Any, directory: Path, out: Output) -> None:
    from hotline.bulletin.services import write_files

    written = write_files(built.files, directory)
    out.write(f"kept {len(written)} bulletin files in {directory}\n")
