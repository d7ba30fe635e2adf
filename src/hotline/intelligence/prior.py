"""Where cases of a category and a county went before: a count table that the unit suggestion blends with
the text model.

A case's unit mostly follows from its subject and its county: a county's own government takes the
local matters of its county, a city bureau or a utility takes its subject anywhere. The text model
weighs region and category as separate words and so may rank other counties named in the text above the
bureau; the table knows the pair. P(unit | category, county) is naive Bayes over those counts, each factor smoothed towards the overall
share, so a pair never seen together still gets a ranking.
The table is plain counts (JSON in the model header): no pickles, readable, small (pairs × units seen).
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SMOOTH = 2.0  # pseudo-counts of the coarser level at each step
MODEL_WEIGHT = 0.5  # exponent of the text model's probability in the blend (the table's is 1)


def _key(*parts: int | None) -> str:
    return "|".join("" if p is None else str(p) for p in parts)


@dataclass
class Prior:
    """Counts of units per (category, county), per category, per county, and overall."""

    pair: dict[str, dict[str, int]] = field(default_factory=dict)
    category: dict[str, dict[str, int]] = field(default_factory=dict)
    county: dict[str, dict[str, int]] = field(default_factory=dict)
    overall: dict[str, int] = field(default_factory=dict)

    @classmethod
    def count(cls, rows: Iterable[tuple[str, int | None, int | None]]) -> Prior:
        """From (unit label, category id, county id) of past cases."""
        pair: dict[str, Counter[str]] = defaultdict(Counter)
        cat: dict[str, Counter[str]] = defaultdict(Counter)
        county: dict[str, Counter[str]] = defaultdict(Counter)
        overall: Counter[str] = Counter()
        for label, category_id, county_id in rows:
            overall[label] += 1
            if category_id is not None:
                cat[_key(category_id)][label] += 1
            if county_id is not None:
                county[_key(county_id)][label] += 1
            if category_id is not None and county_id is not None:
                pair[_key(category_id, county_id)][label] += 1
        as_dict = lambda d: {k: dict(v) for k, v in d.items()}  # noqa: E731
        return cls(pair=as_dict(pair), category=as_dict(cat), county=as_dict(county), overall=dict(overall))

    def to_json(self) -> dict[str, Any]:
        return {"pair": self.pair, "category": self.category, "county": self.county, "overall": self.overall}

    @classmethod
    def from_json(cls, data: Any) -> Prior | None:
        if not isinstance(data, dict):
            return None
        return cls(pair=data.get("pair") or {}, category=data.get("category") or {},
                   county=data.get("county") or {}, overall=data.get("overall") or {})

    def probabilities(self, labels: Sequence[str], *, category_id: int | None, county_id: int | None) -> list[float]:
        """P(unit | category, county) for each label, naive Bayes: P(unit) P(category | unit) P(county | unit).

        Category and county are taken as independent given the unit: a county government takes only its own
        county's cases (P(county | unit) near 1 for its county, near 0 elsewhere) across many subjects; a city
        bureau takes its few subjects in every county. Each factor is smoothed towards the overall share.
        """
        total = sum(self.overall.values()) or 1
        scores = []
        cat = self.category.get(_key(category_id), {}) if category_id is not None else None
        county = self.county.get(_key(county_id), {}) if county_id is not None else None
        p_cat = (sum(cat.values()) + 1) / (total + 1) if cat is not None else 1.0
        p_county = (sum(county.values()) + 1) / (total + 1) if county is not None else 1.0
        for label in labels:
            n = self.overall.get(label, 0)
            score = (n + 1) / (total + len(labels))
            if cat is not None:
                score *= (cat.get(label, 0) + SMOOTH * p_cat) / (n + SMOOTH)
            if county is not None:
                score *= (county.get(label, 0) + SMOOTH * p_county) / (n + SMOOTH)
            scores.append(score)
        norm = sum(scores) or 1.0
        return [x / norm for x in scores]


def _step(counts: dict[str, int] | None, labels: Sequence[str], coarser: list[float]) -> list[float]:
    if not counts:
        return coarser
    n = sum(counts.values())
    return [(counts.get(label, 0) + SMOOTH * q) / (n + SMOOTH) for label, q in zip(labels, coarser)]


def blend(model: list[float], table: list[float]) -> list[float]:
    """Log-linear blend: model^MODEL_WEIGHT × table, normalised. The table decides which kinds of unit can
    take the case (its county's government, the subject's bureaus); the text picks among them."""
    scores = [math.exp(MODEL_WEIGHT * math.log(max(m, 1e-9)) + math.log(max(t, 1e-12))) for m, t in zip(model, table)]
    norm = sum(scores) or 1.0
    return [x / norm for x in scores]
