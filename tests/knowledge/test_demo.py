"""The demo's knowledge base: real replies as articles, some expiring soon, one duty overdue."""
import datetime as dt

import pytest
from django.utils import timezone

from hotline.directory.seeds import seed_city
from hotline.knowledge.demo import KEY_PREFIX, set_up_knowledge_demo
from hotline.knowledge.models import Article, ArticleStatus, UpdateDuty
from hotline.knowledge.search import search
from hotline.knowledge.selectors import is_overdue
from hotline.knowledge.services import send_expiry_reminders
from hotline.workorders.demo import ensure_sub_unit, ensure_users

pytestmark = pytest.mark.django_db


def test_demo_knowledge_base(calendar):
    seed_city(city="yueyang")
    ensure_sub_unit()
    ensure_users()
    assert set_up_knowledge_demo() > 40
    assert set_up_knowledge_demo() == 0  # safe to run again
    today = timezone.localdate()
    articles = Article.objects.filter(key__startswith=KEY_PREFIX)
    statuses = set(articles.values_list("status", flat=True))
    assert {ArticleStatus.PUBLISHED, ArticleStatus.EXPIRED, ArticleStatus.REVIEW, ArticleStatus.DRAFT} <= statuses
    assert articles.filter(public=False, status=ArticleStatus.PUBLISHED).exists()
    assert send_expiry_reminders(today=today)  # some expire within the reminder window
    assert sum(is_overdue(d, today=today) for d in UpdateDuty.objects.all()) == 1
    assert "您好" not in articles.first().body[:20]
    title = articles.filter(status=ArticleStatus.PUBLISHED).first().title
    assert search(title)[0].article.title == title
