"""Integration tokens are rate-limited per token (settings.API_TOKEN_RATE); staff sessions are not counted."""
from __future__ import annotations

from hotline.directory.models import Channel
from hotline.directory.services import create_integration_token
from tests.api.conftest import intake_body, post_json

URL = "/api/intake"


def test_a_token_over_its_rate_gets_429_with_retry_after(client, wechat, settings):
    settings.API_TOKEN_RATE = "3/min"
    codes = [post_json(client, URL, intake_body(), wechat.headers(key=f"k{i}")).status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = post_json(client, URL, intake_body(), wechat.headers(key="k9"))
    assert refused.json()["detail"][0]["code"] == "throttled" and 0 < int(refused["Retry-After"]) <= 60


def test_each_token_has_its_own_budget(client, wechat, settings):
    settings.API_TOKEN_RATE = "1/min"
    other, raw = create_integration_token(name="热线网页", channel=Channel.objects.get(code="wechat"), source="web")
    assert post_json(client, URL, intake_body(), wechat.headers(key="a")).status_code == 201
    assert post_json(client, URL, intake_body(), wechat.headers(key="b")).status_code == 429
    headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": "c"}
    assert post_json(client, URL, intake_body(), headers).status_code == 201


def test_an_empty_rate_means_no_limit(client, wechat, settings):
    settings.API_TOKEN_RATE = ""
    codes = {post_json(client, URL, intake_body(), wechat.headers(key=f"k{i}")).status_code for i in range(5)}
    assert codes == {201}


def test_staff_sessions_are_not_counted_as_tokens(as_user, city, settings):
    settings.API_TOKEN_RATE = "1/min"
    client = as_user("dispatcher")
    assert {client.get("/api/cases").status_code for _ in range(3)} == {200}
