"""Pages under /kb/: a unit's articles and duties, the editor's queue, the operator panel's partials."""
import pytest

from hotline.knowledge import services
from hotline.knowledge.models import Article, ArticleStatus
from tests.knowledge.conftest import publish_article

pytestmark = pytest.mark.django_db


def test_unit_writes_an_article_and_submits_it(client, kb):
    client.force_login(kb.user("handler_a"))
    resp = client.post("/kb/articles/new/", {"title": "路灯报修", "body": "拨打城管热线。", "public": "on", "submit": "1"})
    article = Article.objects.get(title="路灯报修")
    assert resp.status_code == 302 and article.unit == kb.unit_a and article.status == ArticleStatus.REVIEW


def test_form_errors_are_shown_next_to_the_field(client, kb):
    client.force_login(kb.user("handler_a"))
    resp = client.post("/kb/articles/new/", {"title": "", "body": "正文", "valid_from": "2025-02-01",
                                             "valid_until": "2025-01-01"})
    body = resp.content.decode()
    assert resp.status_code == 200 and "id_title-errors" in body and "正文" in body


def test_another_unit_cannot_edit(client, kb):
    article = publish_article(kb, unit=kb.unit_a)
    client.force_login(kb.user("handler_b"))
    assert client.get(f"/kb/articles/{article.pk}/edit/").status_code == 403
    resp = client.post(f"/kb/articles/{article.pk}/edit/", {"title": "改", "body": "改"})
    assert resp.status_code == 403
    article.refresh_from_db()
    assert article.title != "改"


def test_another_unit_cannot_see_a_draft(client, kb):
    draft = services.create_article(actor=kb.user("handler_a"), title="草稿", body="内容")
    client.force_login(kb.user("handler_b"))
    assert client.get(f"/kb/articles/{draft.pk}/").status_code == 404
    assert client.get(f"/kb/articles/{draft.pk}/versions/1/").status_code == 404


def test_editor_reviews_and_publishes(client, kb):
    article = services.create_article(actor=kb.user("handler_a"), title="路灯报修", body="拨打热线。", submit=True)
    client.force_login(kb.user("kb_editor"))
    assert "路灯报修" in client.get("/kb/").content.decode()
    client.post(f"/kb/articles/{article.pk}/publish/")
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED


def test_unit_cannot_publish_over_http(client, kb):
    article = services.create_article(actor=kb.user("handler_a"), title="路灯报修", body="拨打热线。", submit=True)
    client.force_login(kb.user("handler_a"))
    assert client.post(f"/kb/articles/{article.pk}/publish/").status_code == 403


def test_editor_sets_a_duty_and_the_unit_sees_only_its_own(client, kb):
    client.force_login(kb.user("kb_editor"))
    client.post("/kb/duties/new/", {"unit": kb.unit_a.pk, "title": "更新医保政策", "working_days": 5})
    client.post("/kb/duties/new/", {"unit": kb.unit_b.pk, "title": "更新乙局条目", "working_days": 5})
    client.force_login(kb.user("handler_a"))
    body = client.get("/kb/").content.decode()
    assert "更新医保政策" in body and "更新乙局条目" not in body


def test_operator_panel_search_and_article(client, kb):
    article = publish_article(kb)
    client.force_login(kb.user("operator"))
    results = client.get("/kb/panel/", {"q": "异地就医"}).content.decode()
    assert f"/kb/panel/{article.pk}/" in results and "<mark>" in results
    detail = client.get(f"/kb/panel/{article.pk}/").content.decode()
    assert f'data-kb-use="{article.pk}"' in detail and "用此答复" in detail


def test_panel_not_for_units_and_no_expired(client, kb):
    article = publish_article(kb)
    client.force_login(kb.user("handler_b"))
    assert client.get("/kb/panel/", {"q": "异地就医"}).status_code == 403
    services.retire(actor=kb.user("kb_editor"), article=article, reason="政策废止")
    client.force_login(kb.user("operator"))
    assert client.get(f"/kb/panel/{article.pk}/").status_code == 404
