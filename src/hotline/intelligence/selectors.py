"""Reads of the intelligence app, for the desks, the API and the bulletin.

Suggestions never write anything and never decide: they rank options for the person at the desk.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, NamedTuple

from hotline.intelligence import duplicates, routing
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
            k: int = 3, path: Path | None = None) -> list[Suggestion]:
    """The top-k categories (target="category") or responsible units (target="unit") for an appeal.

    Scores are the model's probabilities rounded to 3 places. Empty when no model has been trained
    (`hotline classify train --from-cases --target ...`) or the content is empty. Labels whose row no
    longer exists (a deleted category or unit) are skipped.
    """
    model = _model(path or routing.model_path(target))
    if model is None or not (title or content).strip():
        return []
    doc = routing.case_document(title=title, content=content, address=address, region_id=region_id)
    ranked = model.top([doc], k=min(len(model.labels), k + 3))[0]
    names = routing.label_names(target=target, ids={int(label) for label, _ in ranked if label.isdigit()})
    out = []
    for label, score in ranked:
        if label in names:
            out.append(Suggestion(pk=int(label), name=names[label],
                                  score=Decimal(str(score)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)))
    return out[:k]


def suggest_categories(*, title: str = "", content: str, address: str = "", region_id: int | None = None,
                       k: int = 3) -> list[Suggestion]:
    """Operator's desk: top-k two-level categories (name "一级/二级") for the appeal being entered."""
    return suggest(target="category", title=title, content=content, address=address, region_id=region_id, k=k)


def suggest_units(*, title: str = "", content: str, address: str = "", region_id: int | None = None,
                  k: int = 3) -> list[Suggestion]:
    """Dispatcher's desk: top-k responsible units for the appeal being dispatched."""
    return suggest(target="unit", title=title, content=content, address=address, region_id=region_id, k=k)


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
