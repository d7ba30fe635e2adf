"""Idempotency-Key on POST /api/cases/{number}/transitions: a retried request acts once."""
from __future__ import annotations

import http.client
import json
import threading
from urllib.parse import urlparse

import pytest

from hotline.directory.models import IdempotencyRecord
from hotline.workorders.models import Event
from hotline.directory.models import Role
from hotline.workorders.services import transition
from tests.api.conftest import post_json
from tests.api.test_concurrency import server_url  # noqa: F401 - the live-server fixture
from tests.factories import UserFactory


def contact(client, number, key=None, reason=""):  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": key} if key else {}
    return post_json(client, f"/api/cases/{number}/transitions", {"action": "contact", "reason": reason}, headers)


def accepted(city, as_user):  # type: ignore[no-untyped-def]
    order = city.dispatched(unit=city.unit_a)
    assert post_json(as_user("handler_a"), f"/api/cases/{order.number}/transitions",
                     {"action": "accept"}).status_code == 200
    return order


def test_twenty_retries_with_one_key_make_one_event(as_user, city):
    order = accepted(city, as_user)
    client = as_user("handler_a")
    before = Event.objects.filter(order=order).count()
    answers = [contact(client, order.number, key="call-1") for _ in range(20)]
    assert {a.status_code for a in answers} == {200}
    assert Event.objects.filter(order=order).count() == before + 1
    assert len({a.json()["event"]["seq"] for a in answers}) == 1
    assert answers[-1].json() == answers[0].json()


def test_without_a_key_each_call_acts(as_user, city):
    order = accepted(city, as_user)
    client = as_user("handler_a")
    before = Event.objects.filter(order=order).count()
    for _ in range(3):
        assert contact(client, order.number).status_code == 200
    assert Event.objects.filter(order=order).count() == before + 3


def test_distinct_keys_act_separately(as_user, city):
    order = accepted(city, as_user)
    client = as_user("handler_a")
    before = Event.objects.filter(order=order).count()
    assert contact(client, order.number, key="k1").status_code == 200
    assert contact(client, order.number, key="k2").status_code == 200
    assert Event.objects.filter(order=order).count() == before + 2


def test_same_key_for_another_request_is_a_conflict(as_user, city):
    order = accepted(city, as_user)
    client = as_user("handler_a")
    assert contact(client, order.number, key="k").status_code == 200
    response = contact(client, order.number, key="k", reason="第二次联系")
    assert response.status_code == 409 and response.json()["detail"][0]["field"] == "Idempotency-Key"


def test_keys_belong_to_their_user(as_user, city):
    """Another user's identical key is that user's own request, not a replay of someone else's answer."""
    order = accepted(city, as_user)
    city.users["handler_a_2"] = UserFactory(username="handler_a_2", role=Role.UNIT_HANDLER, unit=city.unit_a)
    before = Event.objects.filter(order=order).count()
    assert contact(as_user("handler_a"), order.number, key="same").status_code == 200
    assert contact(as_user("handler_a_2"), order.number, key="same").status_code == 200
    assert Event.objects.filter(order=order).count() == before + 2


def test_a_failed_call_keeps_no_record_and_may_be_retried(as_user, city):
    order = city.dispatched(unit=city.unit_a)  # not accepted yet: contact is illegal
    client = as_user("handler_a")
    assert contact(client, order.number, key="k").status_code == 409
    assert not IdempotencyRecord.objects.exists()
    post_json(client, f"/api/cases/{order.number}/transitions", {"action": "accept"})
    assert contact(client, order.number, key="k").status_code == 200


def test_another_unit_cannot_replay_or_act(as_user, city):
    order = accepted(city, as_user)
    before = Event.objects.filter(order=order).count()
    assert contact(as_user("handler_b"), order.number, key="k").status_code == 404
    assert Event.objects.filter(order=order).count() == before and not IdempotencyRecord.objects.exists()


N = 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_act_once(server_url, city):
    """12 identical `contact` requests on 12 threads against a live server: one event, one answer."""
    from django.test import Client

    order = city.dispatched(unit=city.unit_a)
    transition(order=order, action="accept", actor=city.user("handler_a"))
    client = Client()
    client.force_login(city.user("handler_a"))
    session, csrf = client.cookies["sessionid"].value, "x" * 32
    headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf,
               "Idempotency-Key": "storm", "Content-Type": "application/json"}
    body = json.dumps({"action": "contact"}).encode()
    url = urlparse(server_url)
    barrier = threading.Barrier(N)
    results: list[tuple[int, dict]] = []

    def worker() -> None:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        conn.connect()
        barrier.wait()
        conn.request("POST", f"/api/cases/{order.number}/transitions", body=body, headers=headers)
        response = conn.getresponse()
        results.append((response.status, json.loads(response.read())))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [status for status, _ in results] == [200] * N, results
    assert len({answer["event"]["seq"] for _, answer in results}) == 1
    assert Event.objects.filter(order=order, kind="contact").count() == 1
