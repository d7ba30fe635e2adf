"""Vocabulary bridging: articles indexed with the titles of past cases they answered (hotline.knowledge.learn)."""
import pytest

from hotline.bench.kb import FOLDS, training_cases
from hotline.knowledge import services
from hotline.knowledge.learn import PastCase, learn_from_history, learn_questions
from hotline.knowledge.models import Article
from hotline.knowledge.search import search
from tests.knowledge.conftest import publish_article

pytestmark = pytest.mark.django_db

BROADCAST = "村村响每日播放两次，早七点、晚六点，音量已调低。"


def titles(query):
    return [h.article.title for h in search(query)]


def test_a_past_case_teaches_the_citizens_words_for_an_article(kb):
    publish_article(kb, title="村村响播放安排", body=BROADCAST)
    publish_article(kb, title="住房公积金提取条件", body="职工购买自住住房的，可以申请提取住房公积金。")
    assert titles("喇叭太吵影响休息") == []  # no word in common with the article
    learned = learn_questions(cases=[PastCase(title="村里喇叭太吵", reply="您好！" + BROADCAST)])
    assert learned == 1
    assert titles("喇叭太吵影响休息") == ["村村响播放安排"]


def test_a_reply_that_matches_no_article_teaches_nothing(kb):
    article = publish_article(kb, title="村村响播放安排", body=BROADCAST)
    assert learn_questions(cases=[PastCase(title="喇叭太吵", reply="已转交住建部门核实处理。")]) == 0
    article.refresh_from_db()
    assert article.questions == "" and titles("喇叭太吵") == []


def test_learning_again_replaces_what_was_learned(kb):
    article = publish_article(kb, title="村村响播放安排", body=BROADCAST)
    learn_questions(cases=[PastCase(title="喇叭太吵", reply=BROADCAST)])
    learn_questions(cases=[PastCase(title="广播时间", reply=BROADCAST)])
    article.refresh_from_db()
    assert article.questions == "广播时间" and titles("喇叭太吵") == []


def test_a_direct_answer_names_its_article_from_history(kb):
    article = publish_article(kb, title="村村响播放安排", body=BROADCAST)
    services.answer_directly(actor=kb.user("operator"), article=article, query="村村响",
                             fields={"channel": kb.channel, "citizen_name": "张三", "citizen_phone": "13812345678",
                                     "title": "喇叭太吵", "content": "村里喇叭太吵", "appeal_type": kb.appeal_type})
    assert learn_from_history() == 1
    assert Article.objects.get(pk=article.pk).questions == "喇叭太吵"
    assert titles("喇叭太吵") == ["村村响播放安排"]


def test_a_confidential_case_teaches_nothing(kb):
    article = publish_article(kb, title="村村响播放安排", body=BROADCAST)
    services.answer_directly(actor=kb.user("operator"), article=article, query="村村响",
                             fields={"channel": kb.channel, "citizen_name": "张三", "citizen_phone": "13812345678",
                                     "confidential": True, "title": "喇叭太吵", "content": "村里喇叭太吵",
                                     "appeal_type": kb.appeal_type})
    assert learn_from_history() == 0
    assert Article.objects.get(pk=article.pk).questions == ""


def test_the_bench_never_learns_from_the_queried_fold():
    rows = [{"id": str(i), "title": f"t{i}", "reply": f"r{i}"} for i in range(23)]
    for fold in range(FOLDS):
        learned = {c.title for c in training_cases(rows, fold)}
        assert learned == {f"t{i}" for i in range(23) if i % FOLDS != fold}
