"""`hotline bench desks`: each desk's main page for its heaviest user over 1,000,000 cases.

The closed month comes from the assess bench's generator (hotline.bench.assess_data), the open cases in
every desk's queue from hotline.bench.desks_data; both are generated once into a reusable bench database
(a SQLite file, `--db`, default in the temp directory; with `--postgres URL` also a PostgreSQL database
whose name contains "bench"). Pages are requested through Django's test Client in the same process, so
the figures are the server's time (queries + templates), without the network.
"""
from __future__ import annotations

import argparse
import os
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from hotline.bench.harness import Output, in_throwaway_process, percentile, run_per_database

TAIL = int(os.environ.get("HOTLINE_BENCH_DESKS_TAIL", "40000"))
GOAL_MS = 150.0
LEADER_MONTH = "2024-05"  # the bench's closed month (hotline.bench.assess_data)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--orders", type=int, default=1_000_000, help="closed orders in the month (default 1,000,000)")
    parser.add_argument("--db", default="", help="SQLite bench file (default: temp dir, reused if present)")
    parser.add_argument("--postgres", default="", help="postgres://… URL of a database named *bench* to run on too")
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per desk (default 40)")
    parser.add_argument("--only-postgres", action="store_true", help="skip SQLite (with --postgres)")


def run(options: dict[str, Any], out: Output) -> None:
    if options["orders"] < 1 or options["repeat"] < 2:
        raise CommandError("--orders must be >= 1 and --repeat >= 2")
    if in_throwaway_process():
        _measure(options, out)
        return
    run_per_database("desks", options, out, sqlite=not options["only_postgres"])


def _prepare(want: int, out: Output) -> None:
    from hotline.bench import assess_data, desks_data
    from hotline.workorders.models import Status, WorkOrder

    call_command("migrate", verbosity=0, interactive=False)
    have, changed = assess_data.existing_orders(), False
    if have < want:
        out.write(f"generating {want - have:,} closed orders (reused: {have:,}) …\n")
        started = time.perf_counter()
        events = assess_data.generate(want - have, seed=42 + have, progress=lambda s: out.write(s + "\n"))
        out.write(f"generated {want - have:,} orders, {events:,} events in {time.perf_counter() - started:.0f} s\n")
        changed = True
    if desks_data.existing_tail() == 0:
        started = time.perf_counter()
        events = desks_data.generate_tail(TAIL)
        out.write(f"generated {TAIL:,} open orders, {events:,} events in {time.perf_counter() - started:.0f} s\n")
        changed = True
    # The assess generator leaves every case that was called back in "callback" (its metrics read events
    # only); on a desk that would be a queue of 850,000. A case called back satisfied is closed: say so.
    closed = (WorkOrder.objects.filter(number__startswith=assess_data.PREFIX, status=Status.CALLBACK)
              .update(status=Status.CLOSED))
    if closed:
        out.write(f"closed {closed:,} called-back bench orders\n")
        changed = True
    if changed:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    out.write(f"database: {assess_data.existing_orders() + desks_data.existing_tail():,} cases\n")
    out.flush()


def pages() -> list[tuple[str, str, str]]:
    """(label, role, url) of each desk's main page, for its heaviest user."""
    from django.urls import reverse

    from hotline.desks.registry import DESKS

    role_of = {"operator": "operator", "dispatch": "dispatcher", "unit": "unit_handler", "review": "reviewer",
               "callback": "callback", "supervise": "supervisor", "leader": "leader"}
    query = {"leader": f"?month={LEADER_MONTH}"}
    found = [(f"{d.name} /desk/{d.slug}/", role_of[d.slug], reverse(d.url_name) + query.get(d.slug, ""))
             for d in DESKS.values() if d.slug in role_of]
    found.append(("督办台 超期工单", "supervisor", reverse("desks:supervise") + "?tab=overdue"))
    found.append(("督办台 单位问题", "supervisor", reverse("desks:supervise") + "?tab=units"))
    found.append(("工单查询 仅超期", "supervisor", reverse("cases") + "?overdue=1"))
    found.append(("工单查询 电话后四位", "supervisor", reverse("cases") + "?q=1234"))
    return found


def _measure(options: dict[str, Any], out: Output) -> None:
    from django.test import Client

    from hotline.bench import desks_data

    _prepare(options["orders"], out)
    users = desks_data.users()
    out.write(f"{'page':<24}\t{'first ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}  goal p95 < {GOAL_MS:.0f} ms\n")
    for label, role, url in pages():
        client = _logged_in(Client(), users[role])
        started = time.perf_counter()
        status = client.get(url).status_code
        cold = (time.perf_counter() - started) * 1000
        status = client.get(url).status_code  # warm: templates compiled, pages cached by the OS
        if status != 200:
            out.write(f"{label:<24}\tHTTP {status} ({url})\n")
            continue
        times = []
        for _ in range(options["repeat"]):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        queries = _count_queries(client, url)
        p95 = percentile(times, .95)
        flag = "ok" if p95 < GOAL_MS else "SLOW"
        out.write(f"{label:<24}\t{cold:>8.1f} {percentile(times, .5):>8.1f} {p95:>8.1f} {queries:>8}  {flag}\n")
        out.flush()
    _measure_leader_refresh(out)


def _measure_leader_refresh(out: Output) -> None:
    """The leader's page shows a snapshot of the month's figures; this is what one recomputation costs
    (done by the page when quick, else by `hotline worker` each minute: hotline.bulletin.dashboard)."""
    from hotline.bulletin.dashboard import refresh_leader_month
    from hotline.bulletin.period import Month

    started = time.perf_counter()
    refresh_leader_month(Month.parse(LEADER_MONTH))
    out.write(f"领导驾驶舱 month figures recomputed in {(time.perf_counter() - started) * 1000:,.0f} ms "
              "(the page serves the snapshot; the worker refreshes it)\n")


def _logged_in(client: Any, user: Any) -> Any:
    """A session as the person has it after logging in, second factor included (leaders must use one)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hotline.directory.security import two_factor_required

    client.force_login(user)
    if two_factor_required(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _count_queries(client: Any, url: str) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)
