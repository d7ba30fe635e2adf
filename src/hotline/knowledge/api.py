"""Read-only knowledge search through the API: staff (session) see every article offered; integration
tokens (public channels: a WeChat bot, the citizen portal) see public articles only."""
from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from hotline.api import integration_auth, staff_auth
from hotline.directory.models import IntegrationToken, User
from hotline.knowledge.search import offered, search
from hotline.knowledge.selectors import public_articles, visible_articles
from hotline.workorders.schemas import ErrorOut

router = Router(tags=["knowledge"])
ERRORS = {c: ErrorOut for c in (401, 403, 404, 422)}


class SearchIn(Schema):
    q: str = Field(min_length=1, max_length=200, description="检索词")
    limit: int = Field(10, ge=1, le=50)


class HitOut(Schema):
    key: str
    title: str
    score: float
    snippet: str = Field(description="正文摘要，命中词以 <mark> 标出（已转义的 HTML）")
    unit: str | None
    public: bool
    valid_until: dt.date | None
    url: str


class ArticleOut(Schema):
    key: str
    title: str
    body: str
    unit: str | None
    public: bool
    valid_from: dt.date | None
    valid_until: dt.date | None
    version: int
    categories: list[str]


def _public_only(request: HttpRequest) -> bool:
    return isinstance(request.auth, IntegrationToken)  # type: ignore[attr-defined]


@router.get("/search", auth=[staff_auth, integration_auth], response={200: list[HitOut], **ERRORS},
            summary="检索知识库")
def search_articles(request: HttpRequest, params: Query[SearchIn]) -> list[HitOut]:
    hits = search(params.q, limit=params.limit, public_only=_public_only(request))
    return [HitOut(key=h.article.key, title=h.article.title, score=h.score, snippet=str(h.snippet),
                   unit=h.unit_name or None, public=h.article.public,
                   valid_until=h.article.valid_until, url=f"/api/kb/articles/{h.article.key}") for h in hits]


@router.get("/articles/{key}", auth=[staff_auth, integration_auth], response={200: ArticleOut, **ERRORS},
            summary="知识条目")
def article_detail(request: HttpRequest, key: str) -> ArticleOut:
    from django.utils import timezone

    if _public_only(request):
        qs = public_articles(today=timezone.localdate())
    else:
        user = request.auth  # type: ignore[attr-defined]
        assert isinstance(user, User)
        qs = visible_articles(user).filter(offered(public_only=False, today=timezone.localdate()))
    article = qs.filter(key=key).prefetch_related("categories").first()
    if article is None:
        raise Http404("未找到该知识条目")
    return ArticleOut(key=article.key, title=article.title, body=article.body,
                      unit=article.unit.name if article.unit else None, public=article.public,
                      valid_from=article.valid_from, valid_until=article.valid_until, version=article.version,
                      categories=[c.name for c in article.categories.all()])
