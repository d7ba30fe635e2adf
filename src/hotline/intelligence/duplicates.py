"""Repeat calls and duplicate appeals: candidates for the operator at intake, ranked, each with its reason.

Two signals: the same phone number with a case still open (any age), and near-identical content
(cosine of character-bigram counts) among cases received in the same region within the last 30 days.
Every candidate comes from `visible_orders(user)`; a unit handler is never told that a confidential
citizen's case shares a phone number.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from scipy import sparse
from django.utils import timezone

from hotline.intelligence.places import places
from hotline.intelligence.text import compact

WINDOW = dt.timedelta(days=30)
THRESHOLD = 0.6  # content similarity from which two appeals are shown as possibly the same matter
POOL_LIMIT = 3000  # most recent cases compared; a region's month is below this at the cities' volumes
CHARS = 600  # repeat callers retell the start of the matter; long letters would dilute the overlap


@dataclass(frozen=True)
class DuplicateCandidate:
    """A case that may be the same matter: `score` ranks (phone matches first), `reason` is for the operator."""

    order_id: int
    number: str
    reason: str
    similarity: Decimal
    score: Decimal


def _vectors(texts: list[str]) -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char", ngram_range=(2, 2), n_features=2 ** 20, alternate_sign=False,
                             lowercase=False).transform([compact(t)[:CHARS] for t in texts]).astype(np.float32)


_cache: OrderedDict[int, tuple[int, Any]] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 50000


def _cached_vectors(keys: list[int], texts: list[str]) -> Any:
    """Vectors of the texts, reusing those of unchanged texts seen before (keys: case ids).

    Rows are cached as (indices, data) arrays and assembled in one go: stacking thousands of one-row
    sparse matrices would cost more than vectorizing afresh.
    """
    rows: list[Any] = [None] * len(texts)
    missing = []
    with _cache_lock:
        for n, (key, text) in enumerate(zip(keys, texts)):
            hit = _cache.get(key)
            if hit is not None and hit[0] == hash(text):
                rows[n] = hit[1]
                _cache.move_to_end(key)
            else:
                missing.append(n)
    if missing:
        fresh = _vectors([texts[n] for n in missing]).tocsr()
        with _cache_lock:
            for row, n in enumerate(missing):
                lo, hi = fresh.indptr[row], fresh.indptr[row + 1]
                rows[n] = (fresh.indices[lo:hi].copy(), fresh.data[lo:hi].copy())
                _cache[keys[n]] = (hash(texts[n]), rows[n])
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r[0]) for r in rows])
    indices = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, dtype=np.int32)
    data = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), 2 ** 20))


def similarities(query: str, others: list[str], keys: list[int] | None = None) -> np.ndarray:
    """Cosine similarity of the query with each of the others (0 to 1); `keys` lets vectors be reused."""
    if not others:
        return np.zeros(0)
    matrix = _cached_vectors(keys, others) if keys is not None else _vectors(others)
    return np.asarray((matrix @ _vectors([query]).T).todense()).ravel()


def _percent(value: float) -> str:
    return f"{Decimal(str(value * 100)).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"


def _reason(*, same_phone: bool, same_place: bool, similarity: float) -> str:
    if same_phone:
        return "同一电话" + (f"，相似度 {_percent(similarity)}" if similarity >= THRESHOLD else "")
    return f"{'同一地点' if same_place else '内容相似'}，相似度 {_percent(similarity)}"


def rank(*, query: dict[str, Any], phone_ids: set[int], pool: list[dict[str, Any]], limit: int
         ) -> list[DuplicateCandidate]:
    """Scores the pool (dicts with id, number, title, content, address) against the query's fields."""
    text = f"{query.get('title', '')} {query.get('content', '')}"
    sims = similarities(text, [f"{c['title']} {c['content']}" for c in pool], keys=[c["id"] for c in pool])
    query_places = set(places(f"{query.get('address', '')} {text}"))
    out = []
    for candidate, sim in zip(pool, sims.tolist()):
        same_phone = candidate["id"] in phone_ids
        if not same_phone and sim < THRESHOLD:
            continue
        same_place = bool(query_places & set(places(f"{candidate['address']} {candidate['title']} "
                                                    f"{candidate['content']}"))) or (
            bool(query.get("address")) and query.get("address") == candidate["address"])
        score = sim + (1.0 if same_phone else 0.0) + (0.05 if same_place else 0.0)
        out.append(DuplicateCandidate(
            order_id=candidate["id"], number=candidate["number"],
            reason=_reason(same_phone=same_phone, same_place=same_place, similarity=sim),
            similarity=Decimal(str(sim)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP),
            score=Decimal(str(score)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP),
        ))
    out.sort(key=lambda c: (-c.score, c.number))
    return out[:limit]


def find(user: Any, *, phone: str = "", title: str = "", content: str = "", address: str = "",
         region_id: int | None = None, at: dt.datetime | None = None, exclude_id: int | None = None,
         limit: int = 5) -> list[DuplicateCandidate]:
    from hotline.directory.models import Role
    from hotline.workorders.models import OPEN_STATUSES, Status
    from hotline.workorders.selectors import visible_orders

    at = at or timezone.now()
    visible = visible_orders(user).exclude(pk=exclude_id) if exclude_id else visible_orders(user)
    phone_ids: set[int] = set()
    if phone.strip():
        by_phone = visible.filter(citizen_phone=phone.strip(), status__in=[*OPEN_STATUSES, Status.NEW],
                                  received_at__lte=at)
        if user.role == Role.UNIT_HANDLER:
            by_phone = by_phone.filter(confidential=False)
        phone_ids = set(by_phone.values_list("id", flat=True)[:50])
    recent = visible.filter(received_at__gte=at - WINDOW, received_at__lte=at).exclude(
        status__in=[Status.MERGED, Status.INVALID])
    if region_id is not None:
        recent = recent.filter(region_id=region_id)
    fields = ("id", "number", "title", "content", "address")
    pool = {row["id"]: row for row in recent.order_by("-received_at").values(*fields)[:POOL_LIMIT]}
    for row in visible.filter(id__in=phone_ids - set(pool)).values(*fields):
        pool[row["id"]] = row
    query = {"title": title, "content": content, "address": address}
    return rank(query=query, phone_ids=phone_ids, pool=list(pool.values()), limit=limit)
