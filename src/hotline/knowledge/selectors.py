"""Reads on the knowledge base, scoped to the asking user, and the figures the assessment and bulletin use."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hotline.directory.models import Role, User
from hotline.knowledge.models import Article, ArticleStatus, ArticleVersion, Citation, DutyStatus, Gap, UpdateDuty
from hotline.knowledge.services import is_editor
from hotline.workorders.selectors import unit_subtree_ids

HOTLINE_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.REVIEWER, Role.CALLBACK, Role.SUPERVISOR,
                           Role.LEADER, Role.KB_EDITOR, Role.ADMIN})


def visible_articles(user: User) -> QuerySet[Article]:
    """Editors see every article; hotline staff the published ones; a unit handler their unit's, any status,
    plus the published ones of other units."""
    qs = Article.objects.select_related("unit")
    if not user.is_active:
        return qs.none()
    if is_editor(user):
        return qs
    if user.role == Role.UNIT_HANDLER and user.unit_id:
        return qs.filter(Q(unit_id__in=unit_subtree_ids(user.unit_id)) | Q(status=ArticleStatus.PUBLISHED))
    if user.role in HOTLINE_ROLES:
        return qs.filter(status=ArticleStatus.PUBLISHED)
    return qs.none()


def public_articles(*, today: dt.date) -> QuerySet[Article]:
    """What a public channel may read: published, valid today, public."""
    from hotline.knowledge.search import offered

    return Article.objects.select_related("unit").filter(offered(public_only=True, today=today))


def unit_articles(user: User) -> QuerySet[Article]:
    """The articles a unit handler keeps (their unit and sub-units)."""
    if user.role != Role.UNIT_HANDLER or not user.unit_id:
        return Article.objects.none()
    return Article.objects.filter(unit_id__in=unit_subtree_ids(user.unit_id)).select_related("unit")


def article_versions(user: User, *, article: Article) -> QuerySet[ArticleVersion]:
    if not visible_articles(user).filter(pk=article.pk).exists():
        return ArticleVersion.objects.none()
    return ArticleVersion.objects.filter(article=article).select_related("changed_by", "unit").order_by("-version")


def review_queue() -> QuerySet[Article]:
    return Article.objects.filter(status=ArticleStatus.REVIEW).select_related("unit", "updated_by").order_by(
        "updated_at")


def visible_duties(user: User) -> QuerySet[UpdateDuty]:
    qs = UpdateDuty.objects.select_related("unit", "article", "order")
    if is_editor(user) or user.role == Role.SUPERVISOR:
        return qs
    if user.role == Role.UNIT_HANDLER and user.unit_id:
        return qs.filter(unit_id__in=unit_subtree_ids(user.unit_id))
    return qs.none()


def expiring_soon(user: User, *, today: dt.date, days: int = 30) -> QuerySet[Article]:
    return unit_articles(user).filter(status=ArticleStatus.PUBLISHED, valid_until__gte=today,
                                      valid_until__lte=today + dt.timedelta(days=days)).order_by("valid_until")


def is_overdue(duty: UpdateDuty, *, today: dt.date) -> bool:
    return duty.status == DutyStatus.OPEN and today > duty.due_date


# --- assessment and bulletin --------------------------------------------------------------------

def _month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return month, nxt


def missed_duties(*, month: dt.date, as_of: dt.datetime) -> list[UpdateDuty]:
    """Duties due in the month and not delivered by their deadline (as known at `as_of`): open past the
    due date, or delivered after it. Cancelled duties never count."""
    start, end = _month_range(month)
    as_of_day = timezone.localdate(as_of)
    qs = UpdateDuty.objects.filter(due_date__gte=start, due_date__lt=min(end, as_of_day)).exclude(
        status=DutyStatus.CANCELLED).select_related("unit").order_by("due_date", "pk")
    out = []
    for duty in qs:
        done_day = timezone.localdate(duty.done_at) if duty.done_at and duty.done_at <= as_of else None
        if done_day is None or done_day > duty.due_date:
            out.append(duty)
    return out


def knowledge_misses(*, box: str, month: dt.date, as_of: dt.datetime | None = None) -> list[Any]:
    """The assessment's knowledge-penalty counter (settings.HOTLINE_KNOWLEDGE_MISSES): one miss per duty."""
    from hotline.assessment.ledger import KnowledgeMiss

    if box != "hotline":
        return []
    as_of = as_of or timezone.now()
    return [KnowledgeMiss(unit_id=d.unit_id, key=f"duty-{d.pk}", reference=f"KB-{d.pk}",
                          reason=f"知识库更新任务“{d.title}”未在 {d.due_date:%Y-%m-%d} 前完成")
            for d in missed_duties(month=month, as_of=as_of)]


def _rate(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class UnitCompliance:
    unit: str
    unit_id: int
    due: int
    on_time: int
    missed: int
    rate: str | None


def month_figures(*, month: dt.date, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """Direct answers citing an article, gaps, and per-unit duty compliance for the month."""
    as_of = as_of or timezone.now()
    start, end = _month_range(month)
    zone = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    hi = min(dt.datetime.combine(end, dt.time(), tzinfo=zone), as_of)
    cited = Citation.objects.filter(at__gte=lo, at__lt=hi).count()
    gaps = Gap.objects.filter(at__gte=lo, at__lt=hi).count()
    missed = {d.pk for d in missed_duties(month=month, as_of=as_of)}
    due = UpdateDuty.objects.filter(due_date__gte=start, due_date__lt=end).exclude(
        status=DutyStatus.CANCELLED).select_related("unit")
    per_unit: dict[int, list[Any]] = {}
    for duty in due:
        row = per_unit.setdefault(duty.unit_id, [duty.unit.name, 0, 0])
        row[1] += 1
        row[2] += duty.pk in missed
    units = [UnitCompliance(name, uid, n, n - m, m, _rate(n - m, n))
             for uid, (name, n, m) in sorted(per_unit.items(), key=lambda kv: (-kv[1][2], kv[1][0]))]
    stale = [u for u in units if u.missed]
    top = Citation.objects.filter(at__gte=lo, at__lt=hi).values("article__title").annotate(
        n=Count("id")).order_by("-n", "article__title")[:5]
    return {"available": True, "answered_from_articles": cited, "gaps": gaps,
            "duties_due": sum(u.due for u in units), "duties_missed": len(missed),
            "units": [u.__dict__ for u in units], "stale_units": [u.__dict__ for u in stale],
            "top_articles": [{"title": r["article__title"], "count": r["n"]} for r in top]}
