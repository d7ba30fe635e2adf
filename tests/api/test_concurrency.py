"""Idempotent intake under real concurrency: 20 identical requests on 20 threads against a live server."""
from __future__ import annotations

import http.client
import json
import threading
from urllib.parse import urlparse

import pytest
from django.db import connection

from hotline.workorders.models import Event, WorkOrder
from tests.api.conftest import intake_body

N = 20


@pytest.fixture
def server_url(live_server):
    """The live server's URL. On in-memory SQLite (the default test database) every server thread shares
    the test thread's one connection, so concurrent requests would interleave their transactions on it;
    there the server handles one request at a time (clients stay concurrent). On PostgreSQL, or a file
    SQLite test database, each request thread has its own connection and the race is real."""
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        yield live_server.url
        return
    httpd = live_server.thread.httpd
    app, lock = httpd.get_app(), threading.Lock()

    def serialized(environ, start_response):  # type: ignore[no-untyped-def]
        with lock:
            return list(app(environ, start_response))

    httpd.set_app(serialized)
    try:
        yield live_server.url
    finally:
        httpd.set_app(app)


def _post(base: str, headers: dict[str, str], body: bytes, barrier: threading.Barrier) -> tuple[int, dict]:
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        conn.connect()
        barrier.wait()
        conn.request("POST", "/api/intake", body=body, headers={**headers, "Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_intake_gives_one_case(server_url, wechat):
    body = json.dumps(intake_body()).encode()
    headers = wechat.headers(key="retry-storm-1")
    barrier = threading.Barrier(N)
    results: list[tuple[int, dict]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            results.append(_post(server_url, headers, body, barrier))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not errors
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (N - 1) + [201], results
    assert len({payload["number"] for _, payload in results}) == 1
    assert WorkOrder.objects.filter(source="wechat-mp", idempotency_key="retry-storm-1").count() == 1
    assert WorkOrder.objects.count() == 1
    assert Event.objects.count() == 1
