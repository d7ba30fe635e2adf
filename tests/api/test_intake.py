"""POST /api/intake: integration-token intake, idempotency, validation naming the field."""
from __future__ import annotations

import pytest
from django.test import Client

from hotline.directory.models import Channel
from hotline.directory.services import create_integration_token, revoke_integration_token
from hotline.workorders.models import Event, Status, WorkOrder
from tests.api.conftest import intake_body, post_json

URL = "/api/intake"


def fields_of(response) -> set[str | None]:
    return {e["field"] for e in response.json()["detail"]}


def test_intake_creates_case_with_token_channel_and_source(client, city, wechat):
    body = intake_body(category=city.category.pk, tags=["npc"], urgency="urgent", confidential=True,
                       external_id="WX-001")
    response = post_json(client, URL, body, wechat.headers())
    assert response.status_code == 201, response.json()
    out = response.json()
    assert out["created"] is True and out["channel"] == "wechat" and out["source"] == "wechat-mp"
    order = WorkOrder.objects.get(number=out["number"])
    assert order.number.startswith("RX") and order.status == Status.NEW
    assert (order.channel.code, order.source, order.idempotency_key) == ("wechat", "wechat-mp", "key-1")
    assert (order.appeal_type, order.category, order.urgency) == (city.appeal_type, city.category, "urgent")
    assert order.confidential and order.external_id == "WX-001" and order.content == "夜间施工噪音扰民"
    assert list(order.tags.values_list("code", flat=True)) == ["npc"]
    event = Event.objects.get(order=order)
    assert (event.kind, event.actor, event.actor_role) == ("create", None, "system")


def test_mailbox_intake_gets_a_mailbox_number(client, wechat):
    response = post_json(client, URL, intake_body(box="mailbox"), wechat.headers())
    assert response.status_code == 201
    assert response.json()["number"].startswith("XX")


def test_retry_with_same_key_returns_same_case(client, wechat):
    first = post_json(client, URL, intake_body(), wechat.headers(key="abc"))
    again = post_json(client, URL, intake_body(), wechat.headers(key="abc"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"] and again.json()["created"] is False
    assert WorkOrder.objects.count() == 1


def test_same_key_with_different_appeal_is_a_conflict(client, wechat):
    post_json(client, URL, intake_body(), wechat.headers(key="abc"))
    response = post_json(client, URL, intake_body(content="另一件事"), wechat.headers(key="abc"))
    assert response.status_code == 409
    assert fields_of(response) == {"Idempotency-Key"}
    assert WorkOrder.objects.count() == 1


def test_keys_are_namespaced_by_source(client, city, wechat):
    portal = Channel.objects.create(code="portal", name="市长信箱")
    _, raw = create_integration_token(name="门户", channel=portal, source="portal")
    a = post_json(client, URL, intake_body(), wechat.headers(key="same"))
    b = post_json(client, URL, intake_body(), {"Authorization": f"Bearer {raw}", "Idempotency-Key": "same"})
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["number"] != b.json()["number"]


def test_missing_idempotency_key_is_rejected(client, wechat):
    response = post_json(client, URL, intake_body(), wechat.headers(key=None))
    assert response.status_code == 422
    assert fields_of(response) == {"Idempotency-Key"}
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("content", [None, "", "   "])
def test_missing_or_blank_content_is_rejected(client, wechat, content):
    body = intake_body()
    if content is None:
        del body["content"]
    else:
        body["content"] = content
    response = post_json(client, URL, body, wechat.headers())
    assert response.status_code == 422
    assert fields_of(response) == {"content"}


def test_unknown_appeal_type_is_rejected_and_nothing_is_written(client, wechat):
    response = post_json(client, URL, intake_body(appeal_type="nonsense"), wechat.headers())
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "appeal_type" and "nonsense" in error["reason"]
    assert not WorkOrder.objects.exists()


def test_every_unknown_reference_is_named(client, wechat):
    response = post_json(client, URL, intake_body(category=999999, tags=["npc", "nope"]), wechat.headers())
    assert response.status_code == 422
    assert fields_of(response) == {"category", "tags"}
    assert "nope" in response.json()["detail"][1]["reason"]


@pytest.mark.parametrize("field,value", [
    ("confidential", "maybe"), ("category", "abc"), ("urgency", "whenever"), ("box", "fax"),
    ("tags", "npc"), ("citizen_phone", "call me"), ("title", "题" * 201), ("unexpected", 1),
    ("category", 10**20), ("content", "夜间\x00施工"), ("tags", ["npc\x00"]),
])
def test_wrong_types_and_unknown_fields_are_named(client, wechat, field, value):
    response = post_json(client, URL, intake_body(**{field: value}), wechat.headers())
    assert response.status_code == 422
    assert fields_of(response) == {field}


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"'])
def test_malformed_or_non_object_body_is_a_json_error(client, wechat, raw):
    response = client.post(URL, data=raw, content_type="application/json", headers=wechat.headers())
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "body" in fields_of(response)


def test_revoked_token_is_refused(client, wechat):
    revoke_integration_token(token=wechat.token)
    response = post_json(client, URL, intake_body(), wechat.headers())
    assert response.status_code == 401
    assert fields_of(response) == {"Authorization"}


@pytest.mark.parametrize("authorization", [None, "Bearer hlt_wrong", "Basic dXNlcjpwdw==", "Bearer "])
def test_absent_or_unknown_token_is_refused(client, wechat, authorization):
    headers = {"Idempotency-Key": "k"}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = post_json(client, URL, intake_body(), headers)
    assert response.status_code == 401
    assert not WorkOrder.objects.exists()


def test_staff_session_cannot_use_intake(as_user, wechat):
    response = post_json(as_user("operator"), URL, intake_body(), {"Idempotency-Key": "k"})
    assert response.status_code == 401


def test_token_auth_needs_no_csrf(wechat):
    response = post_json(Client(enforce_csrf_checks=True), URL, intake_body(), wechat.headers())
    assert response.status_code == 201


def test_token_is_stored_hashed(wechat):
    wechat.token.refresh_from_db()
    assert wechat.raw not in (wechat.token.token_hash, wechat.token.prefix)
    assert len(wechat.token.token_hash) == 64 and wechat.raw.startswith(wechat.token.prefix)
