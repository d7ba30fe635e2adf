"""Assessment schemes (versioned data), monthly runs (frozen once published), and the points ledger."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class FrozenError(RuntimeError):
    """An attempt to change a row that is frozen (a used scheme version, a published run, a ledger entry)."""


class Scheme(models.Model):
    """One version of a named scheme. A used version is frozen; a change is a new version."""

    name = models.CharField("方案", max_length=60)
    version = models.PositiveIntegerField("版本")
    title = models.CharField("标题", max_length=120, blank=True)
    definition: models.JSONField[Any] = models.JSONField("定义")
    note = models.CharField("说明", max_length=200, blank=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    frozen = models.BooleanField("已使用（冻结）", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "考核方案"
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="scheme_name_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard, not a business rule: a frozen version's definition never changes.
        if self.pk is not None and not kwargs.get("force_insert"):
            stored = Scheme.objects.filter(pk=self.pk).values("frozen", "definition", "name", "version").first()
            if stored and stored["frozen"] and (
                stored["definition"] != self.definition or stored["name"] != self.name
                or stored["version"] != self.version
            ):
                raise FrozenError("a used scheme version is frozen; copy it as a new version")
        super().save(*args, **kwargs)


class RunStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class AssessmentRun(models.Model):
    """A month scored with one scheme version. Versions count per (scheme name, month)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs")
    scheme_name = models.CharField("方案", max_length=60)
    scheme_version = models.PositiveIntegerField("方案版本")
    month = models.DateField("考核月份", help_text="first day of the month")
    version = models.PositiveIntegerField("版本")
    status = models.CharField("状态", max_length=12, choices=RunStatus.choices, default=RunStatus.DRAFT)
    as_of = models.DateTimeField("数据截至")
    inputs: models.JSONField[Any] = models.JSONField("输入")
    outputs: models.JSONField[Any] = models.JSONField("结果")
    content_hash = models.CharField("内容哈希", max_length=64)
    diff: models.JSONField[Any] = models.JSONField("与上一版差异", default=list, blank=True)
    compared_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("计算时间", auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "月度考核结果"
        ordering = ["-month", "scheme_name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["scheme_name", "month", "version"], name="run_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme_name} {self.month:%Y-%m} v{self.version} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard: a published run is never changed.
        if self.pk is not None and not kwargs.get("force_insert"):
            if AssessmentRun.objects.filter(pk=self.pk, status=RunStatus.PUBLISHED).exists():
                raise FrozenError("a published run is frozen")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.status == RunStatus.PUBLISHED:
            raise FrozenError("a published run is frozen")
        return super().delete(*args, **kwargs)


class LedgerEntry(models.Model):
    """A bonus or penalty (加扣分) for a unit and month. Append-only: a correction reverses an entry."""

    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    month = models.DateField("月份", help_text="first day of the month")
    box = models.CharField("业务", max_length=16)
    scheme_name = models.CharField("方案", max_length=60, blank=True, help_text="blank: every scheme of the box")
    indicator = models.CharField("指标", max_length=40)
    points = models.DecimalField("分值", max_digits=7, decimal_places=2)
    reason = models.TextField("事由")
    case_numbers: models.JSONField[Any] = models.JSONField("工单/信件编号", default=list, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="录入人")
    entered_at = models.DateTimeField("录入时间")
    rule = models.CharField("自动规则", max_length=40, blank=True)
    rule_key = models.CharField("规则键", max_length=120, blank=True,
                                help_text="what an automatic entry is about (a case number, a run grade)")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by", verbose_name="冲销")

    class Meta:
        verbose_name = verbose_name_plural = "加扣分台账"
        ordering = ["month", "unit_id", "id"]
        indexes = [models.Index(fields=["month", "box"]), models.Index(fields=["rule", "month"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m} {self.indicator} {self.points:+}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise FrozenError("ledger entries are append-only; reverse an entry to correct it")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FrozenError("ledger entries are append-only; reverse an entry to correct it")


class CaseMark(models.Model):
    """A case marked excellent (优秀案例) or typical (典型案例) by the hotline office; the ledger's
    `case_mark` rule turns marks into points. Withdrawing a mark keeps the row (withdrawn_at set)."""

    class Kind(models.TextChoices):
        EXCELLENT = "excellent", "优秀案例"
        TYPICAL = "typical", "典型案例"

    order = models.ForeignKey("workorders.WorkOrder", on_delete=models.PROTECT, related_name="+",
                              verbose_name="工单")
    kind = models.CharField("标记", max_length=16, choices=Kind.choices)
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="单位",
                             help_text="the unit credited: the one that handled the case")
    month = models.DateField("计分月份", help_text="first day of the month")
    reason = models.TextField("理由")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="标记人")
    marked_at = models.DateTimeField("标记时间")
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="撤销人")

    class Meta:
        verbose_name = verbose_name_plural = "优秀/典型案例"
        ordering = ["-month", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "kind"], condition=models.Q(withdrawn_at__isnull=True),
                                               name="case_mark_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.order_id}"


class LeaderDay(models.Model):
    """A leader answering day (领导接听日) session: who, for which unit, when. The calls taken are the
    cases tagged `leader_day` received in the session; see assessment/rules.py."""

    class Session(models.TextChoices):
        MORNING = "am", "上午"
        AFTERNOON = "pm", "下午"
        DAY = "day", "全天"

    leader = models.CharField("领导", max_length=60)
    title = models.CharField("职务", max_length=60, blank=True)
    leader_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="系统账号",
                                    help_text="the account the leader used at the desk, if any")
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    date = models.DateField("日期")
    session = models.CharField("场次", max_length=8, choices=Session.choices, default=Session.MORNING)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "领导接听日"
        ordering = ["-date", "session", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "date", "session", "leader"], name="leader_day_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_session_display()} {self.leader}"


class Exemption(models.Model):
    """Staff exempt a case (or a unit's month) from an automatic rule, with a reason. Every later run
    of the rule respects it (assessment.ledger.sync_rule); withdrawing sets withdrawn_at."""

    scheme_name = models.CharField("方案", max_length=60, blank=True, help_text="blank: every scheme")
    rule = models.CharField("自动规则", max_length=40)
    rule_key = models.CharField("规则键", max_length=120, help_text="the case number for a per-case rule")
    unit = models.ForeignKey("directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="单位", help_text="blank: whichever unit")
    month = models.DateField("月份", null=True, blank=True, help_text="blank: every month")
    reason = models.TextField("豁免理由")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="录入人")
    created_at = models.DateTimeField("录入时间")
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "扣分豁免"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["rule", "rule_key"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.rule_key}"
