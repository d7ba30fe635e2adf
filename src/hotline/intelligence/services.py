"""Writes of the intelligence app: trained models (files under the data directory)."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from hotline.intelligence import routing
from hotline.intelligence.classifier import TextClassifier
from hotline.intelligence.prior import Prior

MIN_CASES = 20


class CaseTrainingError(Exception):
    """Training from cases is impossible (too few closed cases, bad dates); the message says why."""


@dataclass(frozen=True)
class TrainResult:
    path: Path
    rows: int
    labels: int
    seconds: float


def _day(value: str | None, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CaseTrainingError(f"--{name}: {value!r} is not a date YYYY-MM-DD") from None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def train_from_cases(*, target: str, path: Path | None = None, since: str | None = None,
                     until: str | None = None, limit: int = 60000) -> TrainResult:
    """Trains the category or unit suggester on closed cases and writes it (atomically) to `path`."""
    if target not in routing.TARGETS:
        raise CaseTrainingError(f"--target must be one of {', '.join(routing.TARGETS)}")
    started = time.perf_counter()
    rows, names = routing.closed_case_rows(target=target, since=_day(since, "since"), until=_day(until, "until"),
                                           limit=limit)
    if len(rows) < MIN_CASES or len({r.label for r in rows}) < 2:
        raise CaseTrainingError(f"too few closed cases with a {target} to learn from "
                                f"({len(rows)} cases; need {MIN_CASES} and two different {target}s)")
    meta = {"target": target, "names": names, "rows": len(rows), "trained_at": timezone.now().isoformat()}
    if target == "unit":  # where cases of a category and a county went: blended with the text model
        counties = routing.county_map()
        meta["prior"] = Prior.count((r.label, r.category_id, counties.get(r.region_id) if r.region_id else None)
                                    for r in rows).to_json()
    model = TextClassifier.train([r.doc for r in rows], [r.label for r in rows], meta=meta)
    path = path or routing.model_path(target)
    model.save(path)
    from hotline.intelligence import selectors

    selectors.forget_models()
    return TrainResult(path=path, rows=len(rows), labels=len(model.labels), seconds=time.perf_counter() - started)
