"""The demo city's knowledge base: articles written from real units' replies (taidi2020c, packaged), some
expiring soon, some expired, some awaiting review, and update duties of which one is overdue.

Called by hotline.workorders.demo.set_up_demo; safe to run again (nothing is made twice).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import lzma
import re
from importlib import resources

from django.db import transaction
from django.utils import timezone

from hotline.directory.models import Role, Unit, User
from hotline.knowledge import services
from hotline.knowledge.models import Article, ArticleStatus, UpdateDuty

KEY_PREFIX = "demo-kb-"
ARTICLES = 48
# First matching rule gives the owner unit (Yueyang profile names); the rest go to the district.
UNIT_RULES: list[tuple[str, str]] = [
    ("公积金", "市住房公积金管理中心"), ("医保|医疗保险", "市医疗保障局"),
    ("社保|养老|工资|就业|人才|劳动|退休", "市人社局"), ("学校|教育|学生|老师|幼儿园|学位|招生", "市教体局"),
    ("医院|医生|卫生|疫苗|诊所", "市卫健委"), ("户口|落户|派出所|治安|身份证", "市公安局"),
    ("公交|交通|出租|地铁|驾驶", "市交通运输局"), ("污染|噪音|环保|排污|臭", "市生态环境局"),
    ("城管|占道|垃圾|摊", "市城管局"), ("物业|小区|住房|房|拆迁|建设|装修", "市住建局"),
]
FALLBACK_UNIT = "岳阳楼区"
GREETING = re.compile(r"^.{0,60}?(?:回复如下|答复如下)[：:]\s*")
CLOSING = re.compile(r"(?:感谢您对我们工作的支持.*|\d{4}年\d{1,2}月\d{1,2}日\s*)$")


def _rows() -> list[dict[str, str]]:
    raw = resources.files("hotline.knowledge").joinpath("data/taidi2020c_replies.csv.xz").read_bytes()
    return list(csv.DictReader(io.StringIO(lzma.decompress(raw).decode("utf-8"))))


def _clean(reply: str) -> str:
    text = CLOSING.sub("", GREETING.sub("", reply.strip(), count=1)).strip()
    return text.replace("A市", "我市")


def _unit_name(title: str) -> str:
    for pattern, name in UNIT_RULES:
        if re.search(pattern, title):
            return name
    return FALLBACK_UNIT


def set_up_knowledge_demo(*, now: dt.datetime | None = None) -> int:
    """Load the demo articles and duties once; returns the number of articles created."""
    if Article.objects.filter(key__startswith=KEY_PREFIX).exists():
        return 0
    now = now or timezone.now()
    today = timezone.localdate(now)
    editor = User.objects.filter(role=Role.KB_EDITOR).order_by("pk").first()
    units = {u.name: u for u in Unit.objects.filter(city="yueyang")}
    picked = [r for r in _rows() if 80 <= len(_clean(r["reply"])) <= 900][:ARTICLES]
    with transaction.atomic():
        for i, row in enumerate(picked):
            _article(i, row, units=units, editor=editor, now=now, today=today)
        _duties(units=units, editor=editor, now=now)
    return len(picked)


def _article(i: int, row: dict[str, str], *, units: dict[str, Unit], editor: User | None, now: dt.datetime,
             today: dt.date) -> None:
    unit = units.get(_unit_name(row["title"])) or units.get(FALLBACK_UNIT)
    title = row["title"].replace("A市", "我市")[:200]
    created = now - dt.timedelta(days=40 - i % 30)
    valid_until = today + dt.timedelta(days=365)
    if i % 12 == 0:
        valid_until = today + dt.timedelta(days=3 + i % 2)  # expiring soon: the owner unit is reminded
    elif i % 12 == 1:
        valid_until = today - dt.timedelta(days=5)  # expired
    handler = User.objects.filter(role=Role.UNIT_HANDLER, unit=unit).order_by("pk").first()
    article = services.create_article(
        actor=editor, title=title, body=_clean(row["reply"]), unit=unit, key=f"{KEY_PREFIX}{row['id']}",
        keywords=" ".join(re.findall(r"[\u4e00-\u9fff]{2,4}(?:证|费|险|金|房|校)", title))[:300],
        public=i % 7 != 4, valid_from=today - dt.timedelta(days=60), valid_until=valid_until, at=created)
    if i == 2:
        services.submit_for_review(actor=handler or editor, article=article, at=created)  # awaiting the editor
        return
    if i == 3:
        return  # a draft
    # Published while still valid (an expired one was published before its date), then swept.
    services.publish(actor=editor, article=article, at=created)
    if valid_until < today:
        services.expire_articles(today=today)


def _duties(*, units: dict[str, Unit], editor: User | None, now: dt.datetime) -> None:
    zhujian, district = units.get("市住建局"), units.get(FALLBACK_UNIT)
    if zhujian is not None:
        article = Article.objects.filter(unit=zhujian, status=ArticleStatus.PUBLISHED).order_by("pk").first()
        services.assign_duty(actor=editor, unit=zhujian, article=article, working_days=5,
                             title="物业服务收费政策调整，请更新相关知识条目",
                             reason="市发改委发布新的物业服务收费标准。", at=now - dt.timedelta(days=20))
    if district is not None:
        services.assign_duty(actor=editor, unit=district, working_days=5, title="补充老旧小区改造咨询口径",
                             reason="近期来电集中咨询老旧小区改造，知识库未覆盖。", at=now - dt.timedelta(days=1))


def demo_duty_count() -> int:
    return UpdateDuty.objects.count()
