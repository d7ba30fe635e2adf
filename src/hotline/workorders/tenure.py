"""Tenures: a unit's hold on an order, from an assignment to the next assignment or a return.

A projection of the events (docs/metrics.md, "Tenures"), kept in step with them by every writer:
`record()` after each event the transition service appends, `rows_for_import()` for the importer's
and the bench generator's batches, and `rebuild()` for histories written before the table existed.
All three apply the same rule (`fold`), so a tenure row is a pure function of its order's events.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass, fields
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import connection, transaction

from hotline.workorders.models import Action, Event, Tenure

ASSIGN = (Action.DISPATCH.value, Action.REDISPATCH.value)
LOSE = (*ASSIGN, Action.RETURN.value)
NOTED = (Action.REPLY.value, Action.CONTACT.value, Action.REWORK.value, Action.APPROVE_EXTENSION.value)
KINDS = (*LOSE, *NOTED)


@dataclass
class Row:
    """One tenure; the field order is the column order of `COLUMNS`. Times are kept as given
    (datetimes, or values already adapted for the database), never compared: seq gives the order."""

    order_id: int
    seq: int
    unit_id: int | None
    box: str
    assigned_at: Any
    lost_at: Any = None
    reply_seq: int | None = None
    reply_at: Any = None
    reply_on_time: bool | None = None
    contact_seq: int | None = None
    contact_at: Any = None
    rework_at: Any = None
    extension_at: Any = None

    def note(self, seq: int, kind: str, at: Any, on_time: Any) -> None:
        """Record the first reply, contact, rework and extension approval of the tenure."""
        values = first_values(seq, kind, at, on_time)
        marker = next(iter(values))
        if getattr(self, marker) is None:
            for name, value in values.items():
                setattr(self, name, value)


def first_values(seq: int, kind: str, at: Any, on_time: Any) -> dict[str, Any]:
    """The columns a NOTED event fills when it is the first of its kind in the tenure; the first
    key is the one that tells whether it was filled before."""
    if kind == Action.REPLY:
        return {"reply_seq": seq, "reply_at": at, "reply_on_time": bool(on_time)}
    if kind == Action.CONTACT:
        return {"contact_seq": seq, "contact_at": at}
    if kind == Action.REWORK:
        return {"rework_at": at}
    if kind == Action.APPROVE_EXTENSION:
        return {"extension_at": at}
    raise ValueError(f"{kind!r} is not a tenure-noted event")


COLUMNS = tuple(f.name for f in fields(Row))


def fold(order_id: int, box: str, events: Iterable[tuple[int, str, Any, int | None, Any]]) -> list[Row]:
    """The tenures of one order from its events (seq, kind, at, unit_id, on_time) in seq order."""
    rows: list[Row] = []
    current: Row | None = None
    for seq, kind, at, unit_id, on_time in events:
        if kind in LOSE and current is not None:
            current.lost_at, current = at, None
        if kind in ASSIGN:
            current = Row(order_id, seq, unit_id, box, at)
            rows.append(current)
        elif current is not None and kind in NOTED:
            current.note(seq, kind, at, on_time)
    return rows


def record(event: Event, *, box: str) -> None:
    """Apply one newly appended event to its order's tenures (called under the order's row lock)."""
    kind = event.kind
    if kind not in KINDS:
        return
    held = Tenure.objects.filter(order_id=event.order_id, lost_at__isnull=True)
    if kind in LOSE:
        held.update(lost_at=event.at)
        if kind in ASSIGN:
            Tenure.objects.create(order_id=event.order_id, seq=event.seq, unit_id=event.unit_id, box=box,
                                  assigned_at=event.at)
        return
    values = first_values(event.seq, kind, event.at, event.on_time)
    held.filter(**{f"{next(iter(values))}__isnull": True}).update(**values)


def rows_for_import(events: Sequence[Sequence[Any]], *, names: Sequence[str]) -> list[tuple[Any, ...]]:
    """Tenure rows (in COLUMNS order) of new orders whose complete histories are `events`: tuples
    with the Event columns `names` (attnames; order_id, seq, kind, at, unit_id, box, on_time needed)."""
    pos = {name: names.index(name) for name in ("order_id", "seq", "kind", "at", "unit_id", "box", "on_time")}
    by_order: dict[int, list[Sequence[Any]]] = {}
    for e in events:
        if e[pos["kind"]] in KINDS:
            by_order.setdefault(e[pos["order_id"]], []).append(e)
    out: list[tuple[Any, ...]] = []
    for order_id, evs in by_order.items():
        evs.sort(key=lambda e: e[pos["seq"]])
        history = ((e[pos["seq"]], e[pos["kind"]], e[pos["at"]], e[pos["unit_id"]], e[pos["on_time"]]) for e in evs)
        out.extend(astuple(r) for r in fold(order_id, evs[0][pos["box"]], history))
    return out


def insert_sql() -> str:
    """Parameterised INSERT of one row in COLUMNS order (executemany)."""
    qn = connection.ops.quote_name
    by_attname = {f.attname: str(f.column) for f in Tenure._meta.concrete_fields}
    cols = [by_attname[name] for name in COLUMNS]
    return (f"INSERT INTO {qn(Tenure._meta.db_table)} ({', '.join(qn(c) for c in cols)})"
            f" VALUES ({', '.join(['%s'] * len(cols))})")


def insert_rows(rows: list[tuple[Any, ...]]) -> None:
    """INSERT tenure rows; datetimes are adapted here (raw cursors skip the ORM's adaptation)."""
    if not rows:
        return
    adapt = connection.ops.adapt_datetimefield_value
    rows = [tuple(adapt(v) if isinstance(v, dt.datetime) else v for v in row) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(insert_sql(), rows)


def _histories(events: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, str, list[tuple[Any, ...]]]]:
    """Group (order_id, box, seq, kind, at, unit_id, on_time) rows, sorted by order and seq, per order."""
    for order_id, rows in groupby(events, key=itemgetter(0)):
        group = list(rows)
        yield order_id, group[0][1], [row[2:] for row in group]


def rebuild(*, event_model: Any = Event, batch: int = 20_000) -> int:
    """Recompute every tenure from the events (after writing events outside the services, or for
    data written before tenures existed); returns the number of tenures. `event_model` lets a
    migration pass its historical model."""
    total = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(Tenure._meta.db_table)}")
        events = (event_model.objects.filter(kind__in=KINDS).order_by("order_id", "seq")
                  .values_list("order_id", "order__box", "seq", "kind", "at", "unit_id", "on_time"))
        pending: list[tuple[Any, ...]] = []
        for order_id, box, history in _histories(events.iterator(chunk_size=batch)):
            pending.extend(astuple(r) for r in fold(order_id, box, history))  # type: ignore[arg-type]
            if len(pending) >= batch:
                insert_rows(pending)
                total, pending = total + len(pending), []
        insert_rows(pending)
    return total + len(pending)
