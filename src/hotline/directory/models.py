"""The city's directory: regions, responsible units, staff, channels, appeal types, categories, tags."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Region(models.Model):
    class Level(models.TextChoices):
        CITY = "city", "市"
        COUNTY = "county", "县市区"
        STREET = "street", "街道/乡镇"
        COMMUNITY = "community", "社区/村"

    name = models.CharField("名称", max_length=100)
    code = models.CharField("编码", max_length=40, unique=True)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    class Group(models.TextChoices):
        COUNTY = "county", "县市区"
        PARK = "park", "园区"
        DEPARTMENT = "department", "市直单位"
        ENTERPRISE = "enterprise", "公共服务企业"

    name = models.CharField("名称", max_length=100)
    code = models.CharField("编码", max_length=40, unique=True)
    city = models.CharField("城市", max_length=40, db_index=True, help_text="city profile, e.g. yueyang")
    group = models.CharField("分组", max_length=16, choices=Group.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "承办单位"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["city", "name", "group"], name="unit_unique_name_in_city")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OPERATOR = "operator", "话务员"
    DISPATCHER = "dispatcher", "派单员"
    REVIEWER = "reviewer", "审核员"
    CALLBACK = "callback", "回访员"
    SUPERVISOR = "supervisor", "督办员"
    UNIT_HANDLER = "unit_handler", "承办单位专员"
    LEADER = "leader", "领导"
    KB_EDITOR = "kb_editor", "知识库编辑"
    ADMIN = "admin", "管理员"
    SYSTEM = "system", "系统"


class User(AbstractUser):
    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.OPERATOR)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="handlers")
    # `role` is the role the user is acting in now (events record it); `extra_roles` are the other roles
    # the user holds and may switch to from the header (directory.services.switch_role).
    extra_roles = models.JSONField("兼任角色", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="unit_handler") | models.Q(unit__isnull=False),
                name="unit_handler_has_unit",
            )
        ]

    @property
    def held_roles(self) -> list[str]:
        """Every role the user holds: the current one first, then the others in Role order."""
        extra = {r for r in (self.extra_roles or []) if r in Role.values and r != self.role}
        return [self.role, *[r for r in Role.values if r in extra]]


class Channel(models.Model):
    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    upper_platform = models.BooleanField("上级平台转办", default=False)
    reply_days = models.PositiveSmallIntegerField("上级平台答复时限(工作日)", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "受理渠道"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class AppealType(models.Model):
    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=20)

    class Meta:
        verbose_name = verbose_name_plural = "诉求类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A node of a subject classification tree of any depth; `taxonomy` names the tree."""

    taxonomy = models.CharField("分类体系", max_length=40, db_index=True)
    name = models.CharField("名称", max_length=60)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    depth = models.PositiveSmallIntegerField("层级", default=1)
    hot = models.BooleanField("热点事项", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "诉求分类"
        ordering = ["taxonomy", "depth", "id"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "parent", "name"], name="category_unique_in_parent"),
            models.UniqueConstraint(
                fields=["taxonomy", "name"], condition=models.Q(parent__isnull=True), name="category_unique_root"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A special-line tag (专线/专席), e.g. 人大代表, 政企通, 文明创建."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)

    class Meta:
        verbose_name = verbose_name_plural = "专线标签"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class IntegrationToken(models.Model):
    """A bearer token for one channel integration (WeChat, provincial platform, portal mailbox ...).

    Only the sha256 digest of the token is stored; the token itself is shown once, at creation.
    `source` namespaces the integration's idempotency keys, so a rotated token keeps the same source.
    """

    name = models.CharField("名称", max_length=80)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="tokens", verbose_name="受理渠道")
    source = models.CharField("接入来源", max_length=60)
    token_hash = models.CharField("令牌摘要(sha256)", max_length=64, unique=True, editable=False)
    prefix = models.CharField("令牌前缀", max_length=16, editable=False, help_text="first characters, to recognise it")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="创建人",
    )
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接入令牌"
        ordering = ["source", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class DispatchRule(models.Model):
    """Category x region -> the unit a case of that kind is usually sent to (派单规则). Administrators keep
    the table; the dispatcher's desk suggests the unit of the most specific matching rule."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", verbose_name="诉求分类")
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="区域",
        help_text="留空表示适用于所有区域",
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name="建议承办单位")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "派单规则"
        ordering = ["category_id", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="dispatch_rule_unique"),
            models.UniqueConstraint(fields=["category"], condition=models.Q(region__isnull=True),
                                    name="dispatch_rule_unique_any_region"),
        ]

    def __str__(self) -> str:
        return f"{self.category} × {self.region or '全部区域'} → {self.unit}"


class IdempotencyRecord(models.Model):
    """The first successful answer to a state-changing API call sent with an `Idempotency-Key`.

    A retry by the same user with the same key gets this answer again instead of acting twice; the
    fingerprint (method, path, body) tells a retry from a key reused for another request.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name="用户")
    key = models.CharField("幂等键", max_length=120)
    fingerprint = models.CharField("请求摘要(sha256)", max_length=64)
    status = models.PositiveSmallIntegerField("状态码")
    body = models.JSONField("首次应答")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "幂等请求记录"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key_per_user")]
