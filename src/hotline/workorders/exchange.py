"""The case exchange format `hotline-cases` v1 (JSON Lines): streamed export, validated batched import.

See docs/exchange.md for the format. Export is canonical (fixed key order, event `data` keys sorted,
times in the local time zone), so export -> import -> export reproduces the file byte for byte.
Import validates the whole file first (spooling the checked rows to a temporary file), then loads it
batch by batch, one transaction per batch. Events are historical records: they are inserted as they
are, not replayed through transition(), and each order's version is set to its number of events.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import json
import marshal
import os
import pickle
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import F
from django.utils import timezone
from tqdm import tqdm

from hotline.workorders.exchange_format import (
    CASE_FIELDS, DATA_REFS, FORMAT, VERSION, CaseRow, Directory, Issue, check_case, check_header,
)
from hotline.workcalendar.models import Box
from hotline.audit.chain import GENESIS
from hotline.workorders import tenure
from hotline.workorders.chain import event_hash
from hotline.directory.models import User
from hotline.workorders.models import Event, NumberSequence, WorkOrder, metric_columns
from hotline.workorders.selectors import citizen_view, identity_hidden, visible_orders

__all__ = ["FORMAT", "VERSION", "ExportError", "ImportResult", "Issue", "export_cases", "import_cases"]

ANALYZE_AFTER = 10_000  # cases loaded before the planner statistics are refreshed
MAX_ISSUES = 10_000  # issues kept for the report; the rest are only counted
DB_CHUNK = 500  # values per IN (...) lookup
_NUMBER_RE = re.compile(r"^(RX|XX)(\d{8})(\d{6})$")


class Writer(Protocol):
    def write(self, s: str, /) -> Any: ...


class Stream(Writer, Protocol):
    def flush(self) -> Any: ...


Report = Callable[[int, str, str], None]  # (line, field, reason)
Record = tuple[Any, ...]  # (number, order row, tag ids, co-unit ids, merged_into number, event rows)


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


_EVENT_VALUES = ("order_id", "seq", "kind", "at", "actor_id", "actor_role", "from_status", "to_status", "unit_id",
                 "reason", "data")


def export_cases(
    out: Writer, *, box: str | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
    chunk_size: int = 500, viewer: User | None = None,
) -> int:
    """Write the header and one line per case (received in [date_from, date_to], local dates). Returns cases.

    With a `viewer`: only the cases that user sees, citizens masked as the user sees them in the browser;
    the header says so (`"view"`), and the importer refuses such a file. Without: everything, unmasked
    (the caller decides who may do that: see the export command).
    Streams: cases are read in chunks of `chunk_size`, each chunk's events and links in three queries.
    """
    directory = Directory.load()
    head = header(box=box, date_from=date_from, date_to=date_to)
    if viewer is not None:
        head["view"] = {"as": viewer.get_username(), "masked": True}
    out.write(_dumps(head) + "\n")
    qs = (visible_orders(viewer) if viewer is not None else WorkOrder.objects.all()).order_by("received_at", "number")
    if box:
        qs = qs.filter(box=box)
    if date_from:
        qs = qs.filter(received_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(received_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    columns = [f.attname for f in WorkOrder._meta.concrete_fields]
    rows = qs.annotate(merged_number=F("merged_into__number")).values(*columns, "merged_number")
    count = 0
    for chunk in _batched(rows.iterator(chunk_size=chunk_size), chunk_size):
        ids = [r["id"] for r in chunk]
        events: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for e in Event.objects.filter(order_id__in=ids).order_by("order_id", "seq").values(*_EVENT_VALUES):
            events[e["order_id"]].append(e)
        tags = _links(WorkOrder.tags.through, "tag_id", ids)
        co_units = _links(WorkOrder.co_units.through, "unit_id", ids)
        for r in chunk:
            line = case_line(r, events[r["id"]], tags[r["id"]], co_units[r["id"]], directory)
            if viewer is not None:
                _mask(line, viewer, r)
            out.write(_dumps(line) + "\n")
            count += 1
    return count


def _mask(line: dict[str, Any], viewer: User, row: dict[str, Any]) -> None:
    """The citizen fields as `viewer` sees them on the case page (the one masking function decides)."""
    order = WorkOrder(confidential=row["confidential"], citizen_name=row["citizen_name"],
                      citizen_phone=row["citizen_phone"], address=row["address"])
    view = citizen_view(viewer, order)
    line["citizen_name"], line["citizen_phone"] = view["citizen_name"], view["citizen_phone"]
    line["address"] = view.get("address", "（保密）" if identity_hidden(viewer, order) else row["address"])


def _batched(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _links(through: type[models.Model], column: str, ids: list[int]) -> dict[int, list[int]]:
    links: dict[int, list[int]] = defaultdict(list)
    pairs = through._default_manager.filter(workorder_id__in=ids).values_list("workorder_id", column)
    for order_id, other in pairs:
        links[order_id].append(other)
    return links


def case_line(order: dict[str, Any], events: list[dict[str, Any]], tags: list[int], co_units: list[int],
              d: Directory) -> dict[str, Any]:
    """One case in the file's shape, from its column values, events and link ids."""
    code = d.code
    category = None
    if order["category_id"] is not None:
        taxonomy, path = d.categories[order["category_id"]]
        category = {"taxonomy": taxonomy, "path": list(path)}
    values: dict[str, Any] = {
        "number": order["number"], "box": order["box"], "channel": code("channel", order["channel_id"]),
        "citizen_name": order["citizen_name"], "citizen_phone": order["citizen_phone"],
        "confidential": order["confidential"], "title": order["title"], "content": order["content"],
        "address": order["address"], "region": code("region", order["region_id"]),
        "appeal_type": code("appeal_type", order["appeal_type_id"]), "category": category,
        "tags": sorted(d.by_id["tag"][t] for t in tags), "urgency": order["urgency"],
        "unit": code("unit", order["unit_id"]), "co_units": sorted(d.by_id["unit"][u] for u in co_units),
        "status": order["status"], "received_at": _iso(order["received_at"]),
        "dispatched_at": _iso(order["dispatched_at"]), "deadline": _iso(order["deadline"]),
        "deadline_fallback": order["deadline_fallback"], "extension_pending": order["extension_pending"],
        "overdue": order["overdue"], "reminded": order["reminded"], "merged_into": order["merged_number"],
        "source": order["source"], "idempotency_key": order["idempotency_key"],
        "external_id": order["external_id"],
        "events": [_event_line(order["number"], e, d) for e in events],
    }
    assert tuple(values) == CASE_FIELDS
    return values


def _event_line(number: str, event: dict[str, Any], d: Directory) -> dict[str, Any]:
    return {
        "seq": event["seq"], "kind": event["kind"], "at": _iso(event["at"]),
        "actor": d.code("user", event["actor_id"]), "actor_role": event["actor_role"],
        "from_status": event["from_status"], "to_status": event["to_status"],
        "unit": d.code("unit", event["unit_id"]), "reason": event["reason"],
        "data": _canonical(_data_to_codes(number, event, d)),
    }


def _data_to_codes(number: str, event: dict[str, Any], d: Directory) -> Any:
    refs = DATA_REFS.get(event["kind"])
    data = event["data"]
    if not refs or not isinstance(data, dict):
        return data
    data = dict(data)
    for key, (kind, many) in refs.items():
        if data.get(key) is None:
            continue
        codes = []
        for raw in data[key] if many else [data[key]]:
            try:
                codes.append(d.by_id[kind][int(raw)])
            except (KeyError, TypeError, ValueError):
                raise ExportError(
                    f"case {number} event {event['seq']}: data.{key} holds {raw!r}, not the id of any {kind}"
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
    months: set[str] = field(default_factory=set)  # YYYY-MM (local) of the valid cases' received_at
    resumed: int = 0  # cases skipped because an interrupted run of the same file had loaded them

    @property
    def ok(self) -> bool:
        return not self.issues and not self.more_issues and not self.rejected

    def add(self, issue: Issue) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)
        else:
            self.more_issues += 1


class _Columns:
    """A model's columns for executemany, each value adapted the way the ORM adapts it for this database.

    bulk_create does the same, plus a per-value SQL-compiler overhead that caps an import near
    2,000 cases/s; validated values need only the adaptation (see docs/exchange.md, "Speed").
    """

    def __init__(self, model: type[models.Model], *, skip: str = "") -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname != skip]
        self.db = router.db_for_write(model)
        ops = connections[self.db].ops
        self.sources = [(f.attname, f.get_default()) for f in self.fields]
        self.preps: list[tuple[int, Callable[[Any], Any]]] = []  # (column index, adapter) where one is needed
        for i, f in enumerate(self.fields):
            if isinstance(f, models.DateTimeField):
                self.preps.append((i, ops.adapt_datetimefield_value))
            elif isinstance(f, models.JSONField):
                self.preps.append((i, functools.partial(ops.adapt_json_value, encoder=f.encoder)))

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        out = [values.get(name, default) for name, default in self.sources]
        for i, adapt in self.preps:
            out[i] = adapt(out[i])
        return tuple(out)

    def insert(self, rows: list[tuple[Any, ...]], *, first: Any = None) -> None:
        """INSERT the rows; `first` is a leading column (the order of events) given in each row."""
        if not rows:
            return
        conn = connections[self.db]
        qn = conn.ops.quote_name
        columns = ([first] if first else []) + self.fields
        sql = (f"INSERT INTO {qn(self.model._meta.db_table)} ({', '.join(qn(f.column) for f in columns)}) "
               f"VALUES ({', '.join(['%s'] * len(columns))})")
        with conn.cursor() as cursor:
            cursor.executemany(sql, rows)


@dataclass
class _Plan:
    """What the validation pass learnt about the file; valid batches wait in a spool file."""

    spool: IO[bytes]
    batch_size: int
    orders: _Columns = field(default_factory=lambda: _Columns(WorkOrder))
    events: _Columns = field(default_factory=lambda: _Columns(Event, skip="order_id"))
    numbers: dict[str, int] = field(default_factory=dict)  # number of each valid case -> its line
    merges: list[tuple[int, str]] = field(default_factory=list)  # (line, merged_into number)
    bad_lines: set[int] = field(default_factory=set)
    bad_batches: set[int] = field(default_factory=set)  # batches holding a bad line
    done: frozenset[int] = frozenset()  # batches an interrupted run of the same file committed
    on_batch: Callable[[int, int], None] | None = None  # (batch, cases) inside the batch's transaction

    def batch(self, line: int) -> int:
        return (line - 2) // self.batch_size  # line 1 is the header

    def mark(self, line: int) -> None:
        self.bad_lines.add(line)
        if line > 1:
            self.bad_batches.add(self.batch(line))


def _decode(raw: bytes) -> tuple[Any, str | None]:
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
    try:
        obj = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} at character {exc.pos + 1}"
    except ValueError as exc:
        return None, f"invalid JSON: {exc}"
    if b"\\u0000" in raw and _has_nul(obj):  # PostgreSQL cannot store NUL in text or jsonb
        return None, "contains a NUL character (\\u0000), which the database cannot store"
    return obj, None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)  # NaN and Infinity are not JSON


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def refresh_statistics() -> None:
    """Let the query planner see the loaded volume. Without statistics SQLite answers "has an event
    of this kind" subqueries from the (kind, at) index once per order (minutes at scale 1) and
    PostgreSQL plans for empty tables."""
    tables = [WorkOrder._meta.db_table, Event._meta.db_table]
    conn = connections[router.db_for_write(Event)]
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            for table in tables:
                cursor.execute(f'ANALYZE "{table}"')
        elif conn.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(f'"{t}"' for t in tables))


def import_cases(
    path: Path | IO[bytes], *, batch_size: int = 1000, partial: bool = False, progress: Stream | None = None,
    done: frozenset[int] = frozenset(), on_batch: Callable[[int, int], None] | None = None,
    on_validated: Callable[[ImportResult], None] | None = None, pause: float = 0.0,
) -> ImportResult:
    """Validate the whole file, then load it one transaction per batch.

    Default: any bad line and nothing is loaded. partial=True: batches free of bad lines are loaded,
    batches holding one are not. Progress bars go to `progress` when given. `path` may be an open binary
    file (an anonymous temporary file leaves nothing behind when the process is killed).
    Resuming (hotline.workorders.runs): batches in `done` were committed by an interrupted run of the
    same file with the same batch size and are skipped; `on_batch(batch, cases)` runs inside each
    batch's transaction, so the run's record of committed batches is exact even after a SIGKILL.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    result = ImportResult()
    with tempfile.TemporaryFile(prefix="hotline-import-") as spool:
        plan = _Plan(spool=spool, batch_size=batch_size, done=done, on_batch=on_batch)
        _validate(path, Directory.load(), plan, result, partial, progress)
        bad = set(plan.bad_batches)
        if bad and partial:
            _close_over_merges(plan, bad, result)
        if (partial or not bad) and 1 not in plan.bad_lines:
            if on_validated is not None:
                on_validated(result)
            _load(plan, bad, partial, result, progress, pause)
    if result.loaded >= ANALYZE_AFTER:
        refresh_statistics()
    result.issues.sort(key=lambda i: (i.line, i.field))
    return result


def _validate(path: Path | IO[bytes], d: Directory, plan: _Plan, result: ImportResult, partial: bool,
              progress: Stream | None) -> None:
    def bad(line: int, fld: str, reason: str) -> None:
        result.add(Issue(line, fld, reason))
        plan.mark(line)

    keys: dict[tuple[str, str], int] = {}
    rows: list[tuple[int, CaseRow]] = []
    current = 0
    with _opened(path) as (fh, size), tqdm(total=size, unit="B", unit_scale=True, desc="validate",
                                           file=progress, disable=progress is None, mininterval=0.5) as bar:
        for line, raw in enumerate(fh, start=1):
            bar.update(len(raw))
            if line == 1:
                obj, error = _decode(raw)
                for fld, reason in [("line", error)] if error else check_header(obj):
                    bad(1, fld, reason)
                if plan.bad_lines:
                    return
                continue
            result.cases += 1
            if plan.batch(line) != current:
                _end_batch(current, rows, plan, bad, spool=partial or not plan.bad_lines)
                current, rows = plan.batch(line), []
            obj, error = _decode(raw)
            row, errors = (None, [("line", error)]) if error else check_case(obj, d)
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
            received = row.fields.get("received_at")
            if isinstance(received, dt.datetime):
                result.months.add(timezone.localtime(received).strftime("%Y-%m"))
            rows.append((line, row))
    if size == 0:
        bad(1, "format", "empty file: the first line must be the header")
    _end_batch(current, rows, plan, bad, spool=partial or not plan.bad_lines)
    _check_merge_targets(plan, bad)


@contextlib.contextmanager
def _opened(path: Path | IO[bytes]) -> Iterator[tuple[IO[bytes], int]]:
    """The file to validate and its size; an already open file is read from its start and left open."""
    if isinstance(path, (str, Path)):
        with open(path, "rb") as fh:
            yield fh, os.fstat(fh.fileno()).st_size
        return
    path.flush()
    path.seek(0)
    yield path, os.fstat(path.fileno()).st_size


def _end_batch(batch: int, rows: list[tuple[int, CaseRow]], plan: _Plan, bad: Report, *, spool: bool) -> None:
    """Check a batch's valid rows against the database, then spool it if it is still clean."""
    if batch in plan.done:  # committed by the interrupted run being resumed: its cases are ours
        return
    for chunk in _chunks(rows, DB_CHUNK):
        taken = set(WorkOrder.objects.filter(number__in=[r.number for _, r in chunk])
                    .values_list("number", flat=True))
        keyed = {r.fields["idempotency_key"] for _, r in chunk if r.fields["idempotency_key"] is not None}
        used = set(WorkOrder.objects.filter(idempotency_key__in=keyed).values_list("source", "idempotency_key"))
        for line, row in chunk:
            if row.number in taken:
                bad(line, "number", f"case {row.number} already exists in the database")
            elif (row.fields["source"], row.fields["idempotency_key"]) in used:
                bad(line, "idempotency_key", "source/idempotency_key already used by a case in the database")
    if spool and rows and batch not in plan.bad_batches:
        _spool_write(plan.spool, (batch, [_record(row, plan) for _, row in rows]))


def _record(row: CaseRow, plan: _Plan) -> Record:
    """A validated case as database parameters, ready for the load pass."""
    order = plan.orders.row(dict(row.fields, number=row.number, version=len(row.events), merged_into_id=None))
    box = row.fields.get("box", Box.HOTLINE)
    events, prev = [], GENESIS
    for e in row.events:  # a new order's complete history: its chain is computed here, in memory
        prev = event_hash(prev, number=row.number, **e)
        events.append(plan.events.row(dict(e, hash=prev, **metric_columns(box=box, kind=e["kind"], data=e["data"]))))
    return row.number, order, row.tags, row.co_units, row.merged_into, events


def _spool_write(fh: IO[bytes], obj: Any) -> None:
    """marshal is 3x faster than pickle but takes plain values only (SQLite's parameters are; PostgreSQL's
    datetimes and Jsonb wrappers are not, and fall back to pickle)."""
    try:
        tag, blob = b"M", marshal.dumps(obj)
    except ValueError:
        tag, blob = b"P", pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(tag + len(blob).to_bytes(8, "little") + blob)


def _spool_read(fh: IO[bytes]) -> Iterator[Any]:
    fh.seek(0)
    while head := fh.read(9):
        blob = fh.read(int.from_bytes(head[1:], "little"))
        yield marshal.loads(blob) if head[:1] == b"M" else pickle.loads(blob)


def _check_merge_targets(plan: _Plan, bad: Report) -> None:
    outside = [(line, n) for line, n in plan.merges if n not in plan.numbers]
    found: set[str] = set()
    for chunk in _chunks(sorted({n for _, n in outside}), DB_CHUNK):
        found.update(WorkOrder.objects.filter(number__in=chunk).values_list("number", flat=True))
    for line, number in outside:
        if number not in found:
            bad(line, "merged_into", f"no valid case numbered {number} in the file or the database")


def _close_over_merges(plan: _Plan, bad: set[int], result: ImportResult) -> None:
    """Partial mode: a case whose merge target sits in a rejected batch is rejected too (to a fixpoint)."""
    changed = True
    while changed:
        changed = False
        for line, number in plan.merges:
            target = plan.numbers.get(number)
            if target is None or plan.batch(line) in bad or plan.batch(target) not in bad:
                continue
            result.add(Issue(line, "merged_into", f"target case {number} (line {target}) is in a rejected batch"))
            plan.mark(line)
            bad.add(plan.batch(line))
            changed = True


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _load(plan: _Plan, bad: set[int], partial: bool, result: ImportResult, progress: Stream | None,
          pause: float = 0.0) -> None:
    last_line = result.cases + 1
    span = {b: (2 + b * plan.batch_size, min(1 + (b + 1) * plan.batch_size, last_line)) for b in bad}
    total = sum(1 for line in plan.numbers.values() if plan.batch(line) not in bad | plan.done)
    result.resumed = sum(1 for line in plan.numbers.values() if plan.batch(line) in plan.done)
    writer = _Writer(plan)
    writer.forward = _waiting_merges(plan)
    with tqdm(total=total, unit="case", desc="import", file=progress, disable=progress is None,
              mininterval=0.5) as bar:
        for batch, records in _spool_read(plan.spool):
            if batch in bad:
                continue
            first, last = 2 + batch * plan.batch_size, min(1 + (batch + 1) * plan.batch_size, last_line)
            try:
                writer.batch = batch
                result.events += writer.load_batch(records)
            except DatabaseError as exc:  # the database changed since validation (a concurrent writer)
                result.add(Issue(first, "batch", f"lines {first}-{last} not loaded: {exc}"))
                if not partial:  # default policy: stop at the first failed batch
                    span = {b: r for b, r in span.items() if b < batch} | {batch: (first, last_line)}
                    break
                span[batch] = (first, last)
                continue
            result.loaded += len(records)
            bar.update(len(records))
            if pause:  # between transactions: the database is free for other writers meanwhile
                time.sleep(pause)
    result.rejected = [span[b] for b in sorted(span)]


def _waiting_merges(plan: _Plan) -> dict[str, list[int]]:
    """Resuming: merge links from committed batches to targets still to load (the killed run held them in
    memory only), read back as the loaded cases whose merged_into is still empty."""
    if not plan.done:
        return {}
    line_numbers = {line: number for number, line in plan.numbers.items()}
    pending = {line_numbers[line]: into for line, into in plan.merges
               if plan.batch(line) in plan.done and into in plan.numbers
               and plan.batch(plan.numbers[into]) not in plan.done}
    forward: dict[str, list[int]] = {}
    for chunk in _chunks(sorted(pending), DB_CHUNK):
        for number, pk in WorkOrder.objects.filter(number__in=chunk, merged_into__isnull=True).values_list(
                "number", "id"):
            forward.setdefault(pending[number], []).append(pk)
    return forward


class _Writer:
    """Inserts spooled batches; remembers merge links whose target is still to come."""

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan
        self.forward: dict[str, list[int]] = {}  # merge target number -> ids of loaded cases waiting for it
        self.batch = 0  # index of the batch being loaded

    def load_batch(self, records: list[Record]) -> int:
        """Insert one batch in one transaction; returns the events written."""
        with transaction.atomic():
            self.plan.orders.insert([order for _, order, *_ in records])
            ids: dict[str, int] = {}
            for chunk in _chunks([number for number, *_ in records], DB_CHUNK):
                ids.update(WorkOrder.objects.filter(number__in=chunk).values_list("number", "id"))
            events = [(ids[number], *e) for number, *_, rows in records for e in rows]
            self.plan.events.insert(events, first=Event._meta.get_field("order"))
            tenure.insert_rows(tenure.rows_for_import(
                events, names=["order_id", *(f.attname for f in self.plan.events.fields)]))
            Tags, CoUnits = WorkOrder.tags.through, WorkOrder.co_units.through
            Tags.objects.bulk_create(
                [Tags(workorder_id=ids[number], tag_id=t) for number, _, tags, *_ in records for t in tags])
            CoUnits.objects.bulk_create(
                [CoUnits(workorder_id=ids[number], unit_id=u) for number, _, _, units, *_ in records for u in units])
            waiting = self._link_merges({number: into for number, *_, into, _ in records if into}, ids)
            _advance_number_sequences(ids)
            if self.plan.on_batch is not None:
                self.plan.on_batch(self.batch, len(records))
        for number in ids:
            self.forward.pop(number, None)
        for number, sources in waiting.items():
            self.forward.setdefault(number, []).extend(sources)
        return len(events)

    def _link_merges(self, merges: dict[str, str], ids: dict[str, int]) -> dict[str, list[int]]:
        """Set merged_into where the target is loaded; return the cases still waiting for theirs."""
        known = dict(ids)
        for chunk in _chunks(sorted(set(merges.values()) - ids.keys()), DB_CHUNK):
            known.update(WorkOrder.objects.filter(number__in=chunk).values_list("number", "id"))
        links = [(ids[number], known[into]) for number, into in merges.items() if into in known]
        links += [(source, ids[n]) for n in self.forward if n in ids for source in self.forward[n]]
        for source, target in links:
            WorkOrder.objects.filter(pk=source).update(merged_into_id=target)
        waiting: dict[str, list[int]] = {}
        for number, into in merges.items():
            if into not in known:
                waiting.setdefault(into, []).append(ids[number])
        return waiting


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
