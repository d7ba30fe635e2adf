"""Work orders (工单) and their append-only event history."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from hotline.workcalendar.models import Box, Urgency


class Status(models.TextChoices):
    NEW = "new", "待处理"
    ANSWERED = "answered", "在线直接答复"
    DISPATCHED = "dispatched", "已派单待签收"
    RETURNED = "returned", "已退回待改派"
    ACCEPTED = "accepted", "办理中"
    REPLIED = "replied", "已回复待审核"
    CALLBACK = "callback", "待回访"
    VERIFYING = "verifying", "不满意待核实"
    UNSATISFIED = "unsatisfied", "核实不满意"
    SUPERVISED = "supervised", "督办整改中"
    CLOSED = "closed", "已办结归档"
    MERGED = "merged", "重复件已合并"
    INVALID = "invalid", "无效"


OPEN_STATUSES = frozenset({Status.DISPATCHED, Status.ACCEPTED, Status.SUPERVISED})
TERMINAL_STATUSES = frozenset({Status.ANSWERED, Status.CLOSED, Status.MERGED, Status.INVALID})


class Action(models.TextChoices):
    CREATE = "create", "受理"
    ANSWER = "answer", "在线直接答复"
    DISPATCH = "dispatch", "派单"
    ACCEPT = "accept", "签收"
    RETURN = "return", "退回"
    REDISPATCH = "redispatch", "改派"
    CONTACT = "contact", "联系当事人"
    REQUEST_EXTENSION = "request_extension", "申请延期"
    APPROVE_EXTENSION = "approve_extension", "批准延期"
    REFUSE_EXTENSION = "refuse_extension", "不予延期"
    REPLY = "reply", "办结回复"
    ACCEPT_REPLY = "accept_reply", "审核通过"
    REWORK = "rework", "退回返工"
    CALLBACK = "callback", "回访"
    VERIFY = "verify", "核实不满意"
    SUPERVISE = "supervise", "督办"
    RECTIFY = "rectify", "整改回复"
    CLOSE = "close", "办结归档"
    MERGE = "merge", "合并重复件"
    MARK_INVALID = "mark_invalid", "标记无效"
    # System events raised by the deadline sweep; not user transitions.
    OVERDUE = "overdue", "超期"
    REMIND = "remind", "临期提醒"
    ABSORB = "absorb", "并入重复来电"
    # Special reports to a leader and the leader's instruction (hotline.workorders.reports); no status change.
    REPORT = "report", "专报领导"
    INSTRUCT = "instruct", "领导批示"


class CallbackResult(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"
    UNREACHABLE = "unreachable", "未接通"


class ContactMethod(models.TextChoices):
    """How a unit reached the citizen (data["how"] of a contact event)."""

    PHONE = "phone", "电话"
    SMS = "sms", "短信"
    VISIT = "visit", "上门走访"
    MEETING = "meeting", "约见面谈"
    OTHER = "other", "其他"


class CallbackMethod(models.TextChoices):
    SMS = "sms", "短信回访"
    MANUAL = "manual", "人工回访"


class PhoneTail(models.Func):
    """The phone's last four digits, as a literal SQL expression (no bound parameter), so that the query
    and the expression index `workorder_phone_tail` are the same text and SQLite and PostgreSQL match them."""

    template = "SUBSTR(%(expressions)s, -4)"
    output_field = models.CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # PostgreSQL's SUBSTR(x, -4) starts before the string and returns all of it; RIGHT is the tail.
        return self.as_sql(compiler, connection, template="RIGHT(%(expressions)s, 4)", **extra)


class WorkOrder(models.Model):
    number = models.CharField("工单编号", max_length=32, unique=True)
    box = models.CharField("业务", max_length=16, choices=Box.choices, default=Box.HOTLINE)
    channel = models.ForeignKey("directory.Channel", on_delete=models.PROTECT, verbose_name="受理渠道")
    citizen_name = models.CharField("诉求人", max_length=60, blank=True)
    citizen_phone = models.CharField("联系电话", max_length=32, blank=True)
    confidential = models.BooleanField("保密", default=False)
    title = models.CharField("标题", max_length=200, blank=True)
    content = models.TextField("诉求内容")
    address = models.CharField("地址", max_length=200, blank=True)
    region = models.ForeignKey("directory.Region", null=True, blank=True, on_delete=models.PROTECT)
    appeal_type = models.ForeignKey("directory.AppealType", null=True, blank=True, on_delete=models.PROTECT)
    category = models.ForeignKey("directory.Category", null=True, blank=True, on_delete=models.PROTECT)
    tags = models.ManyToManyField("directory.Tag", blank=True, verbose_name="专线标签")
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    unit = models.ForeignKey(
        "directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
        verbose_name="承办单位",
    )
    co_units = models.ManyToManyField("directory.Unit", blank=True, related_name="co_orders", verbose_name="协办单位")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    received_at = models.DateTimeField("受理时间", db_index=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    deadline = models.DateTimeField("办理时限", null=True, blank=True, db_index=True)
    deadline_fallback = models.BooleanField(
        "时限按工作日估算", default=False, help_text="deadline reached a year with no official calendar loaded"
    )
    extension_pending = models.BooleanField("延期待审批", default=False)
    overdue = models.BooleanField("已超期", default=False, db_index=True)
    reminded = models.BooleanField("已提醒", default=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="repeats")
    source = models.CharField("接入来源", max_length=60, blank=True)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True)
    external_id = models.CharField("外部编号", max_length=80, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "工单"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "idempotency_key"], name="order_idempotent_intake",
                condition=models.Q(idempotency_key__isnull=False),
            )
        ]
        indexes = [
            # 督办台's units at a glance: the pending statuses' cases by unit, read from the index alone.
            models.Index(fields=["status", "unit", "overdue", "extension_pending"], name="workorder_status_unit"),
            # The desks' queues (migration 0006_desk_indexes, measured by `hotline bench desks`): a status's
            # cases oldest first; a unit's open cases by deadline; overdue open cases across all units.
            models.Index(fields=["status", "received_at", "id"], name="workorder_desk_queue"),
            models.Index(fields=["unit", "status", "deadline"], name="workorder_unit_inbox"),
            models.Index(fields=["overdue", "status", "deadline", "id"], name="workorder_overdue"),
            # Overdue cases newest first (case list "仅超期") and by deadline (督办台 超期工单): partial on the
            # flag, because SQLite reads a bare boolean condition ("WHERE overdue") as a scan of any index
            # that starts with the column, never a seek.
            models.Index(fields=["received_at", "id"], condition=models.Q(overdue=True), name="workorder_overdue_recent"),
            models.Index(fields=["deadline", "id", "status"], condition=models.Q(overdue=True),
                         name="workorder_overdue_due"),
            models.Index(fields=["citizen_phone"], name="workorder_phone"),  # search by the caller's number
            models.Index(PhoneTail("citizen_phone"), name="workorder_phone_tail"),  # ... or its last four digits
            # Covering for the bulletin's month scan (bulletin.selectors.month_cube): no table reads.
            models.Index(fields=["box", "received_at", "status", "channel", "appeal_type", "region", "unit",
                                 "category", "dispatched_at"], name="workorder_month_cube"),
            # 审核台's extension tab: the few orders with a request pending, out of a million.
            models.Index(fields=["status", "received_at"], condition=models.Q(extension_pending=True),
                         name="workorder_ext_pending"),
        ]

    def __str__(self) -> str:
        return self.number


class AppendOnlyError(RuntimeError):
    pass


class EventQuerySet(models.QuerySet["Event"]):
    """Bulk writes that would rewrite history are refused, like single-row ones."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("events are append-only")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnlyError("events are append-only")


class Event(models.Model):
    """One step in an order's life. Rows are only ever inserted."""

    objects = EventQuerySet.as_manager()

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("动作", max_length=24, choices=Action.choices)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_role = models.CharField("角色", max_length=16)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    unit = models.ForeignKey(
        "directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="the responsible unit when the event happened",
    )
    reason = models.TextField("理由", blank=True)
    data: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    # Copies of facts fixed when the event is written, as columns for the monthly metrics'
    # aggregate queries (docs/metrics.md, "Storage"); see metric_columns().
    box = models.CharField(
        "业务", max_length=16, choices=Box.choices, null=True, blank=True,
        help_text="copy of the order's box, for the monthly metrics",
    )
    on_time = models.BooleanField("按期", null=True, blank=True, help_text="reply/rectify: copy of data['on_time']")
    result = models.CharField(
        "回访结果", max_length=16, null=True, blank=True, choices=CallbackResult.choices,
        help_text="callback: copy of data['result']",
    )
    method = models.CharField(
        "回访方式", max_length=16, null=True, blank=True, choices=CallbackMethod.choices,
        help_text="callback: copy of data['method']",
    )
    # SHA-256 over the event's content and the order's previous event's hash (hotline.workorders.chain).
    hash = models.CharField("哈希", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "工单事件"
        ordering = ["order_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["order", "seq"], name="event_seq_unique")]
        indexes = [
            models.Index(fields=["kind", "at"]), models.Index(fields=["unit", "kind", "at"]),
            models.Index(fields=["box", "kind", "at", "order", "seq", "unit", "on_time", "result", "method"],
                         name="event_metrics_window"),
            models.Index(fields=["order", "seq", "kind", "at", "on_time"], name="event_metrics_tenure"),
            models.Index(fields=["at"], name="event_metrics_unfilled", condition=models.Q(box__isnull=True)),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard, not a business rule: history is immutable.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("events are append-only")



class Tenure(models.Model):
    """A unit's hold on an order: from an assignment (dispatch/redispatch) to the next assignment or a
    return. Derived from the events and written with them (hotline.workorders.tenure); the monthly
    metrics read one row per assignment here instead of regrouping the month's events per order."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveIntegerField("派单事件序号")
    unit = models.ForeignKey("directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    box = models.CharField("业务", max_length=16, choices=Box.choices)
    assigned_at = models.DateTimeField("派单时间")
    lost_at = models.DateTimeField("改派/退回时间", null=True, blank=True)
    # The first reply, contact, rework and extension approval while the unit held the order.
    reply_seq = models.PositiveIntegerField(null=True, blank=True)
    reply_at = models.DateTimeField(null=True, blank=True)
    reply_on_time = models.BooleanField(null=True, blank=True)
    contact_seq = models.PositiveIntegerField(null=True, blank=True)
    contact_at = models.DateTimeField(null=True, blank=True)
    rework_at = models.DateTimeField(null=True, blank=True)
    extension_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "承办期"
        ordering = ["order_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["order", "seq"], name="tenure_seq_unique")]
        indexes = [
            # Covering: the month's aggregate is an index-only scan (docs/metrics.md, "Storage").
            models.Index(fields=["box", "assigned_at", "unit", "lost_at", "reply_at", "reply_on_time", "reply_seq",
                                 "contact_seq", "contact_at", "rework_at", "extension_at", "order"],
                         name="tenure_metrics"),
            models.Index(fields=["order"], name="tenure_open", condition=models.Q(lost_at__isnull=True)),
        ]


def metric_columns(*, box: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The Event metric columns for an event of `kind` with `data` on an order of `box`."""
    on_time = data.get("on_time") if kind in ("reply", "rectify") else None
    return {
        "box": box,
        "on_time": on_time if isinstance(on_time, bool) else None,
        "result": data.get("result") if kind == "callback" else None,
        "method": data.get("method") if kind == "callback" else None,
    }


class NumberSequence(models.Model):
    """Per-day counter for case numbers; updated under a row lock."""

    prefix = models.CharField(max_length=16, unique=True)
    last = models.PositiveIntegerField(default=0)


class SpecialReport(models.Model):
    """A case raised by the hotline office to a leader (专报), and the leader's instruction (批示) on it.
    Written only by hotline.workorders.reports, which also appends the matching events to the case."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="special_reports", verbose_name="工单")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="报送人")
    to_leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="special_reports",
                                  verbose_name="报送领导")
    note = models.TextField("报送说明", max_length=1000)
    raised_at = models.DateTimeField("报送时间")
    instruction = models.TextField("领导批示", max_length=2000, blank=True)
    instructed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="批示人")
    instructed_at = models.DateTimeField("批示时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专报"
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["to_leader", "instructed_at", "raised_at"], name="report_awaiting")]

    def __str__(self) -> str:
        return f"专报 {self.order_id}"


# Actions that take a coded reason (理由代码) beside the free text.
CODED_ACTIONS = ("rework", "verify", "return", "supervise")


class ReasonCode(models.Model):
    """An administrator-editable reason (e.g. 虚假结案) for rework, verification, return or supervision.

    The codes let the assessment raise quality penalties from the events (a rework coded
    `false_closure` is provable; the free text beside it is not). A code is never deleted once used:
    it is deactivated, so old events keep their meaning."""

    code = models.SlugField("代码", max_length=40, unique=True)
    label = models.CharField("名称", max_length=60)
    actions: models.JSONField[Any] = models.JSONField(
        "适用动作", default=list, help_text="any of: rework, verify, return, supervise",
    )
    upheld = models.BooleanField(
        "核实结论", null=True, blank=True,
        help_text="verify only: true = 属实 (the fault found), false = 不属实, empty = either",
    )
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "理由代码"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.label}（{self.code}）"


class ImportRun(models.Model):
    """One load of cases by `hotline import` or `hotline simulate`. Written before the first case and
    updated inside each batch's transaction, so a run killed half-way stays "running" with exactly the
    batches it committed: the month it touched reads as incomplete until the same command, run again,
    resumes it (hotline.workorders.runs)."""

    class Kind(models.TextChoices):
        IMPORT = "import", "导入"
        SIMULATE = "simulate", "模拟"

    class State(models.TextChoices):
        RUNNING = "running", "进行中或已中断"
        COMPLETE = "complete", "已完成"
        PARTIAL = "partial", "部分载入（有被拒批次）"
        FAILED = "failed", "未载入"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    label = models.CharField("内容", max_length=300)
    digest = models.CharField("内容哈希", max_length=64, db_index=True,
                              help_text="sha256 of the file (import) or of the parameters (simulate)")
    status = models.CharField("状态", max_length=16, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    pid = models.PositiveIntegerField("进程号", null=True, blank=True)
    batch_size = models.PositiveIntegerField(default=1000)
    batches_done: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    cases_total = models.PositiveIntegerField("文件中工单数", default=0)
    cases_loaded = models.PositiveIntegerField("已载入工单数", default=0)
    months: models.JSONField[Any] = models.JSONField(
        "完整月份", default=list, blank=True, help_text="YYYY-MM of the months this run provides in full")
    touches: models.JSONField[Any] = models.JSONField(
        "涉及月份", default=list, blank=True, help_text="YYYY-MM of every month a case of this run was received in")

    class Meta:
        verbose_name = verbose_name_plural = "导入记录"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.label}"


class Notification(models.Model):
    """A message to one person (a deadline reminder, an overdue case, a broken audit chain), shown in
    their desk (selectors.unread_notifications) and handed to the configured notifiers (notify.py)."""

    class Kind(models.TextChoices):
        REMIND = "remind", "临期提醒"
        OVERDUE = "overdue", "超期"
        INTEGRITY = "integrity", "数据完整性"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    order = models.ForeignKey(WorkOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "提醒"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notification_once_per_event",
                                               condition=models.Q(event__isnull=False))]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_inbox")]
class AttachmentKind(models.TextChoices):
    REPLY = "reply", "答复附件"
    REPLY_LETTER = "reply_letter", "回复公函"
    EVIDENCE = "evidence", "佐证材料"


class Attachment(models.Model):
    """A file on a case (a reply's letter, photos of the fix ...). Written only by services.attach_files;
    the bytes live under settings.ATTACHMENT_DIR and are served only by the permission-checked view."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments",
                              help_text="the step it came with (a reply), if any")
    kind = models.CharField("类别", max_length=16, choices=AttachmentKind.choices)
    original_name = models.CharField("文件名", max_length=200)
    stored_name = models.CharField("存储名", max_length=80, unique=True)
    size = models.PositiveBigIntegerField("大小(字节)")
    content_type = models.CharField("文件类型", max_length=100, help_text="sniffed from the bytes, not the name")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["order_id", "at", "id"]

    def __str__(self) -> str:
        return self.original_name


class CallbackSample(models.Model):
    """A case drawn into a month's manual spot-check callback sample (人工抽查回访); see workorders.sampling."""

    month = models.DateField("月份", help_text="first day of the month")
    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("抽取时间")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "抽查回访样本"
        ordering = ["month", "order_id"]
        constraints = [models.UniqueConstraint(fields=["month", "order"], name="callback_sample_once")]
