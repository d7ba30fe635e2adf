"""Fixtures for the API tests: an integration token, logged-in clients per role, request helpers."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from hotline.directory.models import Channel, IntegrationToken, Tag
from hotline.directory.services import create_integration_token
from tests.factories import City


@dataclass
class Integration:
    token: IntegrationToken
    raw: str

    def headers(self, key: str | None = "key-1") -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.raw}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers


@pytest.fixture
def wechat(city: City) -> Integration:
    channel = Channel.objects.create(code="wechat", name="微信公众号")
    Tag.objects.create(code="npc", name="人大代表")
    Tag.objects.create(code="biz", name="政企通")
    token, raw = create_integration_token(name="微信公众号接入", channel=channel, source="wechat-mp")
    return Integration(token=token, raw=raw)


def post_json(client: Client, url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers or {})


@pytest.fixture
def as_user(city: City):
    """as_user("handler_a") -> a test client logged in as that user (CSRF not enforced)."""
    def make(role: str, *, enforce_csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf)
        client.force_login(city.user(role))
        return client
    return make


def intake_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "citizen_name": "李四", "citizen_phone": "13912345678", "title": "噪音扰民",
        "content": "夜间施工噪音扰民", "address": "岳阳楼区某小区", "appeal_type": "complaint",
    }
    body.update(overrides)
    return body
