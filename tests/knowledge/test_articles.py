import datetime as dt

import pytest
import time_machine

from hotline.knowledge import services
from hotline.knowledge.models import ArticleStatus, ArticleVersion
from hotline.knowledge.search import search
from hotline.knowledge.services import KnowledgeError, KnowledgeForbidden
from tests.knowledge.conftest import publish_article

pytestmark = pytest.mark.django_db


def test_unit_writes_own_article_as_draft_and_submits(kb):
    handler = kb.user("handler_a")
    article = services.create_article(actor=handler, title="路灯报修", body="路灯不亮请拨打城管热线报修。")
    assert article.unit_id == kb.unit_a.pk and article.status == ArticleStatus.DRAFT
    services.submit_for_review(actor=handler, article=article)
    article.refresh_from_db()
    assert article.status == ArticleStatus.REVIEW


def test_unit_cannot_edit_another_units_article(kb):
    article = publish_article(kb, unit=kb.unit_a)
    with pytest.raises(KnowledgeForbidden):
        services.update_article(actor=kb.user("handler_b"), article=article, changes={"title": "改"})
    with pytest.raises(KnowledgeForbidden):
        services.create_article(actor=kb.user("handler_b"), title="x", body="y", unit=kb.unit_a)


def test_sub_unit_handler_cannot_edit_parent_article_but_parent_can_edit_sub_units(kb):
    parent_article = publish_article(kb, unit=kb.unit_a)
    sub_article = publish_article(kb, unit=kb.unit_a1, title="街道办事指南")
    with pytest.raises(KnowledgeForbidden):
        services.update_article(actor=kb.user("handler_a1"), article=parent_article, changes={"title": "改"})
    services.update_article(actor=kb.user("handler_a"), article=sub_article, changes={"title": "街道办事指南（新）"})


def test_only_the_editor_publishes(kb):
    article = services.create_article(actor=kb.user("handler_a"), title="路灯报修", body="请拨打热线。", submit=True)
    with pytest.raises(KnowledgeForbidden):
        services.publish(actor=kb.user("handler_a"), article=article)
    services.publish(actor=kb.user("kb_editor"), article=article)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED


def test_every_change_is_a_version_with_who_and_what(kb):
    article = publish_article(kb, title="旧标题")
    services.update_article(actor=kb.user("handler_a"), article=article, changes={"title": "新标题"}, note="政策调整")
    versions = list(ArticleVersion.objects.filter(article=article).order_by("version"))
    assert [v.action for v in versions] == ["create", "publish", "update"]
    assert versions[0].title == "旧标题" and versions[-1].title == "新标题"
    assert versions[-1].changed_by == kb.user("handler_a") and versions[-1].note == "政策调整"
    article.refresh_from_db()
    assert article.version == 3


def test_unit_change_to_published_article_goes_back_to_review(kb):
    article = publish_article(kb)
    services.update_article(actor=kb.user("handler_a"), article=article, changes={"body": "新的办理流程说明。"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.REVIEW
    assert search("异地就医备案") == []


def test_editor_returns_with_reason(kb):
    article = services.create_article(actor=kb.user("handler_a"), title="路灯报修", body="请拨打热线。", submit=True)
    with pytest.raises(KnowledgeError):
        services.return_for_changes(actor=kb.user("kb_editor"), article=article, reason=" ")
    services.return_for_changes(actor=kb.user("kb_editor"), article=article, reason="请补充办理地点")
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT


def test_bad_input_names_the_field(kb):
    with pytest.raises(KnowledgeError) as err:
        services.create_article(actor=kb.user("kb_editor"), title="", body="x")
    assert err.value.field == "title"
    with pytest.raises(KnowledgeError) as err:
        services.create_article(actor=kb.user("kb_editor"), title="t", body="x", valid_from=dt.date(2025, 2, 1),
                                valid_until=dt.date(2025, 1, 1))
    assert err.value.field == "valid_until"


def test_operator_cannot_write_articles(kb):
    with pytest.raises(KnowledgeForbidden):
        services.create_article(actor=kb.user("operator"), title="t", body="b")


@time_machine.travel(dt.datetime(2025, 3, 10, 9, tzinfo=dt.timezone.utc), tick=False)
def test_expired_article_is_never_offered(kb):
    article = publish_article(kb, valid_until=dt.date(2025, 3, 12))
    assert [h.article.pk for h in search("异地就医备案")] == [article.pk]
    assert search("异地就医备案", today=dt.date(2025, 3, 13)) == []  # past its date, before the sweep
    assert services.expire_articles(today=dt.date(2025, 3, 13)) == 1
    article.refresh_from_db()
    assert article.status == ArticleStatus.EXPIRED
    assert search("异地就医备案", today=dt.date(2025, 3, 10)) == []
    assert services.expire_articles(today=dt.date(2025, 3, 13)) == 0


@time_machine.travel(dt.datetime(2025, 3, 10, 9, tzinfo=dt.timezone.utc), tick=False)
def test_expiry_reminder_n_working_days_before_once(kb, settings):
    settings.HOTLINE_KB_REMIND_WORKING_DAYS = 3
    soon = publish_article(kb, valid_until=dt.date(2025, 3, 13))  # Mon 10 -> Thu 13: within 3 working days
    publish_article(kb, title="远期", valid_until=dt.date(2025, 3, 31))
    first = services.send_expiry_reminders(today=dt.date(2025, 3, 10))
    assert [(r.article_id, r.unit_id) for r in first] == [(soon.pk, kb.unit_a.pk)]
    assert services.send_expiry_reminders(today=dt.date(2025, 3, 10)) == []
    assert services.send_expiry_reminders(today=dt.date(2025, 3, 11)) == []
    services.update_article(actor=kb.user("kb_editor"), article=soon, changes={"valid_until": dt.date(2025, 3, 14)})
    assert [r.valid_until for r in services.send_expiry_reminders(today=dt.date(2025, 3, 11))] == [dt.date(2025, 3, 14)]


def test_earlier_version_can_be_viewed(kb, client):
    article = publish_article(kb, title="旧标题")
    services.update_article(actor=kb.user("kb_editor"), article=article, changes={"title": "新标题"})
    client.force_login(kb.user("kb_editor"))
    page = client.get(f"/kb/articles/{article.pk}/versions/1/")
    assert page.status_code == 200 and "旧标题" in page.content.decode()
