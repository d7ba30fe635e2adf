"""Synthetic month for `hotline bench assess`: N orders dispatched 2024-04-25..2024-05-31 (Asia/Shanghai)
with realistic histories, inserted in time order with plain multi-row inserts (COPY on PostgreSQL).

The shapes (dispatch, 3% returned and re-dispatched, 85% contacted, 10% extended, 6% reworked,
SMS callbacks with unreachable → manual and unsatisfied → verification) exercise every metric."""
from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import astuple
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

from hotline.directory.models import Channel, Unit
from hotline.audit.chain import GENESIS
from hotline.workorders import tenure
from hotline.workorders.chain import event_hash
from hotline.workorders.models import WorkOrder

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 4, 24, 16, tzinfo=UTC)  # 2024-04-25 00:00 local
SPAN = (dt.datetime(2024, 5, 31, 16, tzinfo=UTC) - T0).total_seconds()
PREFIX = "BENCH"
O_COLS = ("id, number, box, channel_id, citizen_name, citizen_phone, confidential, title, content, address, urgency,"
          " unit_id, status, received_at, dispatched_at, deadline, deadline_fallback, extension_pending, overdue,"
          " reminded, source, external_id, version")
E_COLS = ("order_id, seq, kind, at, actor_role, from_status, to_status, unit_id, reason, data, box, on_time, result,"
          " method, hash")
CHUNK = 50_000


def existing_orders() -> int:
    return WorkOrder.objects.filter(number__startswith=PREFIX).count()


def _units(rnd: random.Random) -> tuple[list[int], list[float], int]:
    channel, _ = Channel.objects.get_or_create(code="phone", defaults={"name": "电话"})
    units = []
    for i in range(80):
        u, _ = Unit.objects.get_or_create(
            code=f"B{i:03d}", defaults=dict(name=f"单位{i}", city="bench", group="department"))
        units.append(u.pk)
    for i in range(40):
        u, _ = Unit.objects.get_or_create(code=f"S{i:03d}", defaults=dict(
            name=f"街道{i}", city="bench", group="county", parent_id=units[i % 10]))
        units.append(u.pk)
    return units, [rnd.random() ** 3 + 0.01 for _ in units], channel.pk


def generate(n: int, *, seed: int = 42, progress: Callable[[str], None] = print) -> int:
    """Insert n bench orders with their events; returns the number of events."""
    rnd = random.Random(seed)
    units, weights, channel_pk = _units(rnd)
    pg = connection.vendor == "postgresql"

    def ts(d: dt.datetime) -> str:
        return d.strftime("%Y-%m-%d %H:%M:%S+00") if pg else d.strftime("%Y-%m-%d %H:%M:%S")

    H = dt.timedelta(hours=1)
    D = dt.timedelta(days=1)
    def order_events(t: dt.datetime, unit: int) -> tuple[list[tuple[Any, ...]], int]:
        ev: list[tuple[Any, ...]] = []

        def add(kind: str, at: dt.datetime, u: int | None, data: dict[str, Any] | None = None, to: str = "") -> None:
            ev.append((kind, at, u, data or {}, to))
        add("create", t, None, {"channel": channel_pk}, "new")
        t += dt.timedelta(minutes=5)
        deadline = t + 7 * D
        add("dispatch", t, unit, {"unit": unit, "deadline": deadline.isoformat()}, "dispatched")
        if rnd.random() < 0.03:
            add("return", t + H, unit, {}, "returned")
            old, unit = unit, rnd.choices(units, weights)[0]
            t += 2 * H
            deadline = t + 7 * D
            add("redispatch", t, unit, {"unit": unit, "from_unit": old, "deadline": deadline.isoformat()}, "dispatched")
        t += H
        add("accept", t, unit, {}, "accepted")
        if rnd.random() < 0.85:
            t += H
            add("contact", t, unit, {}, "accepted")
        if rnd.random() < 0.10:
            add("request_extension", t + D, unit, {"days": 5}, "accepted")
            deadline += 7 * D
            add("approve_extension", t + 2 * D, unit, {"days": 5, "deadline": deadline.isoformat()}, "accepted")
            t += 2 * D
        t += dt.timedelta(seconds=rnd.random() * 9 * 86400)
        add("reply", t, unit, {"text": "已办理", "deadline": deadline.isoformat(), "on_time": t <= deadline}, "replied")
        if rnd.random() < 0.06:
            t += D
            add("rework", t, unit, {}, "accepted")
            t += D
            add("reply", t, unit, {"text": "再次答复", "deadline": deadline.isoformat(), "on_time": t <= deadline}, "replied")
        t += 3 * H
        add("accept_reply", t, unit, {}, "callback")
        t += D
        r = rnd.random()
        result = "satisfied" if r < .7 else "basic" if r < .85 else "unsatisfied" if r < .9 else "unreachable"
        add("callback", t, unit, {"result": result, "method": "sms"}, "callback")
        if result == "unreachable":
            t += D
            add("callback", t, unit, {"result": "satisfied", "method": "manual"}, "closed")
        elif result == "unsatisfied":
            t += D
            add("verify", t, unit, {"upheld": rnd.random() < .5}, "closed")
        return ev, unit


    with connection.cursor() as c:
        c.execute("SELECT COALESCE(MAX(id), 0) FROM workorders_workorder")
        base = c.fetchone()[0]
    times = sorted(T0 + dt.timedelta(seconds=rnd.random() * SPAN) for _ in range(n))
    orders: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    tenures: list[tuple[Any, ...]] = []
    for i, t in enumerate(times):
        oid = base + i + 1
        unit = rnd.choices(units, weights)[0]
        box = "mailbox" if rnd.random() < 0.05 else "hotline"
        evs, final_unit = order_events(t, unit)
        number = f"{PREFIX}{oid:09d}"
        orders.append((oid, number, box, channel_pk, "", "", False, "", "synthetic", "", "normal",
                       final_unit, evs[-1][4], ts(t), ts(t), ts(t + 7 * D), False, False, False, False, "", "",
                       len(evs)))
        prev, link = "", GENESIS
        for seq, (kind, at, u, data, to) in enumerate(evs, 1):
            # The chain hashes the stored time, which ts() cuts to the second.
            link = event_hash(link, number=number, seq=seq, kind=kind, at=at.replace(microsecond=0), actor_id=None,
                              actor_role="system", from_status=prev, to_status=to, unit_id=u, reason="", data=data)
            events.append((at, oid, seq, kind, "system", prev, to, u, "", json.dumps(data), box,
                           data.get("on_time") if kind == "reply" else None,
                           data.get("result") if kind == "callback" else None,
                           data.get("method") if kind == "callback" else None, link))
            prev = to
        history = ((seq, kind, ts(at), u, data.get("on_time")) for seq, (kind, at, u, data, _) in enumerate(evs, 1))
        tenures.extend(astuple(r) for r in tenure.fold(oid, box, history))
        if (i + 1) % 100_000 == 0:
            progress(f"  generated {i + 1:,} orders")
    events.sort(key=lambda r: (r[0], r[1], r[2]))  # production writes events in time order
    _insert(orders, events, pg, ts, progress)
    with connection.cursor() as c, transaction.atomic():
        _write(c, "workorders_tenure", ", ".join(tenure.COLUMNS), tenures, pg)
    return len(events)


def _insert(orders: list[tuple[Any, ...]], events: list[tuple[Any, ...]], pg: bool,
            ts: Callable[[dt.datetime], str], progress: Callable[[str], None]) -> None:
    with connection.cursor() as c:
        for lo in range(0, len(orders), CHUNK):
            with transaction.atomic():
                _write(c, "workorders_workorder", O_COLS, orders[lo:lo + CHUNK], pg)
        for lo in range(0, len(events), CHUNK * 4):
            rows = [(r[1], r[2], r[3], ts(r[0])) + r[4:] for r in events[lo:lo + CHUNK * 4]]
            with transaction.atomic():
                _write(c, "workorders_event", E_COLS, rows, pg)
            progress(f"  inserted {lo + len(rows):,} / {len(events):,} events")


def _write(cursor: Any, table: str, cols: str, rows: list[tuple[Any, ...]], pg: bool) -> None:
    if pg:
        with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(rows[0]))
        cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
