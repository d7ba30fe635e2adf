"""The open tail of `hotline bench desks`: on top of the assess bench's closed month (1M orders), the cases
still being worked on, in every desk's queue, with short consistent histories and citizens' phones.

Opened "now" = BENCH_NOW (2024-06-03, the first working day after the generated month)."""
from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import astuple
from typing import Any

from django.db import connection, transaction
from django.db.models import Count

from hotline.bench.assess_data import CHUNK, E_COLS, O_COLS, _units, _write
from hotline.directory.models import Role, Unit, User
from hotline.workorders import tenure
from hotline.workorders.models import WorkOrder

UTC = dt.timezone.utc
BENCH_NOW = dt.datetime(2024, 6, 3, 2, tzinfo=UTC)  # 10:00 local
PREFIX = "DESK"
PASSWORD = "bench-desks-1"
# (final status, share, the events leading there)
SHAPES: list[tuple[str, float, tuple[str, ...]]] = [
    ("new", .03, ("create",)),
    ("returned", .01, ("create", "dispatch", "return")),
    ("dispatched", .20, ("create", "dispatch")),
    ("accepted", .45, ("create", "dispatch", "accept", "contact")),
    ("replied", .10, ("create", "dispatch", "accept", "reply")),
    ("callback", .12, ("create", "dispatch", "accept", "reply", "accept_reply")),
    ("verifying", .04, ("create", "dispatch", "accept", "reply", "accept_reply", "callback")),
    ("unsatisfied", .01, ("create", "dispatch", "accept", "reply", "accept_reply", "callback", "verify")),
    ("supervised", .04, ("create", "dispatch", "accept", "reply", "accept_reply", "callback", "verify", "supervise")),
]
TO = {"create": "new", "dispatch": "dispatched", "return": "returned", "accept": "accepted", "contact": "accepted",
      "reply": "replied", "accept_reply": "callback", "callback": "verifying", "verify": "unsatisfied",
      "supervise": "supervised"}


def existing_tail() -> int:
    return WorkOrder.objects.filter(number__startswith=PREFIX).count()


def generate_tail(n: int, *, seed: int = 7) -> int:
    """Insert n open orders received over the 30 days before BENCH_NOW; returns the number of events."""
    rnd = random.Random(seed)
    units, weights, channel_pk = _units(random.Random(42))
    pg = connection.vendor == "postgresql"

    def ts(d: dt.datetime) -> str:
        return d.strftime("%Y-%m-%d %H:%M:%S+00") if pg else d.strftime("%Y-%m-%d %H:%M:%S")

    with connection.cursor() as c:
        c.execute("SELECT COALESCE(MAX(id), 0) FROM workorders_workorder")
        base = c.fetchone()[0]
    orders, events, tenures = [], [], []
    statuses, shares = [s[0] for s in SHAPES], [s[1] for s in SHAPES]
    for i in range(n):
        oid = base + i + 1
        shape = SHAPES[statuses.index(rnd.choices(statuses, shares)[0])]
        t = BENCH_NOW - dt.timedelta(days=30 * rnd.random() ** 1.5)
        unit = rnd.choices(units, weights)[0] if shape[0] != "new" else None
        deadline = t + dt.timedelta(days=7)
        overdue = shape[0] in ("dispatched", "accepted", "supervised") and deadline < BENCH_NOW
        phone = f"139{rnd.randrange(10**8):08d}"
        orders.append((oid, f"{PREFIX}{oid:09d}", "hotline", channel_pk, f"市民{i % 977}", phone, rnd.random() < .03,
                       "", f"诉求{i}：小区路灯不亮、道路积水", "", "normal", unit, shape[0], ts(t),
                       ts(t) if unit else None, ts(deadline) if unit else None, False,
                       shape[0] == "accepted" and rnd.random() < .05, overdue, False, "", "", len(shape[2])))
        prev, at, history = "", t, []
        for seq, kind in enumerate(shape[2], 1):
            data: dict[str, Any] = {"unit": unit} if kind == "dispatch" else {}
            if kind == "reply":
                data = {"text": "已办理", "on_time": at <= deadline}
            if kind == "callback":
                data = {"result": "unsatisfied", "method": "manual"}
            if kind == "verify":
                data = {"upheld": True}
            events.append((oid, seq, kind, ts(at), "system", prev, TO[kind], unit if kind != "create" else None, "",
                           json.dumps(data), "hotline", data.get("on_time") if kind == "reply" else None,
                           data.get("result"), data.get("method")))
            history.append((seq, kind, ts(at), unit, data.get("on_time")))
            prev, at = TO[kind], min(at + dt.timedelta(hours=rnd.random() * 20), BENCH_NOW)
        tenures.extend(astuple(r) for r in tenure.fold(oid, "hotline", iter(history)))
    with connection.cursor() as c:
        for lo in range(0, len(orders), CHUNK):
            with transaction.atomic():
                _write(c, "workorders_workorder", O_COLS, orders[lo:lo + CHUNK], pg)
        for lo in range(0, len(events), CHUNK):
            with transaction.atomic():
                _write(c, "workorders_event", E_COLS, events[lo:lo + CHUNK], pg)
        if tenures:
            with transaction.atomic():
                _write(c, "workorders_tenure", ", ".join(tenure.COLUMNS), tenures, pg)
    return len(events)


def users() -> dict[str, User]:
    """One user per desk role; the unit handler belongs to the unit with the most cases."""
    heaviest = (WorkOrder.objects.filter(unit__isnull=False).order_by().values("unit")
                .annotate(n=Count("id")).order_by("-n")
                .values_list("unit", flat=True).first())
    made: dict[str, User] = {}
    for role in (Role.OPERATOR, Role.DISPATCHER, Role.REVIEWER, Role.CALLBACK, Role.SUPERVISOR, Role.LEADER,
                 Role.UNIT_HANDLER):
        unit = Unit.objects.get(pk=heaviest) if role == Role.UNIT_HANDLER else None
        user, created = User.objects.get_or_create(username=f"bench_{role}", defaults={"role": role, "unit": unit})
        if created:
            user.set_password(PASSWORD)
            user.save()
        made[role] = user
    return made
