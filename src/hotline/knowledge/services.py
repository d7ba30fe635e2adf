"""Writes on the knowledge base: articles (every change kept as a version), review and publication, expiry,
update duties with working-day deadlines, direct answers citing an article, and gaps (知识库未覆盖).

Who may do what: a unit handler writes and updates the articles of their own unit (or its sub-units)
only; the knowledge editor (知识库编辑) and the administrator review, publish, return, retire any
article and set duties; the supervisor may set duties too.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hotline.directory.models import Category, Role, Unit, User
from hotline.knowledge import index
from hotline.knowledge.models import (
    Article, ArticleStatus, ArticleVersion, Citation, DutyStatus, Gap, UpdateDuty, split_words,
)
from hotline.workcalendar.services import WorkingCalendar
from hotline.workorders.models import Action, WorkOrder
from hotline.workorders.selectors import unit_subtree_ids
from hotline.workorders.services import DomainError, ForbiddenMove, create_order, transition

EDITORS = frozenset({Role.KB_EDITOR, Role.ADMIN})
DUTY_SETTERS = frozenset({Role.KB_EDITOR, Role.ADMIN, Role.SUPERVISOR})
ANSWERERS = frozenset({Role.OPERATOR, Role.LEADER, Role.DISPATCHER})
TEXT_LIMITS = {"title": 200, "body": 20000, "keywords": 300, "note": 500}
FIELDS = ("title", "body", "keywords", "public", "valid_from", "valid_until", "unit")


class KnowledgeError(DomainError):
    """Bad input or a rule of the knowledge base; `field` names the input."""


class KnowledgeForbidden(ForbiddenMove):
    """The actor may not do this to this article or duty."""


def remind_days() -> int:
    return int(getattr(settings, "HOTLINE_KB_REMIND_WORKING_DAYS", 5))


def duty_days() -> int:
    return int(getattr(settings, "HOTLINE_KB_DUTY_WORKING_DAYS", 5))


# --- permissions --------------------------------------------------------------------------------

def is_editor(actor: User | None) -> bool:
    return actor is not None and (actor.role in EDITORS or actor.is_superuser)


def may_edit(actor: User | None, article: Article) -> bool:
    """Editors edit every article; a unit handler those of their unit and its sub-units."""
    if actor is None or not actor.is_active:
        return False
    if is_editor(actor):
        return True
    return (actor.role == Role.UNIT_HANDLER and actor.unit_id is not None and article.unit_id is not None
            and article.unit_id in unit_subtree_ids(actor.unit_id))


def _require_editor(actor: User | None, what: str) -> None:
    if not is_editor(actor):
        raise KnowledgeForbidden(f"只有知识库编辑可以{what}")


def _require_edit(actor: User | None, article: Article) -> None:
    if not may_edit(actor, article):
        raise KnowledgeForbidden("只能编辑本单位的知识条目")


# --- articles -----------------------------------------------------------------------------------

def _clean(changes: dict[str, Any], actor: User | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in FIELDS and name != "category_ids":
            raise KnowledgeError(f"未知字段 {name}", field=name)
        if name in ("title", "body", "keywords"):
            value = ("" if value is None else str(value)).strip()
            if name == "keywords":
                value = " ".join(split_words(value))
            if len(value) > TEXT_LIMITS[name]:
                raise KnowledgeError(f"不能超过 {TEXT_LIMITS[name]} 字", field=name)
        if name in ("title", "body") and not value:
            raise KnowledgeError("不能为空", field=name)
        if name in ("valid_from", "valid_until") and value is not None and not isinstance(value, dt.date):
            raise KnowledgeError("日期格式应为 YYYY-MM-DD", field=name)
        if name == "public":
            value = bool(value)
        if name == "unit" and value is not None and not isinstance(value, Unit):
            raise KnowledgeError("责任单位无效", field="unit")
        out[name] = value
    if out.get("valid_from") and out.get("valid_until") and out["valid_until"] < out["valid_from"]:
        raise KnowledgeError("有效期至不能早于生效日期", field="valid_until")
    if actor is not None and actor.role == Role.UNIT_HANDLER and "unit" in out:
        unit = out["unit"]
        if unit is None or actor.unit_id is None or unit.pk not in unit_subtree_ids(actor.unit_id):
            raise KnowledgeForbidden("只能为本单位编写知识条目")
    return out


def _snapshot(article: Article, *, action: str, actor: User | None, at: dt.datetime, note: str = "") -> None:
    article.version += 1
    Article.objects.filter(pk=article.pk).update(version=article.version)
    ArticleVersion.objects.create(
        article=article, version=article.version, action=action, title=article.title, body=article.body,
        keywords=article.keywords, public=article.public, valid_from=article.valid_from,
        valid_until=article.valid_until, status=article.status, unit_id=article.unit_id,
        category_ids=sorted(article.categories.values_list("pk", flat=True)), changed_by=actor, changed_at=at,
        note=note[:TEXT_LIMITS["note"]],
    )


def _set_categories(article: Article, category_ids: Any) -> None:
    ids = [int(c) for c in (category_ids or [])]
    if len(Category.objects.filter(pk__in=ids)) != len(set(ids)):
        raise KnowledgeError("分类不存在", field="category_ids")
    article.categories.set(ids)


def _new_key() -> str:
    return f"kb-{uuid.uuid4().hex[:12]}"


def create_article(*, actor: User | None, title: str, body: str, unit: Unit | None = None, keywords: str = "",
                   public: bool = True, valid_from: dt.date | None = None, valid_until: dt.date | None = None,
                   category_ids: list[int] | None = None, key: str = "", submit: bool = False,
                   duty: UpdateDuty | None = None, at: dt.datetime | None = None) -> Article:
    """A new article, as a draft (or awaiting review with `submit`). A unit handler's article is their unit's."""
    if actor is not None and actor.role == Role.UNIT_HANDLER and unit is None:
        unit = actor.unit
    if actor is not None and not is_editor(actor) and actor.role != Role.UNIT_HANDLER:
        raise KnowledgeForbidden("只有承办单位和知识库编辑可以编写知识条目")
    fields = _clean({"title": title, "body": body, "keywords": keywords, "public": public,
                     "valid_from": valid_from, "valid_until": valid_until, "unit": unit}, actor)
    key = (key or "").strip() or _new_key()
    if len(key) > 80:
        raise KnowledgeError("编号不能超过 80 字符", field="key")
    at = at or timezone.now()
    with transaction.atomic():
        if Article.objects.filter(key=key).exists():
            raise KnowledgeError(f"编号 {key} 已存在", field="key")
        article = Article.objects.create(key=key, created_at=at, updated_at=at, updated_by=actor,
                                         status=ArticleStatus.DRAFT, **fields)
        _set_categories(article, category_ids)
        _snapshot(article, action="create", actor=actor, at=at)
        if duty is not None:
            _link_duty(duty, article, actor)
        if submit:
            article = submit_for_review(actor=actor, article=article, at=at)
    return article


def update_article(*, actor: User | None, article: Article, changes: dict[str, Any], note: str = "",
                   at: dt.datetime | None = None) -> Article:
    """Change an article's content; a unit's change to a published article goes back to review."""
    _require_edit(actor, article)
    fields = _clean(changes, actor)
    categories = fields.pop("category_ids", None)
    at = at or timezone.now()
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        for name, value in fields.items():
            setattr(article, name, value)
        if not is_editor(actor) and article.status in (ArticleStatus.PUBLISHED, ArticleStatus.EXPIRED):
            article.status = ArticleStatus.REVIEW
        article.updated_at, article.updated_by = at, actor
        article.save()
        if categories is not None:
            _set_categories(article, categories)
        _snapshot(article, action="update", actor=actor, at=at, note=note)
        index.reindex([article])
        if article.status == ArticleStatus.REVIEW:
            _deliver_duties(article, actor, at)
    return article


def _move(article: Article, *, status: str, action: str, actor: User | None, at: dt.datetime | None,
          note: str = "") -> Article:
    at = at or timezone.now()
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        article.status, article.updated_at, article.updated_by = status, at, actor
        if status == ArticleStatus.PUBLISHED:
            article.published_at = at
        article.save()
        _snapshot(article, action=action, actor=actor, at=at, note=note)
        index.reindex([article])
    return article


def submit_for_review(*, actor: User | None, article: Article, at: dt.datetime | None = None) -> Article:
    article = Article.objects.get(pk=article.pk)
    _require_edit(actor, article)
    if article.status not in (ArticleStatus.DRAFT, ArticleStatus.EXPIRED, ArticleStatus.RETIRED,
                              ArticleStatus.REVIEW):
        raise KnowledgeError(f"“{ArticleStatus(article.status).label}”的条目不能提交审核", field="status",
                             code="illegal_state")
    at = at or timezone.now()
    with transaction.atomic():
        article = _move(article, status=ArticleStatus.REVIEW, action="submit", actor=actor, at=at)
        _deliver_duties(article, actor, at)
    return article


def publish(*, actor: User | None, article: Article, note: str = "", at: dt.datetime | None = None) -> Article:
    """The knowledge editor publishes an article (it is offered to operators from now on)."""
    article = Article.objects.get(pk=article.pk)
    _require_editor(actor, "发布知识条目")
    if article.status == ArticleStatus.RETIRED:
        raise KnowledgeError("已下线的条目须重新提交审核", field="status", code="illegal_state")
    today = timezone.localdate(at) if at else timezone.localdate()
    if article.valid_until and article.valid_until < today:
        raise KnowledgeError("有效期已过，请先修改有效期", field="valid_until")
    at = at or timezone.now()
    with transaction.atomic():
        article = _move(article, status=ArticleStatus.PUBLISHED, action="publish", actor=actor, at=at, note=note)
        _deliver_duties(article, actor, at)
    return article


def return_for_changes(*, actor: User | None, article: Article, reason: str,
                       at: dt.datetime | None = None) -> Article:
    """The editor sends an article awaiting review back to its unit as a draft, with the reason."""
    article = Article.objects.get(pk=article.pk)
    _require_editor(actor, "退回知识条目")
    if article.status != ArticleStatus.REVIEW:
        raise KnowledgeError("只能退回待审核的条目", field="status", code="illegal_state")
    if not reason.strip():
        raise KnowledgeError("请填写退回理由", field="reason")
    return _move(article, status=ArticleStatus.DRAFT, action="return", actor=actor, at=at, note=reason.strip())


def retire(*, actor: User | None, article: Article, reason: str, at: dt.datetime | None = None) -> Article:
    """Take an article out of use (the owner unit or the editor); it is kept with its versions."""
    _require_edit(actor, article)
    if not reason.strip():
        raise KnowledgeError("请填写下线理由", field="reason")
    return _move(article, status=ArticleStatus.RETIRED, action="retire", actor=actor, at=at, note=reason.strip())


def expire_articles(*, today: dt.date) -> int:
    """Published articles whose validity ended before `today` become expired (safe to run twice)."""
    due = list(Article.objects.filter(status=ArticleStatus.PUBLISHED, valid_until__lt=today))
    at = timezone.now()
    for article in due:
        _move(article, status=ArticleStatus.EXPIRED, action="expire", actor=None, at=at,
              note=f"有效期至 {article.valid_until:%Y-%m-%d}")
    return len(due)


@dataclass(frozen=True)
class ExpiryReminder:
    article_id: int
    key: str
    title: str
    unit_id: int | None
    valid_until: dt.date


def send_expiry_reminders(*, today: dt.date) -> list[ExpiryReminder]:
    """Reminders for published articles that expire within the configured working days.

    Each article's expiry date is reminded once (a changed validity date gets its own reminder), so
    running this twice a day returns nothing new the second time. The notifications layer delivers them.
    """
    calendar = WorkingCalendar.load()
    horizon = calendar.add_working_days(today, remind_days()).date
    out = []
    with transaction.atomic():
        rows = Article.objects.select_for_update().filter(
            status=ArticleStatus.PUBLISHED, valid_until__isnull=False, valid_until__gte=today,
            valid_until__lte=horizon).order_by("valid_until", "pk")
        for article in rows:
            if article.reminded_for == article.valid_until:
                continue
            assert article.valid_until is not None
            out.append(ExpiryReminder(article.pk, article.key, article.title, article.unit_id, article.valid_until))
            Article.objects.filter(pk=article.pk).update(reminded_for=article.valid_until)
    return out


# --- update duties -------------------------------------------------------------------------------

def assign_duty(*, actor: User | None, unit: Unit, title: str, reason: str = "", article: Article | None = None,
                order: WorkOrder | None = None, working_days: int | None = None,
                at: dt.datetime | None = None) -> UpdateDuty:
    """Ask a unit to create or update an article within `working_days` working days."""
    if actor is not None and actor.role not in DUTY_SETTERS and not actor.is_superuser \
            and actor.role not in ANSWERERS:
        raise KnowledgeForbidden("无权布置知识更新任务")
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise KnowledgeError("任务说明不能为空，且不超过 200 字", field="title")
    if article is not None and article.unit_id not in (None, unit.pk):
        raise KnowledgeError("该条目不属于所选单位", field="article")
    days = duty_days() if working_days is None else working_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 30:
        raise KnowledgeError("时限应为 1–30 个工作日", field="working_days")
    at = at or timezone.now()
    due = WorkingCalendar.load().add_working_days(timezone.localdate(at), days).date
    return UpdateDuty.objects.create(unit=unit, title=title, reason=(reason or "").strip(), article=article,
                                     order=order, working_days=days, due_date=due, created_by=actor,
                                     created_at=at)


def _link_duty(duty: UpdateDuty, article: Article, actor: User | None) -> None:
    if duty.unit_id != article.unit_id:
        raise KnowledgeError("任务与条目不属于同一单位", field="duty")
    if duty.status != DutyStatus.OPEN:
        raise KnowledgeError("任务已结束", field="duty", code="illegal_state")
    UpdateDuty.objects.filter(pk=duty.pk).update(article=article)
    duty.article = article


def _deliver_duties(article: Article, actor: User | None, at: dt.datetime) -> None:
    """Submitting (or publishing) an article delivers the open duties on it."""
    UpdateDuty.objects.filter(article=article, status=DutyStatus.OPEN, created_at__lte=at).update(
        status=DutyStatus.DONE, done_at=at, done_by=actor)


def cancel_duty(*, actor: User | None, duty: UpdateDuty, reason: str) -> UpdateDuty:
    if actor is None or (actor.role not in DUTY_SETTERS and not actor.is_superuser):
        raise KnowledgeForbidden("只有知识库编辑可以撤销任务")
    if not reason.strip():
        raise KnowledgeError("请填写撤销理由", field="reason")
    if duty.status != DutyStatus.OPEN:
        raise KnowledgeError("任务已结束", field="duty", code="illegal_state")
    duty.status, duty.cancelled_reason = DutyStatus.CANCELLED, reason.strip()[:500]
    duty.save(update_fields=["status", "cancelled_reason"])
    return duty


# --- direct answers and gaps --------------------------------------------------------------------

def answer_directly(*, actor: User, fields: dict[str, Any], article: Article, query: str = "",
                    at: dt.datetime | None = None, tag_ids: list[int] | None = None) -> WorkOrder:
    """Register the call and close it at once as answered directly (在线直接答复) from the article."""
    from hotline.knowledge.search import offered

    at = at or timezone.now()
    if not Article.objects.filter(offered(public_only=False, today=timezone.localdate(at)), pk=article.pk).exists():
        raise KnowledgeError("该知识条目未发布或已过期，不能引用", field="kb_article")
    with transaction.atomic():
        order, _ = create_order(actor=actor, fields=fields, tag_ids=tag_ids, at=at)
        transition(order=order, action=Action.ANSWER, actor=actor, at=at,
                   data={"kb_article": article.pk, "kb_key": article.key, "kb_version": article.version,
                         "text": f"依据知识库“{article.title}”答复"})
        Citation.objects.create(order=order, article=article, article_version=article.version,
                                query=(query or "")[:200], at=at)
    return order


def record_gap(*, actor: User | None, order: WorkOrder, query: str, unit: Unit | None = None,
               create_duty: bool = False, at: dt.datetime | None = None) -> Gap:
    """The operator searched and nothing answered; optionally the responsible unit gets an update duty."""
    at = at or timezone.now()
    if create_duty and unit is None:
        raise KnowledgeError("布置更新任务须指定责任单位", field="unit")
    with transaction.atomic():
        if Gap.objects.filter(order=order).exists():
            raise KnowledgeError("该工单已登记知识库未覆盖", field="kb_missing")
        duty = None
        if create_duty:
            assert unit is not None
            subject = (query or order.title or order.content)[:60]
            duty = assign_duty(actor=actor, unit=unit, title=f"知识库未覆盖：{subject}", order=order, at=at,
                               reason=f"工单 {order.number} 话务员检索知识库未找到答案，请补充知识条目。")
        return Gap.objects.create(order=order, query=(query or "")[:200], unit=unit, duty=duty,
                                  recorded_by=actor, at=at)


def record_intake_knowledge(*, actor: User, order: WorkOrder, article_id: int | None, query: str = "",
                            missing: bool = False, at: dt.datetime | None = None) -> Citation | Gap | None:
    """What the operator did in the desk's knowledge panel, for a call just taken (call inside the intake's
    transaction): an answered call citing an article records the citation; "知识库未覆盖" records a gap
    and, when the call went to a unit, an update duty for that unit."""
    from hotline.knowledge.search import offered
    from hotline.workorders.models import Status

    at = at or timezone.now()
    if article_id and order.status == Status.ANSWERED:
        article = Article.objects.filter(offered(public_only=False, today=timezone.localdate(at)),
                                         pk=article_id).first()
        if article is None:
            raise KnowledgeError("所引用的知识条目未发布或已过期", field="kb_article")
        return Citation.objects.create(order=order, article=article, article_version=article.version,
                                       query=(query or "")[:200], at=at)
    if missing:
        return record_gap(actor=actor, order=order, query=query, unit=order.unit,
                          create_duty=order.unit_id is not None, at=at)
    return None


def take_call_with_knowledge(*, actor: User, knowledge: Any = None, **call: Any) -> WorkOrder:
    """The operator desk's intake (workorders.intake.take_call) and what was done in the knowledge panel
    (a cited article, or 知识库未覆盖), all or nothing. `knowledge` is a workorders.intake.KnowledgeUse."""
    from hotline.workorders.intake import take_call

    with transaction.atomic():
        order = take_call(actor=actor, knowledge=knowledge, **call)
        if knowledge is not None:
            record_intake_knowledge(actor=actor, order=order, article_id=knowledge.article_id,
                                    query=knowledge.query, missing=knowledge.missing)
    return order
