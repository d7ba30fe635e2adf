"""The audit trail: one row per view of personal information and per mutation, hash-chained."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    VIEW_CASE = "view_case", "查看工单"
    VIEW_CONFIDENTIAL = "view_confidential", "查看保密工单"
    VIEW_LIST = "view_list", "查看工单列表"
    REVEAL_PHONE = "reveal_phone", "查看完整号码"
    EXPORT = "export", "导出"
    EXPORT_ALL = "export_all", "全量导出"
    INTAKE = "intake", "渠道接入"
    TRANSITION = "transition", "工单流转"
    IMPORT = "import", "导入"
    BACKUP = "backup", "备份"
    RESTORE = "restore", "恢复"
    ADMIN_CHANGE = "admin_change", "后台修改"
    OTHER = "other", "其他"


class AuditImmutable(RuntimeError):
    pass


class AuditEntry(models.Model):
    """Rows are only ever appended (services.record_access) and verified (verification.verify_audit)."""

    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="用户")
    actor_name = models.CharField("用户名", max_length=150, blank=True, help_text="kept if the user is renamed")
    ip = models.CharField("来源地址", max_length=64, blank=True, help_text='IP address, or "cli" for the command line')
    action = models.CharField("动作", max_length=24, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    citizen_phone = models.CharField("诉求人电话", max_length=32, blank=True, db_index=True)
    detail: models.JSONField[Any] = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64, blank=True)
    hash = models.CharField("哈希", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["actor", "at"], name="audit_by_actor")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name or '系统'} {self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard, not a business rule: the trail is append-only.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditImmutable("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutable("audit rows are append-only")


class AuditHead(models.Model):
    """The chain's tip (one row): appenders lock it, so concurrent writers queue and never fork the chain;
    verify compares it with the last row, so deleting the newest rows is noticed too."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"
