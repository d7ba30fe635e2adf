"""POST /api/cases/{number}/transitions: the transition service over HTTP, errors mapped to 403/404/409/422."""
from __future__ import annotations

import pytest
from django.test import Client

from hotline.workorders.models import Event, Status, WorkOrder
from tests.api.conftest import post_json


def move(client: Client, number: str, action: str, reason: str = "", **data):
    return post_json(client, f"/api/cases/{number}/transitions", {"action": action, "reason": reason, "data": data})


def error_fields(response) -> list[str | None]:
    return [e["field"] for e in response.json()["detail"]]


def test_dispatch_through_the_api(as_user, city):
    order = city.new_order()
    response = move(as_user("dispatcher"), order.number, "dispatch", unit=city.unit_a.pk)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["case"]["status"] == "dispatched" and body["case"]["unit"]["id"] == city.unit_a.pk
    assert body["event"]["kind"] == "dispatch" and body["event"]["data"]["unit"] == city.unit_a.pk
    assert body["case"]["deadline"] is not None and "deadline" in body["event"]["data"]
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.unit == city.unit_a


def test_whole_path_through_the_api(as_user, city):
    number = city.dispatched(unit=city.unit_a1).number
    handler = as_user("handler_a")  # the parent unit acts for its sub-unit
    assert move(handler, number, "accept").status_code == 200
    assert move(handler, number, "contact").status_code == 200
    assert move(handler, number, "reply", text="已修复路灯").status_code == 200
    assert move(as_user("reviewer"), number, "accept_reply").status_code == 200
    response = move(as_user("callback"), number, "callback", result="satisfied")
    assert response.status_code == 200
    assert response.json()["case"]["status"] == "closed"
    assert response.json()["event"]["data"] == {"result": "satisfied", "method": "manual"}
    assert Event.objects.filter(order__number=number).count() == 7


def test_other_unit_gets_404_on_transition(as_user, city):
    order = city.dispatched(unit=city.unit_a)
    for role in ("handler_b", "handler_a1"):
        response = move(as_user(role), order.number, "accept")
        assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.version == 2


def test_illegal_state_is_409(as_user, city):
    order = city.dispatched(unit=city.unit_a)
    response = move(as_user("handler_a"), order.number, "reply", text="x")
    assert response.status_code == 409
    assert error_fields(response) == ["action"]
    assert response.json()["detail"][0]["code"] == "illegal_state"


def test_role_not_allowed_is_403(as_user, city):
    order = city.new_order()
    response = move(as_user("reviewer"), order.number, "dispatch", unit=city.unit_a.pk)
    assert response.status_code == 403
    assert response.json()["detail"][0]["code"] == "forbidden"


def test_co_handling_unit_cannot_take_unit_bound_action(as_user, city):
    order = city.new_order()
    move(as_user("dispatcher"), order.number, "dispatch", unit=city.unit_a.pk, co_units=[city.unit_b.pk])
    assert move(as_user("handler_b"), order.number, "accept").status_code == 403


@pytest.mark.parametrize("action", ["fly", "overdue", "absorb", ""])
def test_unknown_action_is_422(as_user, city, action):
    response = move(as_user("dispatcher"), city.new_order().number, action)
    assert response.status_code == 422
    assert error_fields(response) == ["action"]


def test_missing_reason_is_422(as_user, city):
    order = city.dispatched(unit=city.unit_a)
    response = move(as_user("handler_a"), order.number, "return", reason="  ")
    assert response.status_code == 422
    assert error_fields(response) == ["reason"]


@pytest.mark.parametrize("data,field", [
    ({}, "data.unit"), ({"unit": "abc"}, "data.unit"), ({"unit": 1, "co_units": ["x"]}, "data.co_units.0"),
    ({"unit": 1, "colour": "red"}, "data.colour"), ({"unit": 10**20}, "data.unit"),
])
def test_bad_dispatch_data_is_named(as_user, city, data, field):
    order = city.new_order()
    response = move(as_user("dispatcher"), order.number, "dispatch", **data)
    assert response.status_code == 422
    assert error_fields(response) == [field]


def test_service_rejection_of_a_data_key_names_its_place_in_the_body(as_user, city):
    order = city.new_order()
    response = move(as_user("dispatcher"), order.number, "dispatch", unit=city.unit_a.pk, co_units=[city.unit_a.pk])
    assert response.status_code == 422
    assert error_fields(response) == ["data.co_units"]


def test_service_rejection_names_the_field_and_writes_nothing(as_user, city):
    order = city.new_order()
    response = move(as_user("dispatcher"), order.number, "dispatch", unit=999999)
    assert response.status_code == 422
    assert error_fields(response) == ["data.unit"]
    order.refresh_from_db()
    assert (order.status, order.version, order.unit) == (Status.NEW, 1, None)
    assert Event.objects.filter(order=order).count() == 1


def test_wrong_types_in_body(as_user, city):
    number = city.new_order().number
    client = as_user("dispatcher")
    response = post_json(client, f"/api/cases/{number}/transitions", {"action": "answer", "data": "nope"})
    assert response.status_code == 422 and error_fields(response) == ["data"]
    response = post_json(client, f"/api/cases/{number}/transitions", {"action": "answer", "reason": 5})
    assert response.status_code == 422 and error_fields(response) == ["reason"]
    response = client.post(f"/api/cases/{number}/transitions", data=b"{oops", content_type="application/json")
    assert response.status_code == 400 and error_fields(response) == ["body"]
    assert WorkOrder.objects.get(number=number).status == Status.NEW


def test_reason_with_nul_character_is_422(as_user, city):
    order = city.dispatched(unit=city.unit_a)
    response = move(as_user("handler_a"), order.number, "return", reason="不归\x00我管")
    assert response.status_code == 422 and error_fields(response) == ["reason"]


def test_verify_needs_a_boolean(as_user, city):
    number = city.new_order().number
    response = move(as_user("supervisor"), number, "verify", upheld="dunno")
    assert response.status_code == 422 and error_fields(response) == ["data.upheld"]


def test_session_post_requires_csrf(city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.user("dispatcher"))
    number = city.new_order().number
    response = move(client, number, "answer")
    assert response.status_code == 403
    assert error_fields(response) == ["X-CSRFToken"]
    assert WorkOrder.objects.get(number=number).status == Status.NEW

    token = client.get("/api/auth/csrf").json()["csrf_token"]
    response = post_json(client, f"/api/cases/{number}/transitions", {"action": "answer"},
                         headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.json()["case"]["status"] == "answered"


def test_session_phone_reveal_requires_csrf(city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.user("operator"))
    number = city.new_order().number
    assert client.post(f"/api/cases/{number}/phone").status_code == 403
