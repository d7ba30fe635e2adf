"""GET /api/kb/search and /api/kb/articles/<key>: staff sessions and integration tokens (public only)."""
import pytest

from hotline.directory.services import create_integration_token
from tests.knowledge.conftest import publish_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(kb):
    return {"public": publish_article(kb, title="异地就医备案", body="到外地就医前办理备案。"),
            "internal": publish_article(kb, title="异地就医内部口径", body="备案争议按内部口径答复。", public=False)}


@pytest.fixture
def token(kb):
    return create_integration_token(name="微信", channel=kb.channel, source="wechat")[1]


def test_staff_search_sees_internal_articles(client, kb, articles):
    client.force_login(kb.user("operator"))
    body = client.get("/api/kb/search", {"q": "异地就医"}).json()
    assert {h["key"] for h in body} == {articles["public"].key, articles["internal"].key}
    assert "<mark>" in body[0]["snippet"]


def test_token_search_gets_public_articles_only(client, articles, token):
    body = client.get("/api/kb/search", {"q": "异地就医"}, headers={"Authorization": f"Bearer {token}"}).json()
    assert [h["key"] for h in body] == [articles["public"].key]
    internal = client.get(f"/api/kb/articles/{articles['internal'].key}", headers={"Authorization": f"Bearer {token}"})
    assert internal.status_code == 404
    public = client.get(f"/api/kb/articles/{articles['public'].key}", headers={"Authorization": f"Bearer {token}"})
    assert public.json()["body"] == "到外地就医前办理备案。"


def test_anonymous_is_refused_and_bad_input_named(client, kb, articles):
    assert client.get("/api/kb/search", {"q": "异地"}).status_code == 401
    client.force_login(kb.user("operator"))
    bad = client.get("/api/kb/search", {"q": "异地", "limit": 500})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "limit"


def test_search_is_read_only(client, kb, articles):
    client.force_login(kb.user("operator"))
    assert client.post("/api/kb/search", {"q": "x"}).status_code in (403, 405)


def test_unit_handler_cannot_read_another_units_draft(client, kb):
    from hotline.knowledge import services
    draft = services.create_article(actor=kb.user("handler_b"), title="乙局草稿", body="草稿内容")
    client.force_login(kb.user("handler_a"))
    assert client.get(f"/api/kb/articles/{draft.key}").status_code == 404
