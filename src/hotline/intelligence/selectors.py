"""Reads of the intelligence app, for the desks, the API and the bulletin.

Suggestions never write anything and never decide: they rank options for the person at the desk.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from collections.abc import Sequence
from typing import Any, NamedTuple

from hotline.intelligence import duplicates, hotspots, places, replies, routing, surges
from hotline.intelligence.classifier import ModelFileError, TextClassifier
from hotline.intelligence.duplicates import DuplicateCandidate

log = logging.getLogger(__name__)
_cache: dict[Path, tuple[float, TextClassifier | None]] = {}
_lock = threading.Lock()


class Suggestion(NamedTuple):
    """One ranked option: `pk` of the Category or Unit, its display `name`, `score` in [0, 1]."""

    pk: int
    name: str
    score: Decimal


def forget_models() -> None:
    """Drop cached models (after training, so the next suggestion reads the new file)."""
    with _lock:
        _cache.clear()


def _model(path: Path) -> TextClassifier | None:
    """The model at `path`, reloaded when the file changes; None when there is none or it is unusable."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            model: TextClassifier | None = TextClassifier.load(path)
        except ModelFileError as exc:
            log.warning("suggestions off: %s", exc)
            model = None
        _cache[path] = (mtime, model)
        return model


def suggest(*, target: str, title: str = "", content: str, address: str = "", region_id: int | None = None,
            category_id: int | None = None, k: int = 3, path: Path | None = None) -> list[Suggestion]:
    """The top-k categories (target="category") or responsible units (target="unit") for an appeal.

    Scores are the model's probabilities rounded to 3 places. Empty when no model has been trained
    (`hotline classify train --from-cases --target ...`) or the content is empty. Labels whose row no
    longer exists (a deleted category or unit) are skipped.
    """
    appeal = {"title": title, "content": content, "address": address, "region_id": region_id,
              "category_id": category_id}
    return _suggest_many(target=target, appeals=[appeal], k=k, path=path)[0]


def model_ready(target: str) -> bool:
    """Whether suggestions for `target` can be made (a usable model file exists); the desks say so otherwise."""
    return _model(routing.model_path(target)) is not None


def _suggest_many(*, target: str, appeals: Sequence[dict[str, Any]], k: int = 3,
                  path: Path | None = None) -> list[list[Suggestion]]:
    """One model call and one name query for many appeals (a desk's page of cases): no query per case."""
    model = _model(path or routing.model_path(target))
    out: list[list[Suggestion]] = [[] for _ in appeals]
    todo = [i for i, a in enumerate(appeals) if (a.get("title") or a.get("content") or "").strip()]
    if model is None or not todo:
        return out
    docs = [routing.case_document(
        title=appeals[i].get("title") or "", content=appeals[i].get("content") or "",
        address=appeals[i].get("address") or "", region_id=appeals[i].get("region_id"),
        category_id=appeals[i].get("category_id") if target == "unit" else None) for i in todo]
    ranked = routing.rank(model, docs, [(appeals[i].get("category_id") if target == "unit" else None,
                                         appeals[i].get("region_id")) for i in todo],
                          k=min(len(model.labels), k + 3))
    ids = {int(label) for row in ranked for label, _ in row if label.isdigit()}
    names = routing.label_names(target=target, ids=ids)
    for i, row in zip(todo, ranked):
        out[i] = [Suggestion(pk=int(label), name=names[label],
                             score=Decimal(str(score)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))
                  for label, score in row if label in names][:k]
    return out


def suggest_units_for(orders: Sequence[Any], *, k: int = 3) -> dict[int, list[Suggestion]]:
    """Dispatcher's queue: order pk -> its top-k units, for a page of WorkOrders in one batch."""
    appeals = [{"title": o.title, "content": o.content, "address": o.address, "region_id": o.region_id,
                "category_id": o.category_id} for o in orders]
    return {o.pk: top for o, top in zip(orders, _suggest_many(target="unit", appeals=appeals, k=k))}


def suggest_categories(*, title: str = "", content: str, address: str = "", region_id: int | None = None,
                       k: int = 3) -> list[Suggestion]:
    """Operator's desk: top-k two-level categories (name "一级/二级") for the appeal being entered."""
    return suggest(target="category", title=title, content=content, address=address, region_id=region_id, k=k)


def suggest_units(*, title: str = "", content: str, address: str = "", region_id: int | None = None,
                  category_id: int | None = None, k: int = 3) -> list[Suggestion]:
    """Dispatcher's desk: top-k responsible units for the appeal being dispatched (category helps when set)."""
    return suggest(target="unit", title=title, content=content, address=address, region_id=region_id,
                   category_id=category_id, k=k)


def duplicate_candidates(user: Any, *, phone: str = "", text: str = "", title: str = "", address: str = "",
                         region: int | None = None, at: dt.datetime | None = None, exclude: int | None = None,
                         limit: int = 5) -> list[DuplicateCandidate]:
    """Cases that may be the same matter as an appeal being entered, best first, each with a Chinese reason.

    `user` scopes the search (visible_orders); `phone`, `title`/`text`, `address`, `region` (Region pk)
    describe the new appeal; `at` is its time (default now; content is compared within 30 days before it);
    `exclude` is the appeal's own case id once saved. Reasons: "同一电话" (an open case with that number),
    "同一地点，相似度 92%" (shared place name or address), "内容相似，相似度 88%".
    """
    return duplicates.find(user, phone=phone, title=title, content=text, address=address, region_id=region,
                           at=at, exclude_id=exclude, limit=limit)


# --- hotspots and surges -------------------------------------------------------------------------

LEAD_ROLES = frozenset({"supervisor", "leader", "admin"})


@dataclass(frozen=True)
class HotTopic:
    """A topic of the period: `name` ("丽发新城 搅拌站噪音扰民"), its case numbers (links), count and growth."""

    name: str
    place: str
    problem: str
    numbers: list[str]
    count: int
    growth: Decimal  # -1 (all in the first half of the period) .. 1 (all in the second half)


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from django.utils import timezone

    return (timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
            timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)))


def hot_topics(user: Any, *, start: dt.date, end: dt.date, limit: int = 10, box: str | None = None
               ) -> list[HotTopic]:
    """The hottest topics among the cases `user` may see received from `start` to `end` (inclusive).

    Repeat calls count (they are heat); invalid calls do not. Each topic lists its case numbers so a
    page can link to them.
    """
    from hotline.workorders.models import Status
    from hotline.workorders.selectors import visible_orders

    since, until = _period(start, end)
    qs = visible_orders(user).filter(received_at__gte=since, received_at__lt=until).exclude(status=Status.INVALID)
    if box:
        qs = qs.filter(box=box)
    from django.utils import timezone

    return topics_of(qs, limit=limit, middle=since + (min(until, timezone.now()) - since) / 2)


def topics_of(orders: Any, *, limit: int = 10, middle: dt.datetime | None = None) -> list[HotTopic]:
    """Hot topics of a queryset of WorkOrders the caller has already scoped (a user's cases, a bulletin's month)."""
    rows = orders.order_by("received_at").values_list("number", "title", "content", "received_at")
    messages = [hotspots.Message(id=n, title=t, content=c[: hotspots.CONTENT_CHARS], at=at) for n, t, c, at in rows]
    return [HotTopic(name=t.name, place=t.place, problem=t.problem, numbers=t.ids, count=t.count,
                     growth=Decimal(str(t.growth)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
            for t in hotspots.hot_topics(messages, limit=limit, middle=middle)]


def case_keys(*, title: str, address: str, category: str) -> list[str]:
    """What a case counts towards in surge detection: its category and the places in its title and address."""
    keys = [f"分类：{category}"] if category else []
    return keys + [f"地点：{p}" for p in places.places(f"{address} {title}")]


def surge_alerts(user: Any, *, day: dt.date, first: dt.date | None = None) -> list[surges.Surge]:
    """Places and categories whose daily count is far above their previous 28 days, on `day` (or on every
    day from `first` to `day`), day order. Supervisor, leader and admin only; others get [].
    """
    from django.utils import timezone

    from hotline.workorders.models import Status
    from hotline.workorders.selectors import visible_orders

    if not may_see_hotspots(user):
        return []
    first = min(first or day, day)
    since, until = _period(first - dt.timedelta(days=surges.BASELINE_DAYS), day)
    rows = (visible_orders(user).filter(received_at__gte=since, received_at__lt=until)
            .exclude(status=Status.INVALID)
            .values_list("received_at", "title", "address", "category__parent__name", "category__name"))
    counts = surges.daily_counts(
        (timezone.localtime(at).date(),
         case_keys(title=title, address=address, category="/".join(x for x in (parent, name) if x)))
        for at, title, address, parent, name in rows)
    return surges.detect(counts, days=[first + dt.timedelta(days=d) for d in range((day - first).days + 1)])


def may_see_hotspots(user: Any) -> bool:
    """Hot topics and surge alerts across units are for the supervisor, the leader and the admin."""
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", "") in LEAD_ROLES)


def _stamp() -> str:
    """Changes with any new case or event: cached hotspot figures are recomputed after a write."""
    from django.db.models import Max

    from hotline.workorders.models import Event, WorkOrder

    return f"{WorkOrder.objects.aggregate(m=Max('id'))['m'] or 0}-{Event.objects.aggregate(m=Max('id'))['m'] or 0}"


def cached_hot_topics(user: Any, *, start: dt.date, end: dt.date, limit: int = 10) -> list[HotTopic]:
    """hot_topics() cached per user and period until the next write (a month of a big city takes seconds)."""
    from django.core.cache import cache

    key = f"intel-hot:{getattr(user, 'pk', 0)}:{getattr(user, 'role', '')}:{start}:{end}:{limit}:{_stamp()}"
    found = cache.get(key)
    if found is None:
        found = hot_topics(user, start=start, end=end, limit=limit)
        cache.set(key, found, 3600)
    return list(found)


def cached_surge_alerts(user: Any, *, first: dt.date, day: dt.date) -> list[surges.Surge]:
    """surge_alerts() from `first` to `day`, cached like cached_hot_topics()."""
    from django.core.cache import cache

    key = f"intel-surge:{getattr(user, 'pk', 0)}:{getattr(user, 'role', '')}:{first}:{day}:{_stamp()}"
    found = cache.get(key)
    if found is None:
        found = surge_alerts(user, day=day, first=first)
        cache.set(key, found, 3600)
    return list(found)


# --- reply quality -------------------------------------------------------------------------------

def reply_flags(user: Any, *, order: Any) -> list[replies.Flag]:
    """Flags on the latest reply of a case the user may see (reviewer's desk); empty without a reply.

    Each flag has a stable `code` and a Chinese `reason`. The flags only inform the reviewer.
    """
    from hotline.workorders.models import Action, Event
    from hotline.workorders.selectors import order_events

    events = list(order_events(user, order=order).filter(kind__in=[Action.REPLY, Action.CONTACT])
                  .values_list("kind", "data", "seq"))
    reply = next(((data, seq) for kind, data, seq in reversed(events) if kind == Action.REPLY), None)
    if reply is None or not isinstance(reply[0], dict) or not reply[0].get("text"):
        return []
    text = str(reply[0]["text"])
    contact = any(kind == Action.CONTACT and seq < reply[1] for kind, _, seq in events)
    elsewhere = Event.objects.filter(kind=Action.REPLY, data__text=text).exclude(order_id=order.pk).count()
    return replies.flags(appeal=f"{order.title} {order.content}", reply=text, same_text_elsewhere=elsewhere,
                         contact_recorded=contact)
