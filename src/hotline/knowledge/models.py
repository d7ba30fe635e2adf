"""The knowledge base (知识库): articles with every version kept, update duties, direct answers, gaps,
synonyms, and the search index (terms and postings)."""
from __future__ import annotations

import re

from django.conf import settings
from django.db import models


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    REVIEW = "review", "待审核"
    PUBLISHED = "published", "已发布"
    EXPIRED = "expired", "已过期"
    RETIRED = "retired", "已下线"


class Article(models.Model):
    key = models.CharField("编号", max_length=80, unique=True, help_text="stable key for import/export")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    unit = models.ForeignKey("directory.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="articles", verbose_name="责任单位")
    categories = models.ManyToManyField("directory.Category", blank=True, related_name="+", verbose_name="分类")
    keywords = models.CharField("关键词", max_length=300, blank=True)
    public = models.BooleanField("可公开", default=True, help_text="internal notes are for operators only")
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    version = models.PositiveIntegerField("版本", default=0)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="更新人")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    # The valid_until date whose expiry reminder was sent (the reminder is sent once per date).
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    indexed_length = models.PositiveIntegerField(default=0, editable=False)
    # Appeal titles of past cases this article answered, one a line, written only by hotline.knowledge.learn
    # (learned, not authored: not versioned); indexed at QUESTION_WEIGHT so citizens' words find the article.
    questions = models.TextField("历史诉求标题", blank=True, default="", editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "知识条目"
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "valid_until"]), models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return self.title

    def keyword_list(self) -> list[str]:
        return split_words(self.keywords)


class ArticleVersion(models.Model):
    """A snapshot of an article after one change. Rows are only ever inserted."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本")
    action = models.CharField("操作", max_length=20)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    keywords = models.CharField("关键词", max_length=300, blank=True)
    public = models.BooleanField("可公开")
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=ArticleStatus.choices)
    unit = models.ForeignKey("directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    category_ids = models.JSONField("分类", default=list)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="操作人")
    changed_at = models.DateTimeField("时间")
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "知识条目版本"
        ordering = ["article_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["article", "version"], name="article_version_unique")]


class DutyStatus(models.TextChoices):
    OPEN = "open", "待更新"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已撤销"


class UpdateDuty(models.Model):
    """The hotline asks a unit to create or update an article by a working-day deadline (知识更新任务)."""

    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="责任单位")
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="duties",
                                verbose_name="知识条目")
    title = models.CharField("任务", max_length=200)
    reason = models.TextField("原因", blank=True)
    order = models.ForeignKey("workorders.WorkOrder", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="来源工单")
    working_days = models.PositiveSmallIntegerField("时限（工作日）")
    due_date = models.DateField("截止日期", db_index=True)
    status = models.CharField("状态", max_length=12, choices=DutyStatus.choices, default=DutyStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="布置人")
    created_at = models.DateTimeField("布置时间")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="完成人")
    cancelled_reason = models.CharField("撤销理由", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "知识更新任务"
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return self.title


class Citation(models.Model):
    """A case answered directly (在线直接答复) from an article."""

    order = models.OneToOneField("workorders.WorkOrder", on_delete=models.PROTECT, related_name="kb_citation")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="citations")
    article_version = models.PositiveIntegerField("条目版本")
    query = models.CharField("检索词", max_length=200, blank=True)
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "知识库直接答复"


class Gap(models.Model):
    """The operator searched and nothing answered: 知识库未覆盖."""

    order = models.OneToOneField("workorders.WorkOrder", on_delete=models.PROTECT, related_name="kb_gap")
    query = models.CharField("检索词", max_length=200, blank=True)
    unit = models.ForeignKey("directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    duty = models.ForeignKey(UpdateDuty, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "知识库未覆盖"


class SynonymGroup(models.Model):
    """Words that mean the same for search, e.g. 医保 = 医疗保险 (administrator-editable)."""

    words = models.CharField("同义词", max_length=300, help_text="以空格、逗号或等号分隔，如：医保 = 医疗保险")

    class Meta:
        verbose_name = verbose_name_plural = "同义词"
        ordering = ["id"]

    def __str__(self) -> str:
        return " = ".join(self.word_list())

    def word_list(self) -> list[str]:
        return split_words(self.words)


class Term(models.Model):
    """One indexed token (a jieba word, prefixed "w:", or a character bigram) and its document frequency."""

    text = models.CharField(max_length=40, unique=True)
    df = models.PositiveIntegerField(default=0)


class Posting(models.Model):
    """Term in article, with its precomputed BM25 term-frequency weight (title and keywords weigh more)."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    weight = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "term"], name="posting_article_term")]
        indexes = [models.Index(fields=["term", "-weight", "article"], name="posting_term_weight")]


class IndexState(models.Model):
    """One row: how many articles are indexed and their total length (for BM25's average length)."""

    docs = models.PositiveIntegerField(default=0)
    total_length = models.BigIntegerField(default=0)


_SPLIT = re.compile(r"[\s,，、;；=＝|/]+")


def split_words(text: str) -> list[str]:
    seen: list[str] = []
    for w in _SPLIT.split(text or ""):
        w = w.strip()
        if w and w not in seen:
            seen.append(w)
    return seen
