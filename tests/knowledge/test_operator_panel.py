"""The operator desk's knowledge slot over HTTP: the panel is on the page, a cited article is recorded with the
direct answer, 知识库未覆盖 records a gap and a duty for the unit the call went to."""
import pytest

from hotline.directory.models import Role
from hotline.knowledge import services
from hotline.knowledge.models import Citation, Gap
from hotline.workorders.models import Status, WorkOrder
from tests.desks.test_operator import URL, _post, intake  # noqa: F401
from tests.knowledge.conftest import publish_article

pytestmark = pytest.mark.django_db


def test_desk_shows_the_search_panel(client, kb, intake):  # noqa: F811
    client.force_login(kb.user(Role.OPERATOR))
    body = client.get(URL).content.decode()
    slot = body.split('id="kb-slot"', 1)[1]
    assert 'id="kb-q"' in slot and "/kb/panel/" in slot and "kb-panel.js" in slot


def test_answer_citing_an_article(client, kb, intake):  # noqa: F811
    article = publish_article(kb)
    client.force_login(kb.user(Role.OPERATOR))
    client.post(URL, _post(kb, intake, outcome="answer", answer="依据知识库答复", kb_article=article.pk,
                           kb_query="异地就医"))
    order = WorkOrder.objects.get()
    citation = Citation.objects.get(order=order)
    assert order.status == Status.ANSWERED and citation.article == article and citation.query == "异地就医"


def test_citing_a_retired_article_is_refused_and_nothing_is_written(client, kb, intake):  # noqa: F811
    article = publish_article(kb)
    services.retire(actor=kb.user("kb_editor"), article=article, reason="废止")
    client.force_login(kb.user(Role.OPERATOR))
    resp = client.post(URL, _post(kb, intake, outcome="answer", answer="依据知识库答复", kb_article=article.pk))
    assert resp.status_code == 400 and "未发布或已过期" in resp.content.decode()
    assert not WorkOrder.objects.exists()


def test_missing_knowledge_on_a_dispatched_call_gives_the_unit_a_duty(client, kb, intake):  # noqa: F811
    client.force_login(kb.user(Role.OPERATOR))
    client.post(URL, _post(kb, intake, outcome="dispatch", unit=kb.unit_b.pk, kb_missing="on",
                           kb_query="电动车上牌"))
    gap = Gap.objects.get()
    assert gap.query == "电动车上牌" and gap.duty.unit == kb.unit_b and gap.order.status == Status.DISPATCHED
