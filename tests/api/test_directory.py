"""Directory lists for staff, session login/logout with CSRF, and the OpenAPI docs."""
from __future__ import annotations

import pytest
from django.test import Client

from hotline.directory.models import Category, Tag
from tests.api.conftest import post_json


def test_units_lists_active_units(as_user, city):
    city.unit_b.active = False
    city.unit_b.save()
    units = as_user("handler_b").get("/api/directory/units").json()
    assert [u["name"] for u in units] == ["甲区人民政府", "甲区某街道"]
    assert units[1]["parent_id"] == city.unit_a.pk
    everything = as_user("dispatcher").get("/api/directory/units", {"include_inactive": "true"}).json()
    assert len(everything) == 3


def test_channels_appeal_types_categories_tags(as_user, city):
    Category.objects.create(taxonomy="test", name="路灯", parent=city.category, depth=2)
    Category.objects.create(taxonomy="other", name="别的")
    Tag.objects.create(code="npc", name="人大代表")
    client = as_user("operator")
    assert client.get("/api/directory/channels").json() == [
        {"code": "phone", "name": "电话", "upper_platform": False, "reply_days": None}]
    assert client.get("/api/directory/appeal-types").json() == [{"code": "complaint", "name": "投诉"}]
    tree = client.get("/api/directory/categories", {"taxonomy": "test"}).json()
    assert [(c["name"], c["depth"], c["parent_id"]) for c in tree] == [
        ("城市管理类", 1, None), ("路灯", 2, city.category.pk)]
    # leader_day comes with the migrations (directory/0004_dispatch_rules): the leader answering day's tag.
    assert client.get("/api/directory/tags").json() == [
        {"code": "leader_day", "name": "领导接听日"}, {"code": "npc", "name": "人大代表"}]


@pytest.mark.parametrize("path", ["units", "channels", "appeal-types", "categories", "tags"])
def test_directory_needs_login(city, path):
    assert Client().get(f"/api/directory/{path}").status_code == 401


def test_login_me_logout(city):
    client = Client(enforce_csrf_checks=True)
    token = client.get("/api/auth/csrf").json()["csrf_token"]
    response = post_json(client, "/api/auth/login", {"username": "handler_a", "password": "pw-12345678"},
                         headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.json()
    me = response.json()
    assert (me["username"], me["role"], me["unit"]) == ("handler_a", "unit_handler", city.unit_a.pk)
    assert client.get("/api/auth/me").json()["username"] == "handler_a"
    assert client.post("/api/auth/logout", headers={"X-CSRFToken": me["csrf_token"]}).status_code == 204
    assert client.get("/api/auth/me").status_code == 401


def test_login_requires_csrf(city):
    client = Client(enforce_csrf_checks=True)
    response = post_json(client, "/api/auth/login", {"username": "operator", "password": "pw-12345678"})
    assert response.status_code == 403
    assert client.get("/api/auth/me").status_code == 401


def test_wrong_password_is_401_naming_password(city):
    response = post_json(Client(), "/api/auth/login", {"username": "operator", "password": "wrong"})
    assert response.status_code == 401
    assert [e["field"] for e in response.json()["detail"]] == ["password"]


def test_openapi_schema_and_docs(client, db):
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/intake", "/api/cases", "/api/cases/{number}", "/api/cases/{number}/events",
                 "/api/cases/{number}/phone", "/api/cases/{number}/transitions", "/api/directory/units",
                 "/api/directory/channels", "/api/directory/appeal-types", "/api/directory/categories"):
        assert path in schema["paths"]
    assert client.get("/api/docs").status_code == 200
