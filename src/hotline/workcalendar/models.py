"""Working-day calendar (holidays and make-up working weekends) and deadline rules."""
from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models


class CalendarYear(models.Model):
    """A year whose official schedule is loaded. Deadlines reaching an unloaded year fall back to weekdays, flagged."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=120, default="国务院办公厅通知")
    loaded_at = models.DateTimeField("载入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "已载入年度日历"
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the Monday-Friday rule: a weekday holiday or a weekend make-up working day (调休)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    name = models.CharField("说明", max_length=60, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'} {self.name}"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    VERY_URGENT = "very_urgent", "特急"


class Box(models.TextChoices):
    HOTLINE = "hotline", "12345热线"
    MAILBOX = "mailbox", "市长信箱"


class DeadlineRule(models.Model):
    """Deadline for a dispatched order. Blank box/appeal type/urgency match anything.

    The most specific rule wins, compared field by field: an exact urgency first, then an exact
    appeal type, then an exact box (see services.find_rule).
    """

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", "工作日"
        HOURS = "hours", "小时"

    box = models.CharField("业务", max_length=16, choices=Box.choices, blank=True)
    appeal_type = models.ForeignKey(
        "directory.AppealType", null=True, blank=True, on_delete=models.CASCADE, verbose_name="诉求类型"
    )
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, blank=True)
    amount = models.PositiveSmallIntegerField("时限", validators=[MinValueValidator(1)])
    unit = models.CharField("单位", max_length=16, choices=Unit.choices, default=Unit.WORKING_DAYS)

    class Meta:
        verbose_name = verbose_name_plural = "办理时限规则"
        constraints = [
            models.UniqueConstraint(fields=["box", "appeal_type", "urgency"], name="deadline_rule_unique"),
            # NULLs are distinct in SQL unique indexes: without this, two "any appeal type" rules for the
            # same box and urgency could coexist and the winner would be arbitrary.
            models.UniqueConstraint(
                fields=["box", "urgency"], condition=models.Q(appeal_type__isnull=True),
                name="deadline_rule_unique_any_type",
                violation_error_message="已存在相同业务、紧急程度且不限诉求类型的时限规则。",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=1), name="deadline_rule_amount_positive",
                violation_error_message="时限必须至少为 1。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.box or '*'}/{self.appeal_type or '*'}/{self.urgency or '*'}: {self.amount} {self.unit}"
