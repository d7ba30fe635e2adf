"""The month's figures page and the drill-down to the cases behind each figure."""
from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.bulletin.conftest import MayData

pytestmark = pytest.mark.django_db


def client_for(may: MayData, username: str) -> Client:
    client = Client()
    client.force_login(may.city.user(username))
    return client


def numbers(html: str) -> set[str]:
    return set(re.findall(r'href="/cases/([^/"]+)/"', html))


def test_staff_see_the_month_figures_with_links_to_their_cases(may: MayData) -> None:
    response = client_for(may, "supervisor").get("/figures/", {"month": "2024-05", "box": "hotline"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2024年5月 12345热线" in html and "甲县" in html
    assert "/figures/cases/?month=2024-05&box=hotline&figure=on_time" in html


def test_a_figure_lists_exactly_its_cases(may: MayData) -> None:
    response = client_for(may, "supervisor").get(
        "/figures/cases/", {"month": "2024-05", "box": "hotline", "figure": "on_time"})
    assert response.status_code == 200
    assert numbers(response.content.decode()) == {may.number("ontime"), may.number("reworked")}


def test_a_unit_drilling_down_sees_only_its_own_cases(may: MayData) -> None:
    response = client_for(may, "handler_b").get(
        "/figures/cases/", {"month": "2024-05", "box": "hotline", "figure": "dispatched"})
    assert response.status_code == 200
    assert numbers(response.content.decode()) == {may.number(k) for k in ("late", "reworked", "extended")}


def test_units_cannot_open_the_citywide_figures(may: MayData) -> None:
    assert client_for(may, "handler_a").get("/figures/", {"month": "2024-05"}).status_code == 403


@pytest.mark.parametrize("params, text", [
    ({"month": "2024-13", "figure": "received"}, "月份格式"),
    ({"month": "2024-05", "box": "fax", "figure": "received"}, "业务"),
    ({"month": "2024-05", "figure": "nonsense"}, "未知指标"),
])
def test_bad_drill_down_parameters_are_named_not_500(may: MayData, params: dict[str, str], text: str) -> None:
    response = client_for(may, "supervisor").get("/figures/cases/", params)
    assert response.status_code == 400
    assert text in response.content.decode()


def test_bad_month_on_the_figures_page_is_a_400(may: MayData) -> None:
    response = client_for(may, "supervisor").get("/figures/", {"month": "May"})
    assert response.status_code == 400 and "月份格式" in response.content.decode()


def test_login_is_required(may: MayData) -> None:
    assert Client().get("/figures/cases/", {"month": "2024-05", "figure": "received"}).status_code == 302
