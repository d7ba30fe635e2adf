"""Bad input found by probing and fuzzing: each answers a 4xx naming the input, never a 500, and writes nothing."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from hotline.workorders.models import Event, Status, WorkOrder
from tests.api.conftest import intake_body, post_json


@pytest.mark.parametrize("query", [
    "received_to=9999-12-31", "received_from=0001-01-01", "received_from=0001-01-01&received_to=9999-12-31",
    "received_to=0001-01-01", "received_from=9999-12-31",
])
def test_extreme_dates_filter_without_error(as_user, city, query):
    order = city.new_order()
    response = as_user("reviewer").get(f"/api/cases?{query}")
    assert response.status_code == 200, response.content
    numbers = [item["number"] for item in response.json()["items"]]
    # An open-ended bound keeps today's case; a bound on the wrong side of today drops it.
    expected = query.startswith("received_from=0001") or query == "received_to=9999-12-31"
    assert (order.number in numbers) is expected


def test_oversized_intake_body_is_413(client, wechat, settings):
    body = intake_body(content="长" * 10)
    raw = json.dumps(body)[:-1] + ', "padding": "' + "x" * (3 * 1024 * 1024) + '"}'
    response = client.post("/api/intake", data=raw, content_type="application/json", headers=wechat.headers())
    assert response.status_code == 413
    assert response.json()["detail"][0]["code"] == "too_large"
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("url", ["/api/intake", "/api/cases/RX1/transitions", "/api/auth/login"])
def test_multipart_without_boundary_is_400(as_user, wechat, url):
    client = as_user("dispatcher")
    response = client.post(url, data=b"--x\r\n", content_type="multipart/form-data", headers=wechat.headers())
    assert response.status_code in (400, 401, 404, 422), response.content
    assert response.status_code != 500


def test_multipart_without_boundary_on_the_case_page(client, city):
    order = city.new_order()
    client.force_login(city.user("dispatcher"))
    response = client.post(f"/cases/{order.number}/transition/", data=b"--x\r\n", content_type="multipart/form-data")
    assert response.status_code == 400
    assert Event.objects.filter(order=order).count() == 1


@pytest.mark.parametrize("data", [
    {"unit": True}, {"unit": "1"}, {"unit": 1.5}, {"unit": 18446744073709551616}, {"unit": 1, "co_units": [True]},
])
def test_dispatch_unit_must_be_a_json_integer_in_range(as_user, city, data):
    order = city.new_order()
    response = post_json(as_user("dispatcher"), f"/api/cases/{order.number}/transitions",
                         {"action": "dispatch", "data": data})
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["field"].startswith("data.")
    order.refresh_from_db()
    assert order.status == Status.NEW and order.unit_id is None


def test_verify_upheld_must_be_a_json_boolean(as_user, city):
    order = city.new_order()
    response = post_json(as_user("dispatcher"), f"/api/cases/{order.number}/transitions",
                         {"action": "verify", "data": {"upheld": "yes"}})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "data.upheld"


def test_intake_category_true_is_not_category_1(client, wechat):
    response = post_json(client, "/api/intake", intake_body(category=True), wechat.headers())
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "category"


@pytest.mark.parametrize("co_units", ["18446744073709551616", "-1", "abc", "1.5"])
def test_case_page_form_rejects_bad_co_units(client, city, co_units):
    order = city.new_order()
    client.force_login(city.user("dispatcher"))
    response = client.post(f"/cases/{order.number}/transition/",
                           {"action": "dispatch", "unit": str(city.unit_a.pk), "co_units": [co_units]}, follow=True)
    assert response.status_code == 200
    assert "操作失败（co_units" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.NEW


def test_case_page_form_rejects_a_huge_unit_id(client, city):
    order = city.new_order()
    client.force_login(city.user("dispatcher"))
    response = client.post(f"/cases/{order.number}/transition/",
                           {"action": "dispatch", "unit": "18446744073709551616"}, follow=True)
    assert "操作失败（unit" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.NEW


@pytest.mark.parametrize(("method", "url", "allow"), [
    ("get", "/api/intake", "POST"), ("delete", "/api/cases/RX1", "GET"), ("put", "/api/directory/units", "GET"),
    ("get", "/api/cases/RX1/transitions", "POST"), ("patch", "/api/auth/login", "POST"),
])
def test_405_names_the_allowed_methods(client, db, method, url, allow):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Allow"] == allow
    assert response.json()["detail"][0]["code"] == "method_not_allowed"


def test_docs_page_sends_the_csrf_token(client: Client, city) -> None:
    client.force_login(city.user("dispatcher"))
    body = client.get("/api/docs").content.decode()
    token = client.cookies["csrftoken"].value
    assert 'data-api-csrf="true"' in body and f'data-csrf-token="' in body and token
