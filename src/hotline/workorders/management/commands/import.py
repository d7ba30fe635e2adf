"""`hotline import FILE.jsonl [--batch-size N] [--partial]`: load cases with their histories."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.audit.models import AuditAction
from hotline.audit.services import CLI, record_access
from hotline.cmdio import RawStream
from hotline.workorders.runs import RunRefused, import_file



class Command(BaseCommand):
    help = ("Import cases (hotline-cases JSON Lines). The whole file is validated first; by default nothing "
            "is loaded if any line is bad. Loading is one transaction per batch; an import that was interrupted "
            "(killed, power cut) is resumed by running the same command again.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .jsonl file")
        parser.add_argument("--batch-size", type=int, default=1000, help="cases per transaction (default 1000)")
        parser.add_argument("--partial", action="store_true",
                            help="load the batches that have no bad line instead of loading nothing")
        parser.add_argument("--pause", type=float, default=0.0, metavar="SECONDS",
                            help="wait this long between batches, to spare a busy production database")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        progress = RawStream(self.stderr) if options["verbosity"] >= 1 else None
        try:
            result, run = import_file(path, batch_size=options["batch_size"], partial=options["partial"],
                                      progress=progress, pause=max(0.0, options["pause"]))
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        except RunRefused as exc:
            raise CommandError(exc.message) from None
        record_access(actor=None, action=AuditAction.IMPORT, obj=run, ip=CLI,
                      detail={"file": str(path), "loaded": result.loaded, "resumed": result.resumed,
                              "status": run.status})
        if result.resumed:
            self.stderr.write(f"resumed interrupted import #{run.pk}: {result.resumed} cases were already loaded")
        for issue in result.issues:
            self.stderr.write(str(issue))
        if result.more_issues:
            self.stderr.write(f"... and {result.more_issues} more problems")
        for first, last in result.rejected:
            self.stderr.write(f"lines {first}-{last}: batch not loaded")
        self.stdout.write(f"{result.loaded} of {result.cases} cases loaded ({result.events} events)")
        if not result.ok:
            problems = len(result.issues) + result.more_issues
            policy = "" if options["partial"] else "; nothing was loaded (use --partial to load the good batches)"
            raise CommandError(f"{problems} problems found{policy if result.loaded == 0 else ''}")
