"""Real threads racing on one order: the row lock (PostgreSQL) or the single writer (SQLite) must serialise them."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from hotline.directory.models import Role, User
from hotline.workorders.models import Event, Status, WorkOrder
from hotline.workorders.services import DomainError, create_order, transition
from tests.factories import City
from tests.workorders.test_transitions import drive

ENGINE = settings.DATABASES["default"]["ENGINE"]
_TEST: Any = settings.DATABASES["default"].get("TEST") or {}
_TEST_NAME = str(_TEST.get("NAME") or ":memory:")
# SQLite queues writers (BEGIN IMMEDIATE + busy timeout) only in a database file. Django's default in-memory test
# database is a *shared-cache* database, where a second writer gets SQLITE_LOCKED ("database table is locked")
# at once: the busy timeout does not apply to shared-cache table locks, so the threads cannot queue there.
SQLITE_FILE = ENGINE == "django.db.backends.sqlite3" and ":memory:" not in _TEST_NAME and "mode=memory" not in _TEST_NAME
BACKENDS = [
    pytest.param("postgresql", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(ENGINE != "django.db.backends.postgresql",
                           reason="PostgreSQL variant: set HOTLINE_DATABASE_URL=postgres://..."),
    ]),
    pytest.param("sqlite", marks=pytest.mark.skipif(
        not SQLITE_FILE, reason="SQLite variant: needs SQLite with a file test database (DATABASES TEST NAME); "
                                "the shared-cache in-memory one fails a waiting writer with 'database table is locked'")),
]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.parametrize("backend", BACKENDS)]

Outcome = tuple[str, Any]  # ("ok", result) | ("refused", DomainError) | ("error", other exception)


def race(n: int, work: Callable[[int], Any]) -> list[Outcome]:
    """Run work(0..n-1) in n threads released together; each thread closes its own connection."""
    barrier = threading.Barrier(n)
    outcomes: list[Outcome] = [("error", "did not finish")] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[i] = ("ok", work(i))
        except DomainError as exc:
            outcomes[i] = ("refused", exc)
        except Exception as exc:  # noqa: BLE001 - any other exception is what the test looks for
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert not [o for o in outcomes if o[0] == "error"], outcomes
    return outcomes


def kinds(outcomes: list[Outcome]) -> list[str]:
    return sorted(kind for kind, _ in outcomes)


def assert_contiguous(order: WorkOrder) -> list[str]:
    order.refresh_from_db()
    seqs, actions = zip(*Event.objects.filter(order=order).order_by("seq").values_list("seq", "kind"))
    assert list(seqs) == list(range(1, order.version + 1))
    return list(actions)


def test_only_one_of_two_handlers_accepts(city: City, backend: str) -> None:
    order = city.dispatched()
    second = User.objects.create(username="handler_a_2", role=Role.UNIT_HANDLER, unit=city.unit_a)
    handlers: list[User] = [city.user("handler_a"), second]

    outcomes = race(2, lambda i: transition(order=order.pk, action="accept", actor=handlers[i]))

    assert kinds(outcomes) == ["ok", "refused"]
    assert next(o for k, o in outcomes if k == "refused").code == "illegal_state"
    assert assert_contiguous(order) == ["create", "dispatch", "accept"]
    assert order.status == Status.ACCEPTED


def test_every_contact_is_recorded_once(city: City, backend: str) -> None:
    order = drive(city, Status.ACCEPTED)
    handler = city.user("handler_a")

    outcomes = race(8, lambda i: transition(order=order.pk, action="contact", actor=handler, data={"call": i}))

    assert kinds(outcomes) == ["ok"] * 8
    assert assert_contiguous(order) == ["create", "dispatch", "accept"] + ["contact"] * 8
    assert sorted(e.data["call"] for e in Event.objects.filter(order=order, kind="contact")) == list(range(8))


def test_reply_and_return_race_has_one_winner(city: City, backend: str) -> None:
    order = drive(city, Status.ACCEPTED)
    handler = city.user("handler_a")
    moves = [("reply", "", {"text": "已办结"}), ("return", "非本单位职责", {})] * 2

    outcomes = race(4, lambda i: transition(order=order.pk, action=moves[i][0], actor=handler, reason=moves[i][1],
                                            data=moves[i][2]))

    assert kinds(outcomes) == ["ok", "refused", "refused", "refused"]
    winner = next(event for kind, event in outcomes if kind == "ok")
    assert assert_contiguous(order) == ["create", "dispatch", "accept", winner.kind]


def test_crossed_merges_have_one_winner(city: City, backend: str) -> None:
    first, second = city.new_order(), city.new_order()
    pairs = [(first, second), (second, first)]
    operator = city.user("operator")

    outcomes = race(2, lambda i: transition(order=pairs[i][0].pk, action="merge", actor=operator,
                                            data={"into": pairs[i][1].number}))

    assert kinds(outcomes) == ["ok", "refused"]
    merged = next(event for kind, event in outcomes if kind == "ok").order
    survivor = second if merged.pk == first.pk else first
    assert assert_contiguous(merged) == ["create", "merge"]
    assert assert_contiguous(survivor) == ["create", "absorb"]


def test_concurrent_intake_numbers_are_unique(city: City, backend: str) -> None:
    fields = {"channel": city.channel, "content": "噪音扰民", "citizen_phone": "13812345678"}

    outcomes = race(6, lambda i: create_order(actor=city.user("operator"), fields=fields)[0].number)

    numbers = [number for _, number in outcomes]
    assert len(set(numbers)) == 6 and WorkOrder.objects.count() == 6


def test_retried_intake_with_one_key_creates_one_order(city: City, backend: str) -> None:
    fields = {"channel": city.channel, "content": "噪音扰民"}

    outcomes = race(4, lambda i: create_order(actor=None, fields=fields, source="wechat", idempotency_key="m-1"))

    assert len({order.pk for _, (order, _) in outcomes}) == 1
    assert sorted(created for _, (_, created) in outcomes) == [False, False, False, True]
    assert WorkOrder.objects.count() == 1 and Event.objects.count() == 1
