"""The work-order events' hash chain: one chain per order, each event's hash covering its content and
the hash of the order's previous event (seq - 1). Per order, not global: transitions already hold the
order's row lock, so chaining adds no contention, and batch writers chain each new history in memory.

The event metric columns (box, on_time, result, method) are copies derived from the chained content;
verify checks that they still equal what metric_columns() derives, so an edited on_time is caught too.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from hotline.audit.chain import GENESIS, Broken, digest, stamp
from hotline.audit.verification import ChainReport
from hotline.workorders.models import Event, WorkOrder, metric_columns


def event_hash(prev: str, *, number: str, seq: int, kind: str, at: dt.datetime, actor_id: int | None,
               actor_role: str, from_status: str, to_status: str, unit_id: int | None, reason: str,
               data: Any) -> str:
    return digest(prev, [number, seq, kind, stamp(at), actor_id, actor_role, from_status, to_status, unit_id,
                         reason, data])


def previous_hash(order_id: int, seq: int) -> str:
    """The hash the event `seq` of an order chains to."""
    if seq <= 1:
        return GENESIS
    return Event.objects.filter(order_id=order_id, seq=seq - 1).values_list("hash", flat=True).first() or GENESIS


_COLUMNS = ("id", "order_id", "order__number", "order__version", "seq", "kind", "at", "actor_id", "actor_role",
            "from_status", "to_status", "unit_id", "reason", "data", "hash", "box", "on_time", "result", "method")


def verify_events(*, chunk: int = 5000) -> ChainReport:
    """Walk every order's events in seq order; raise Broken at the first bad one."""
    rows = Event.objects.order_by("order_id", "seq").values_list(*_COLUMNS)
    order = None
    prev, expected, version, orders, count = GENESIS, 1, 0, 0, 0
    for (pk, order_id, number, order_version, seq, kind, at, actor_id, actor_role, from_status, to_status,
         unit_id, reason, data, stored, box, on_time, result, method) in rows.iterator(chunk_size=chunk):
        if order_id != order:
            _check_complete(order, number_of=prev_number if order else "", expected=expected, version=version)
            order, prev, expected, version, orders = order_id, GENESIS, 1, order_version, orders + 1
        prev_number = number
        row = f"工单事件 id={pk} (工单 {number} seq {seq})"
        if seq != expected:
            raise Broken("events", row, f"expected seq {expected}: events missing or renumbered")
        digest_now = event_hash(prev, number=number, seq=seq, kind=kind, at=at, actor_id=actor_id,
                                actor_role=actor_role, from_status=from_status, to_status=to_status,
                                unit_id=unit_id, reason=reason, data=data)
        if digest_now != stored:
            raise Broken("events", row, "content does not match its hash (the event was edited)")
        if box is not None and isinstance(data, dict):
            derived = metric_columns(box=box, kind=kind, data=data)
            if (on_time, result, method) != (derived["on_time"], derived["result"], derived["method"]):
                raise Broken("events", row, "metric columns differ from the event's data (edited)")
        prev, expected, count = stored, expected + 1, count + 1
    if order is not None:
        _check_complete(order, number_of=prev_number, expected=expected, version=version)
    total = WorkOrder.objects.count()
    if orders != total:
        raise Broken("events", f"{total - orders} 件工单", "have no events at all (history deleted)")
    return ChainReport("events", count, f"{orders} orders")


def _check_complete(order: int | None, *, number_of: str, expected: int, version: int) -> None:
    if order is not None and expected - 1 != version:
        raise Broken("events", f"工单 {number_of}",
                     f"has {expected - 1} events but version {version}: the newest events were deleted")
