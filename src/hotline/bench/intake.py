"""`hotline bench intake`: cases/s through the service layer, then through POST /api/intake on gunicorn.

Runs in a throwaway SQLite database: the command re-executes itself with HOTLINE_SQLITE_PATH pointing
at a temporary file (see harness.respawn_in_throwaway), migrates it, and deletes it at the end.
"""
from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from typing import Any

from django.core.management.base import CommandError

from hotline.bench.harness import (
    Output, Progress, Server, Stats, gunicorn, in_throwaway_process, respawn_in_throwaway,
    start_throwaway, stats,
)

SERVICE_SOURCE = "bench-service"
API_SOURCE = "bench-api"
WARMUP = 40


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=2000, help="cases per phase (default 2000)")
    parser.add_argument("--clients", type=int, default=1,
                        help="concurrent HTTP clients, each on its own keep-alive connection (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--storm", type=int, default=20,
                        help="identical concurrent requests sent with one Idempotency-Key at the end (0: skip)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database directory")


def run(options: dict[str, Any], out: Output) -> None:
    if options["n"] < 0 or options["clients"] < 1 or options["workers"] < 1 or options["storm"] < 0:
        raise CommandError("--n and --storm must be >= 0, --clients and --workers >= 1")
    if not in_throwaway_process():
        argv = ["bench", "intake", "--n", str(options["n"]), "--clients", str(options["clients"]),
                "--workers", str(options["workers"]), "--storm", str(options["storm"])]
        respawn_in_throwaway(argv, out, keep=options["keep"])
        return
    start_throwaway(out)
    world = _seed()
    n = options["n"]
    out.write(_service_phase(world, n, out).line("service layer (create_order)") + "\n")
    with gunicorn(workers=options["workers"]) as server:
        # Several connections at once, so that every worker has loaded its URLconf and opened its database.
        _http_phase(server, world, WARMUP, min(WARMUP, options["workers"] * 4), None, key_prefix="warmup")
        api = _http_phase(server, world, n, options["clients"], out, key_prefix="api")
        out.write(api.line(f"HTTP POST /api/intake (gunicorn {options['workers']} workers, "
                           f"{options['clients']} client(s))") + "\n")
        if options["storm"]:
            out.write(_storm(server, world, options["storm"]) + "\n")
    _check_counts(n, options["storm"])


def _seed() -> dict[str, Any]:
    from hotline.directory.models import AppealType, Category, Channel, Role, Tag, User
    from hotline.directory.services import create_integration_token

    channel = Channel.objects.create(code="bench", name="压测渠道")
    _, raw = create_integration_token(name="bench", channel=channel, source=API_SOURCE)
    return {
        "channel": channel, "token": raw,
        "appeal_type": AppealType.objects.create(code="complaint", name="投诉"),
        "category": Category.objects.create(taxonomy="bench", name="城市管理类"),
        "tag": Tag.objects.create(code="npc", name="人大代表"),
        "operator": User.objects.create(username="bench-operator", role=Role.OPERATOR),
    }


def _fields(world: dict[str, Any], i: int) -> dict[str, Any]:
    return {
        "channel": world["channel"], "citizen_name": "压测", "citizen_phone": f"139{i:08d}",
        "title": "路灯不亮", "content": f"第 {i} 号压测诉求：小区路灯不亮", "address": "某小区",
        "appeal_type": world["appeal_type"], "category": world["category"],
    }


def _service_phase(world: dict[str, Any], n: int, out: Output) -> Stats:
    from hotline.workorders.services import create_order

    progress = Progress("service", n, out)
    latencies: list[float] = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for i in range(1, n + 1):
        t0 = time.perf_counter()
        create_order(actor=world["operator"], fields=_fields(world, i), tag_ids=[world["tag"].pk],
                     source=SERVICE_SOURCE, idempotency_key=f"service-{i}")
        latencies.append(time.perf_counter() - t0)
        progress.tick(i)
    return stats(latencies, time.perf_counter() - started, time.process_time() - cpu_started)


def _body(world: dict[str, Any], i: int) -> bytes:
    return json.dumps({
        "citizen_name": "压测", "citizen_phone": f"139{i:08d}", "title": "路灯不亮",
        "content": f"第 {i} 号压测诉求：小区路灯不亮", "address": "某小区", "appeal_type": "complaint",
        "category": world["category"].pk, "tags": ["npc"],
    }, ensure_ascii=False).encode()


def _post(conn: Any, world: dict[str, Any], key: str, body: bytes) -> tuple[int, dict[str, Any]]:
    conn.request("POST", "/api/intake", body=body, headers={
        "Authorization": f"Bearer {world['token']}", "Idempotency-Key": key, "Content-Type": "application/json",
    })
    response = conn.getresponse()
    return response.status, json.loads(response.read())


def _http_phase(server: Server, world: dict[str, Any], n: int, clients: int, out: Output | None, *,
                key_prefix: str) -> Stats:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    progress = Progress("http", n, out) if out is not None else None
    counter = iter(range(1, n + 1))

    def client() -> None:
        conn = server.connection()
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None or failures:
                    return
                t0 = time.perf_counter()
                try:
                    status, payload = _post(conn, world, f"{key_prefix}-{i}", _body(world, i))
                except (OSError, http.client.HTTPException, ValueError) as exc:  # reported, never a silent thread death
                    with lock:
                        failures.append(f"request {i}: {type(exc).__name__}: {exc}")
                    return
                elapsed = time.perf_counter() - t0
                with lock:
                    if status != 201:
                        failures.append(f"request {i}: HTTP {status} {payload}")
                    latencies.append(elapsed)
                    if progress is not None:
                        progress.tick(len(latencies))
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    if failures:
        raise CommandError(f"{len(failures)} intake request(s) failed, first: {failures[0]}")
    return stats(latencies, seconds)


def _storm(server: Server, world: dict[str, Any], k: int) -> str:
    """k identical requests at once with one Idempotency-Key: exactly one 201, the rest 200, one number."""
    # The barrier times out, so one client that cannot connect fails the storm instead of hanging the rest.
    barrier = threading.Barrier(k, timeout=60)
    results: list[tuple[int, str]] = []
    body = _body(world, 0)

    def client() -> None:
        conn = server.connection()
        try:
            conn.connect()
            barrier.wait()
            status, payload = _post(conn, world, "storm", body)
            results.append((status, str(payload.get("number", payload))))
        except (OSError, http.client.HTTPException, ValueError, threading.BrokenBarrierError) as exc:
            barrier.abort()
            results.append((0, f"{type(exc).__name__}: {exc}"))
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(k)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(s for s, _ in results)
    numbers = {number for _, number in results}
    if statuses != [200] * (k - 1) + [201] or len(numbers) != 1:
        raise CommandError(f"idempotency storm failed: statuses {statuses}, numbers {sorted(numbers)}")
    return f"idempotency storm: {k} identical concurrent requests -> 1 case {numbers.pop()} (1x201, {k - 1}x200)"


def _check_counts(n: int, storm: int) -> None:
    from hotline.workorders.models import Event, WorkOrder

    expected = {SERVICE_SOURCE: n, API_SOURCE: n + WARMUP + (1 if storm else 0)}
    for source, count in expected.items():
        got = WorkOrder.objects.filter(source=source).count()
        if got != count:
            raise CommandError(f"expected {count} cases from {source}, found {got}")
    if Event.objects.count() != sum(expected.values()):
        raise CommandError("every case must have exactly one create event")
