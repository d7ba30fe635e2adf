"""The case exchange format `hotline-cases` v1 (JSON Lines): streamed export, validated batched import.

See docs/exchange.md for the format. Export is canonical (fixed key order, event `data` keys sorted,
times in the local time zone), so export -> import -> export reproduces the file byte for byte.
Import validates the whole file first, then loads batch by batch, one transaction per batch, writing
orders, events and links with bulk_create (historical records are not replayed through transition()).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from django.db import DatabaseError, transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from tqdm import tqdm

from hotline.directory.models import Tag, Unit
from hotline.workorders.exchange_format import (
    CASE_FIELDS, DATA_REFS, FORMAT, VERSION, CaseRow, Directory, Issue, check_case, check_header,
)
from hotline.workorders.models import Event, NumberSequence, WorkOrder

__all__ = ["FORMAT", "VERSION", "ExportError", "ImportResult", "Issue", "export_cases", "import_cases"]

MAX_ISSUES = 10_000  # issues kept for the report; the rest are only counted
DB_CHUNK = 500  # values per IN (...) lookup
_NUMBER_RE = re.compile(r"^(RX|XX)(\d{8})(\d{6})$")


class Writer(Protocol):
    def write(self, s: str, /) -> Any: ...


class ExportError(RuntimeError):
    """The database holds something the format cannot express (a dangling id in event data)."""


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _canonical(value: Any) -> Any:
    """JSON value with object keys sorted at every level, so that stored key order never matters."""
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


# --- export -------------------------------------------------------------------------------------

def header(*, box: str | None, date_from: dt.date | None, date_to: dt.date | None) -> dict[str, Any]:
    return {
        "format": FORMAT, "version": VERSION, "box": box,
        "from": date_from.isoformat() if date_from else None, "to": date_to.isoformat() if date_to else None,
    }


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def export_cases(
    out: Writer, *, box: str | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
    chunk_size: int = 500,
) -> int:
    """Write the header and one line per case (received in [date_from, date_to], local dates). Returns cases."""
    directory = Directory.load()
    out.write(_dumps(header(box=box, date_from=date_from, date_to=date_to)) + "\n")
    qs = WorkOrder.objects.annotate(merged_number=F("merged_into__number")).order_by("received_at", "number")
    if box:
        qs = qs.filter(box=box)
    if date_from:
        qs = qs.filter(received_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(received_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    qs = qs.prefetch_related(
        Prefetch("events", queryset=Event.objects.order_by("seq")),
        Prefetch("tags", queryset=Tag.objects.only("id")),
        Prefetch("co_units", queryset=Unit.objects.only("id")),
    )
    count = 0
    for order in qs.iterator(chunk_size=chunk_size):
        out.write(_dumps(case_line(order, directory)) + "\n")
        count += 1
    return count


def case_line(order: WorkOrder, d: Directory) -> dict[str, Any]:
    code = d.code
    category = None
    if order.category_id is not None:
        taxonomy, path = d.categories[order.category_id]
        category = {"taxonomy": taxonomy, "path": list(path)}
    values: dict[str, Any] = {
        "number": order.number, "box": order.box, "channel": code("channel", order.channel_id),
        "citizen_name": order.citizen_name, "citizen_phone": order.citizen_phone,
        "confidential": order.confidential, "title": order.title, "content": order.content,
        "address": order.address, "region": code("region", order.region_id),
        "appeal_type": code("appeal_type", order.appeal_type_id), "category": category,
        "tags": sorted(code("tag", t.pk) for t in order.tags.all()),
        "urgency": order.urgency, "unit": code("unit", order.unit_id),
        "co_units": sorted(code("unit", u.pk) for u in order.co_units.all()),
        "status": order.status, "received_at": _iso(order.received_at),
        "dispatched_at": _iso(order.dispatched_at), "deadline": _iso(order.deadline),
        "deadline_fallback": order.deadline_fallback, "extension_pending": order.extension_pending,
        "overdue": order.overdue, "reminded": order.reminded,
        "merged_into": order.merged_number,  # type: ignore[attr-defined]
        "source": order.source, "idempotency_key": order.idempotency_key, "external_id": order.external_id,
        "events": [_event_line(order, e, d) for e in order.events.all()],
    }
    assert tuple(values) == CASE_FIELDS
    return values


def _event_line(order: WorkOrder, event: Event, d: Directory) -> dict[str, Any]:
    return {
        "seq": event.seq, "kind": event.kind, "at": _iso(event.at),
        "actor": d.code("user", event.actor_id), "actor_role": event.actor_role,
        "from_status": event.from_status, "to_status": event.to_status,
        "unit": d.code("unit", event.unit_id), "reason": event.reason,
        "data": _canonical(_data_to_codes(order, event, d)),
    }


def _data_to_codes(order: WorkOrder, event: Event, d: Directory) -> Any:
    refs = DATA_REFS.get(event.kind)
    data = event.data
    if not refs or not isinstance(data, dict):
        return data
    data = dict(data)
    for key, (kind, many) in refs.items():
        if data.get(key) is None:
            continue
        ids = data[key] if many else [data[key]]
        codes = []
        for raw in ids:
            try:
                codes.append(d.by_id[kind][int(raw)])
            except (KeyError, TypeError, ValueError):
                raise ExportError(
                    f"case {order.number} event {event.seq}: data.{key} holds {raw!r}, not the id of any {kind}"
                ) from None
        data[key] = codes if many else codes[0]
    return data


# --- import -------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    cases: int = 0  # case lines in the file (header excluded)
    loaded: int = 0
    events: int = 0
    issues: list[Issue] = field(default_factory=list)
    more_issues: int = 0  # issues found beyond MAX_ISSUES
    rejected: list[tuple[int, int]] = field(default_factory=list)  # line ranges of batches not loaded

    @property
    def ok(self) -> bool:
        return not self.issues and not self.rejected

    def add(self, issue: Issue) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)
        else:
            self.more_issues += 1


@dataclass
class _Plan:
    """What the validation pass learnt about the file."""

    numbers: dict[str, int] = field(default_factory=dict)  # number of each valid case -> its line
    merges: list[tuple[int, str]] = field(default_factory=list)  # (line, merged_into number)
    bad_lines: set[int] = field(default_factory=set)


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with open(path, "rb") as fh:
        yield from enumerate(fh, start=1)


def _decode(raw: bytes) -> tuple[Any, str | None]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} at column {exc.colno}"


def _parse(raw: bytes, d: Directory) -> tuple[CaseRow | None, list[tuple[str, str]]]:
    obj, error = _decode(raw)
    if error is not None:
        return None, [("line", error)]
    return check_case(obj, d)


def _batch_of(line: int, batch_size: int) -> int:
    return (line - 2) // batch_size  # line 1 is the header


def import_cases(
    path: Path, *, batch_size: int = 1000, partial: bool = False, progress: IO[str] | None = None,
) -> ImportResult:
    """Validate the whole file, then load it one transaction per batch.

    Default: any bad line and nothing is loaded. partial=True: batches free of bad lines are loaded,
    batches holding one are not. Progress bars go to `progress` when given.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    result = ImportResult()
    d = Directory.load()
    plan = _validate(path, d, result, progress)
    bad = {_batch_of(line, batch_size) for line in plan.bad_lines if line > 1}
    if bad and partial:
        _close_over_merges(plan, bad, batch_size, result)
    if not (bad and not partial) and 1 not in plan.bad_lines:
        _load(path, d, plan, bad, batch_size, partial, result, progress)
    result.issues.sort(key=lambda i: (i.line, i.field))
    return result


def _validate(path: Path, d: Directory, result: ImportResult, progress: IO[str] | None) -> _Plan:
    plan = _Plan()

    def bad(line: int, fld: str, reason: str) -> None:
        result.add(Issue(line, fld, reason))
        plan.bad_lines.add(line)

    keys: dict[tuple[str, str], int] = {}
    pending: list[tuple[int, CaseRow]] = []
    size = os.path.getsize(path)
    with tqdm(total=size, unit="B", unit_scale=True, desc="validate", file=progress, disable=progress is None,
              mininterval=0.5) as bar:
        for line, raw in _lines(path):
            bar.update(len(raw))
            if line == 1:
                obj, error = _decode(raw)
                for fld, reason in [("line", error)] if error else check_header(obj):
                    bad(1, fld, reason)
                if plan.bad_lines:
                    return plan
                continue
            result.cases += 1
            row, errors = _parse(raw, d)
            for fld, reason in errors:
                bad(line, fld, reason)
            if row is None:
                continue
            if row.number in plan.numbers:
                bad(line, "number", f"case {row.number} already appears on line {plan.numbers[row.number]}")
                continue
            key = (row.fields["source"], row.fields["idempotency_key"])
            if key[1] is not None and key in keys:
                bad(line, "idempotency_key", f"source/idempotency_key already used on line {keys[key]}")
                continue
            plan.numbers[row.number] = line
            if key[1] is not None:
                keys[key] = line
            if row.merged_into:
                plan.merges.append((line, row.merged_into))
            pending.append((line, row))
            if len(pending) >= DB_CHUNK:
                _check_against_db(pending, bad)
                pending = []
    if result.cases == 0 and not plan.bad_lines and size == 0:
        bad(1, "format", "empty file: the first line must be the header")
    _check_against_db(pending, bad)
    _check_merge_targets(plan, bad)
    return plan


def _check_against_db(rows: list[tuple[int, CaseRow]], bad: Any) -> None:
    if not rows:
        return
    taken = set(WorkOrder.objects.filter(number__in=[r.number for _, r in rows]).values_list("number", flat=True))
    with_key = [(line, r) for line, r in rows if r.fields["idempotency_key"] is not None]
    used = set(WorkOrder.objects.filter(
        idempotency_key__in={r.fields["idempotency_key"] for _, r in with_key}
    ).values_list("source", "idempotency_key"))
    for line, row in rows:
        if row.number in taken:
            bad(line, "number", f"case {row.number} already exists in the database")
        elif (row.fields["source"], row.fields["idempotency_key"]) in used:
            bad(line, "idempotency_key", "source/idempotency_key already used by a case in the database")


def _check_merge_targets(plan: _Plan, bad: Any) -> None:
    outside = [(line, n) for line, n in plan.merges if n not in plan.numbers]
    found: set[str] = set()
    for chunk in _chunks(sorted({n for _, n in outside}), DB_CHUNK):
        found.update(WorkOrder.objects.filter(number__in=chunk).values_list("number", flat=True))
    for line, number in outside:
        if number not in found:
            bad(line, "merged_into", f"no valid case numbered {number} in the file or the database")


def _close_over_merges(plan: _Plan, bad: set[int], batch_size: int, result: ImportResult) -> None:
    """Partial mode: a case whose merge target sits in a rejected batch is rejected too (to a fixpoint)."""
    changed = True
    while changed:
        changed = False
        for line, number in plan.merges:
            target = plan.numbers.get(number)
            if target is None or _batch_of(line, batch_size) in bad:
                continue
            if _batch_of(target, batch_size) in bad:
                result.add(Issue(line, "merged_into", f"target case {number} (line {target}) is in a rejected batch"))
                plan.bad_lines.add(line)
                bad.add(_batch_of(line, batch_size))
                changed = True


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _load(path: Path, d: Directory, plan: _Plan, bad: set[int], batch_size: int, partial: bool,
          result: ImportResult, progress: IO[str] | None) -> None:
    good_total = len(plan.numbers) - sum(1 for n in plan.numbers.values() if _batch_of(n, batch_size) in bad)
    forward: dict[str, list[int]] = {}  # merge target number -> ids of loaded cases waiting for it
    rows: list[tuple[int, CaseRow]] = []
    with tqdm(total=good_total, unit="case", desc="import", file=progress, disable=progress is None,
              mininterval=0.5) as bar:
        def flush(batch: int) -> None:
            first, last = 2 + batch * batch_size, 1 + (batch + 1) * batch_size
            if batch in bad:
                result.rejected.append((first, min(last, result.cases + 1)))
            elif rows:
                try:
                    result.events += _load_batch([r for _, r in rows], forward)
                    result.loaded += len(rows)
                    bar.update(len(rows))
                except DatabaseError as exc:  # the database changed since validation (a concurrent writer)
                    result.add(Issue(first, "batch", f"lines {first}-{last} not loaded: {exc}"))
                    result.rejected.append((first, min(last, result.cases + 1)))
                    # Default policy: stop at the first failed batch; partial: carry on with the next.
                    bad.update([batch] if partial else range(batch, _batch_of(result.cases + 1, batch_size) + 1))
            rows.clear()

        current = 0
        for line, raw in _lines(path):
            if line == 1:
                continue
            batch = _batch_of(line, batch_size)
            if batch != current:
                flush(current)
                current = batch
            if batch in bad:
                continue
            row, errors = _parse(raw, d)
            if row is None:
                raise RuntimeError(f"{path} changed during import: line {line} no longer validates ({errors})")
            rows.append((line, row))
        if result.cases:
            flush(current)


def _load_batch(rows: list[CaseRow], forward: dict[str, list[int]]) -> int:
    """Insert one batch in one transaction. `forward` is updated only once the batch has committed."""
    with transaction.atomic():
        targets = sorted({r.merged_into for r in rows if r.merged_into})
        known: dict[str, int] = {}
        for chunk in _chunks(targets, DB_CHUNK):
            known.update(WorkOrder.objects.filter(number__in=chunk).values_list("number", "id"))
        orders = [
            WorkOrder(**r.fields, number=r.number, version=len(r.events),
                      merged_into_id=known.get(r.merged_into) if r.merged_into else None)
            for r in rows
        ]
        WorkOrder.objects.bulk_create(orders)
        ids = {o.number: o.pk for o in orders}
        links: list[tuple[int, int]] = []
        waiting: dict[str, list[int]] = {}
        for row, order in zip(rows, orders):
            if row.merged_into and order.merged_into_id is None:
                if row.merged_into in ids:
                    links.append((order.pk, ids[row.merged_into]))
                else:
                    waiting.setdefault(row.merged_into, []).append(order.pk)
        resolved = [n for n in forward if n in ids]
        links += [(src, ids[n]) for n in resolved for src in forward[n]]
        for src, target in links:
            WorkOrder.objects.filter(pk=src).update(merged_into_id=target)
        events = [Event(order_id=o.pk, **e) for r, o in zip(rows, orders) for e in r.events]
        Event.objects.bulk_create(events)
        WorkOrder.tags.through.objects.bulk_create(
            [WorkOrder.tags.through(workorder_id=o.pk, tag_id=t) for r, o in zip(rows, orders) for t in r.tags]
        )
        WorkOrder.co_units.through.objects.bulk_create(
            [WorkOrder.co_units.through(workorder_id=o.pk, unit_id=u) for r, o in zip(rows, orders) for u in r.co_units]
        )
        _advance_number_sequences(ids)
    for n in resolved:
        del forward[n]
    for n, srcs in waiting.items():
        forward.setdefault(n, []).extend(srcs)
    return len(events)


def _advance_number_sequences(numbers: Iterable[str]) -> None:
    """Keep next_number() from handing out an imported case number again."""
    highest: dict[str, int] = {}
    for number in numbers:
        m = _NUMBER_RE.match(number)
        if m:
            prefix = m.group(1) + m.group(2)
            highest[prefix] = max(highest.get(prefix, 0), int(m.group(3)))
    for prefix, last in highest.items():
        seq, _ = NumberSequence.objects.select_for_update().get_or_create(prefix=prefix)
        if seq.last < last:
            seq.last = last
            seq.save(update_fields=["last"])
