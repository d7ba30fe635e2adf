"""Direct answers citing an article, gaps (知识库未覆盖), and the month's figures and bulletin built on them."""
import datetime as dt

import pytest

from hotline.bulletin import selectors as bulletin_selectors
from hotline.bulletin.period import Month
from hotline.bulletin.sources import knowledge_figures
from hotline.knowledge import services
from hotline.knowledge.models import Citation, DutyStatus, Gap
from hotline.knowledge.selectors import month_figures
from hotline.knowledge.services import KnowledgeError
from hotline.workorders.models import Event, Status, WorkOrder
from tests.assessment.conftest import MAY, at
from tests.knowledge.conftest import publish_article

pytestmark = pytest.mark.django_db


def fields(kb, **extra):
    return {"channel": kb.channel, "citizen_name": "张三", "citizen_phone": "13812345678",
            "content": "咨询异地就医备案", "appeal_type": kb.appeal_type, **extra}


def test_answer_directly_creates_an_answered_case_citing_the_article(kb):
    article = publish_article(kb, at=at(5, 1))
    order = services.answer_directly(actor=kb.user("operator"), fields=fields(kb), article=article,
                                     query="异地就医", at=at(5, 6))
    assert order.status == Status.ANSWERED
    answer = Event.objects.get(order=order, kind="answer")
    assert answer.data["kb_article"] == article.pk and answer.data["kb_version"] == article.version
    citation = Citation.objects.get(order=order)
    assert (citation.article, citation.query) == (article, "异地就医")


def test_cannot_cite_an_expired_or_draft_article(kb):
    draft = services.create_article(actor=kb.user("kb_editor"), title="草稿", body="内容")
    with pytest.raises(KnowledgeError) as err:
        services.answer_directly(actor=kb.user("operator"), fields=fields(kb), article=draft)
    assert err.value.field == "kb_article"
    expired = publish_article(kb, valid_until=dt.date(2024, 5, 5), at=at(5, 1))
    with pytest.raises(KnowledgeError):
        services.answer_directly(actor=kb.user("operator"), fields=fields(kb), article=expired, at=at(5, 6))
    assert WorkOrder.objects.count() == 0


def test_a_unit_handler_cannot_answer_directly(kb):
    article = publish_article(kb)
    with pytest.raises(Exception):
        services.answer_directly(actor=kb.user("handler_a"), fields=fields(kb), article=article)
    assert WorkOrder.objects.count() == 0


def test_gap_with_a_duty_for_the_responsible_unit(kb):
    order = kb.new_order()
    gap = services.record_gap(actor=kb.user("operator"), order=order, query="电动车上牌", unit=kb.unit_b,
                              create_duty=True)
    assert gap.duty.unit == kb.unit_b and gap.duty.status == DutyStatus.OPEN and gap.duty.order == order
    assert "电动车上牌" in gap.duty.title
    with pytest.raises(KnowledgeError):
        services.record_gap(actor=kb.user("operator"), order=order, query="again")
    with pytest.raises(KnowledgeError) as err:
        services.record_gap(actor=kb.user("operator"), order=kb.new_order(), query="x", create_duty=True)
    assert err.value.field == "unit"
    assert Gap.objects.count() == 1


def test_month_figures_and_bulletin_count_direct_answers_and_gaps(kb):
    article = publish_article(kb, at=at(5, 1))
    for day in (6, 7):
        services.answer_directly(actor=kb.user("operator"), fields=fields(kb), article=article, at=at(5, day))
    services.record_gap(actor=kb.user("operator"), order=kb.new_order(at=at(5, 8)), query="电动车上牌",
                        at=at(5, 8))
    figures = month_figures(month=MAY, as_of=at(6, 1))
    assert (figures["answered_from_articles"], figures["gaps"]) == (2, 1)
    assert figures["top_articles"] == [{"title": article.title, "count": 2}]
    headline = bulletin_selectors.headline(Month(2024, 5), "hotline", as_of=at(6, 1))
    assert headline["answered_directly"] == 2
    section = knowledge_figures({"ledger": []}, month=MAY, as_of=at(6, 1))
    assert section["available"] and section["answered_from_articles"] == 2


def test_intake_knowledge_cites_or_records_a_gap_with_a_duty(kb):
    from hotline.workorders.services import transition

    article = publish_article(kb)
    answered = kb.new_order()
    transition(order=answered, action="answer", actor=kb.user("operator"))
    citation = services.record_intake_knowledge(actor=kb.user("operator"), order=answered, article_id=article.pk,
                                                query="异地就医")
    assert isinstance(citation, Citation) and citation.article == article
    dispatched = kb.dispatched(unit=kb.unit_b)
    gap = services.record_intake_knowledge(actor=kb.user("operator"), order=dispatched, article_id=None,
                                           query="电动车上牌", missing=True)
    assert isinstance(gap, Gap) and gap.duty.unit == kb.unit_b
    services.retire(actor=kb.user("kb_editor"), article=article, reason="废止")
    again = kb.new_order()
    transition(order=again, action="answer", actor=kb.user("operator"))
    with pytest.raises(KnowledgeError) as err:
        services.record_intake_knowledge(actor=kb.user("operator"), order=again, article_id=article.pk)
    assert err.value.field == "kb_article"
