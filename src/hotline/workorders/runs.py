"""Import runs: every `hotline import` (and `hotline simulate`) records what it loads, so that a load
killed half-way is visible (the month reads as incomplete) and the same command, run again, resumes
it without duplicates. See docs/decisions.md, "Crash safety and import runs"."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import IO, Any

from django.db.models import F
from django.utils import timezone

from hotline.workorders.exchange import ImportResult, Stream, import_cases
from hotline.workorders.models import ImportRun, WorkOrder

State = ImportRun.State


class RunRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def file_digest(path: Path | IO[bytes]) -> str:
    sha = hashlib.sha256()
    if isinstance(path, Path):
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                sha.update(block)
    else:
        path.flush()
        path.seek(0)
        while block := path.read(1 << 20):
            sha.update(block)
    return sha.hexdigest()


def _resumable(digest: str) -> ImportRun | None:
    """The latest run of this file; refuse a file already loaded, resume one that was interrupted."""
    last = ImportRun.objects.filter(kind=ImportRun.Kind.IMPORT, digest=digest).order_by("-started_at", "-id").first()
    if last is None or last.status == State.FAILED:
        return None
    if last.status in (State.COMPLETE, State.PARTIAL):
        raise RunRefused(f"该文件已于 {timezone.localtime(last.started_at):%Y-%m-%d %H:%M} 导入"
                         f"（导入记录 #{last.pk}，{last.get_status_display()}，{last.cases_loaded} 件），不再重复导入")
    return last


def import_file(path: Path, *, batch_size: int = 1000, partial: bool = False, progress: Stream | None = None,
                pause: float = 0.0) -> tuple[ImportResult, ImportRun]:
    """`import_cases` with its run recorded; an interrupted run of the same file is resumed with its own
    batch size (the batches it committed are skipped, the rest loaded)."""
    digest = file_digest(path)
    run = _resumable(digest)
    if run is None:
        run = ImportRun.objects.create(kind=ImportRun.Kind.IMPORT, label=str(path)[:300], digest=digest,
                                       started_at=timezone.now(), pid=os.getpid(), batch_size=batch_size)
    else:
        ImportRun.objects.filter(pk=run.pk).update(pid=os.getpid())
    committed = list(run.batches_done)

    def on_validated(result: ImportResult) -> None:
        months = sorted(result.months)  # before the first batch: a killed run already names its months
        ImportRun.objects.filter(pk=run.pk).update(cases_total=result.cases, months=months, touches=months)

    def on_batch(batch: int, cases: int) -> None:
        committed.append(batch)
        ImportRun.objects.filter(pk=run.pk).update(batches_done=committed, cases_loaded=F("cases_loaded") + cases)

    result = import_cases(path, batch_size=run.batch_size, partial=partial, progress=progress,
                          done=frozenset(run.batches_done), on_batch=on_batch, on_validated=on_validated,
                          pause=pause)
    status = State.COMPLETE if result.ok else State.PARTIAL if committed else State.FAILED
    ImportRun.objects.filter(pk=run.pk).update(status=status, finished_at=timezone.now(), pid=None)
    run.refresh_from_db()
    return result, run


def record_simulation(*, label: str, digest: str, months: list[str], touches: set[str], cases: int,
                      started_at: dt.datetime) -> ImportRun:
    """A simulation is one transaction: its run is written complete, inside it, or not at all."""
    return ImportRun.objects.create(
        kind=ImportRun.Kind.SIMULATE, label=label[:300], digest=digest, status=State.COMPLETE,
        started_at=started_at, finished_at=timezone.now(), cases_total=cases, cases_loaded=cases,
        months=sorted(months), touches=sorted(touches | set(months)),
    )


# --- reads ----------------------------------------------------------------------------------------

def month_key(first_day: dt.date) -> str:
    return f"{first_day:%Y-%m}"


def month_gaps(first_day: dt.date) -> list[str]:
    """Why a month's data is not complete (empty when it is, as far as the runs tell): an interrupted or
    partial load that touched it, or loaded cases of it only as a by-product (a simulation's carried-over
    cases) without any run providing the whole month."""
    key = month_key(first_day)
    runs: list[Any] = [r for r in ImportRun.objects.exclude(status=State.FAILED) if key in r.touches]
    reasons = [f"{r} {r.get_status_display()}：已载入 {r.cases_loaded}/{r.cases_total} 件"
               for r in runs if r.status in (State.RUNNING, State.PARTIAL)]
    if runs and not reasons and not any(key in r.months for r in runs):
        reasons.append(f"{key} 只有相邻月份的模拟/导入带入的部分工单，没有完整载入该月")
    return reasons


def month_status(first_day: dt.date, boxes: list[str] | None = None) -> tuple[str, list[str]]:
    """("complete" | "incomplete" | "missing", reasons) for the month starting on first_day."""
    gaps = month_gaps(first_day)
    if gaps:
        return "incomplete", gaps
    start = timezone.make_aware(dt.datetime.combine(first_day, dt.time.min))
    nxt = (first_day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    end = timezone.make_aware(dt.datetime.combine(nxt, dt.time.min))
    cases = WorkOrder.objects.filter(received_at__gte=start, received_at__lt=end)
    if boxes:
        cases = cases.filter(box__in=boxes)
    if not cases.exists():
        return "missing", [f"{month_key(first_day)} 没有任何工单"]
    return "complete", []
