"""A confidential citizen's address never reaches a unit, on any path (信访工作条例 art. 46).

Each test looks for the address text in the whole response a unit handler receives; the same path
for a hotline reviewer must show it, so a test cannot pass because the address is simply absent.
"""
from __future__ import annotations

import json

import pytest
from django.test import Client

from hotline.workorders.models import WorkOrder
from hotline.workorders.selectors import citizen_view
from tests.factories import City

ADDRESS = "保密小区9栋901室"


@pytest.fixture
def secret(city: City) -> WorkOrder:
    return city.dispatched(unit=city.unit_a, confidential=True, citizen_name="李四", address=ADDRESS,
                           content="楼上漏水")


def client_for(city: City, name: str) -> Client:
    client = Client()
    client.force_login(city.user(name))
    return client


def body_of(response, *, ok: bool = True) -> str:  # type: ignore[no-untyped-def]
    if ok:
        assert response.status_code == 200, response.content[:300]
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_citizen_view_masks_the_address_for_units_only(city: City, secret: WorkOrder) -> None:
    assert citizen_view(city.user("handler_a"), secret)["address"] == "（保密）"
    assert citizen_view(city.user("reviewer"), secret)["address"] == ADDRESS
    plain = city.dispatched(unit=city.unit_a, address="公开小区1栋")
    assert citizen_view(city.user("handler_a"), plain)["address"] == "公开小区1栋"


PATHS = [
    ("api detail", lambda n: f"/api/cases/{n}"),
    ("api list", lambda n: "/api/cases"),
    ("api search by number", lambda n: f"/api/cases?q={n}"),
    ("api search by content", lambda n: "/api/cases?q=漏水"),
    ("api events", lambda n: f"/api/cases/{n}/events"),
    ("case page", lambda n: f"/cases/{n}/"),
    ("case list page search", lambda n: f"/cases/?q={n}"),
    ("csv export", lambda n: "/cases/export.csv"),
    ("csv export search", lambda n: "/cases/export.csv?q=漏水"),
]


@pytest.mark.parametrize(("label", "url"), PATHS, ids=[p[0] for p in PATHS])
def test_no_read_path_shows_a_unit_the_address(city: City, secret: WorkOrder, label: str, url) -> None:  # type: ignore[no-untyped-def]
    # The holding unit gets the page (200); the others get it too or a 404, and neither may hold the address.
    for name in ("handler_a", "handler_a1", "handler_b"):
        body = body_of(client_for(city, name).get(url(secret.number)), ok=name == "handler_a")
        assert ADDRESS not in body, (label, name)
    # The case is listed for its unit (the path really reaches it) ...
    if "export" in label or "list" in label or "search" in label:
        assert secret.number in body_of(client_for(city, "handler_a").get(url(secret.number)))


@pytest.mark.parametrize("url", ["/api/cases/{n}", "/cases/{n}/"])
def test_hotline_staff_still_see_the_address(city: City, secret: WorkOrder, url: str) -> None:
    assert ADDRESS in body_of(client_for(city, "reviewer").get(url.format(n=secret.number)))


def test_api_detail_field_is_masked_for_the_unit(city: City, secret: WorkOrder) -> None:
    detail = client_for(city, "handler_a").get(f"/api/cases/{secret.number}").json()
    assert (detail["address"], detail["citizen_name"], detail["confidential"]) == ("（保密）", "（保密）", True)


def test_the_transition_answer_does_not_carry_the_address(city: City, secret: WorkOrder) -> None:
    response = client_for(city, "handler_a").post(
        f"/api/cases/{secret.number}/transitions", data=json.dumps({"action": "accept"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert ADDRESS not in response.content.decode() and response.json()["case"]["address"] == "（保密）"
