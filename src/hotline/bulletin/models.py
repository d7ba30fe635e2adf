"""The monthly bulletin: staff texts for a month, and published (frozen) bulletins with their files."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class FrozenBulletinError(RuntimeError):
    """An attempt to change or delete a published bulletin or one of its files."""


class BulletinText(models.Model):
    """Staff-written text of one narrative section (工作动态, 工作经验交流, 案例分析 …) for a month and style."""

    month = models.DateField("月份", help_text="first day of the month")
    style = models.CharField("样式", max_length=40)
    section = models.CharField("栏目", max_length=40)
    text = models.TextField("内容")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="录入人")
    entered_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = verbose_name_plural = "通报文字栏目"
        ordering = ["-month", "style", "section"]
        constraints = [
            models.UniqueConstraint(fields=["month", "style", "section"], name="bulletin_text_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.style} {self.section}"


class PublishedBulletin(models.Model):
    """A frozen bulletin: its figures, texts, style, the assessment runs it used, a content hash, its files.

    Rows are only inserted. A late correction is published as the next version of the same month.
    """

    month = models.DateField("月份", help_text="first day of the month")
    style = models.CharField("样式", max_length=40)
    version = models.PositiveIntegerField("版本")
    as_of = models.DateTimeField("数据截至")
    issued_on = models.DateField("印发日期")
    assessment_runs: models.JSONField[Any] = models.JSONField("所用考核结果", default=list)
    figures: models.JSONField[Any] = models.JSONField("数据")
    texts: models.JSONField[Any] = models.JSONField("文字栏目", default=dict)
    style_definition: models.JSONField[Any] = models.JSONField("样式定义")
    content_hash = models.CharField("内容哈希", max_length=64)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="发布人")
    published_at = models.DateTimeField("发布时间")

    class Meta:
        verbose_name = verbose_name_plural = "已发布通报"
        ordering = ["-month", "style", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["style", "month", "version"], name="bulletin_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.style} 第{self.version}版"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard, not a business rule: a published bulletin is never changed.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise FrozenBulletinError("a published bulletin is frozen; publish a new version instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FrozenBulletinError("a published bulletin is frozen")


class PublishedFile(models.Model):
    """One output file of a published bulletin (docx, pdf, xlsx, chart png), stored in the database."""

    bulletin = models.ForeignKey(PublishedBulletin, on_delete=models.PROTECT, related_name="files")
    name = models.CharField("文件名", max_length=120)
    kind = models.CharField("类型", max_length=8)
    content = models.BinaryField("内容")
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "通报文件"
        ordering = ["bulletin_id", "name"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "name"], name="bulletin_file_unique")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise FrozenBulletinError("a published bulletin's files are frozen")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FrozenBulletinError("a published bulletin's files are frozen")
