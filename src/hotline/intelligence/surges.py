"""Surge alerts: a place or subject whose daily count rises far above its own recent baseline.

Each case contributes keys: its category and the place names in its title and address. For a day D,
a key is flagged when its count that day is at least MIN_COUNT and the Poisson probability of seeing
that many, given the key's mean daily count over the BASELINE_DAYS before D (floored at FLOOR so that a
new key needs a real crowd), is below P_ALERT, and the count is at least MIN_RATIO times that mean.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

BASELINE_DAYS = 28
MIN_COUNT = 5
FLOOR = 0.5  # calls per day assumed for a key never seen before
P_ALERT = 1e-4
# Daily counts of a big subject swing more than Poisson (weekdays, news): a surge must also be at least
# this many times the usual level, so a busy Monday of 社会保险 is not an alert.
MIN_RATIO = 2.0


@dataclass(frozen=True)
class Surge:
    day: dt.date
    key: str
    count: int
    baseline: float  # mean daily count before the day
    ratio: float


def poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean)."""
    if k <= 0:
        return 1.0
    term = math.exp(-mean)
    below = term
    for i in range(1, k):
        term *= mean / i
        below += term
    return max(0.0, 1.0 - below)


def daily_counts(items: Iterable[tuple[dt.date, Iterable[str]]]) -> dict[str, Counter[dt.date]]:
    """key -> day -> count, from (day, keys of one case) pairs; a case counts once per key."""
    out: dict[str, Counter[dt.date]] = defaultdict(Counter)
    for day, keys in items:
        for key in set(keys):
            out[key][day] += 1
    return out


def detect(counts: dict[str, Counter[dt.date]], *, days: Iterable[dt.date]) -> list[Surge]:
    """Every (day, key) in `days` that is a surge, in day order then by count."""
    out = []
    for day in sorted(days):
        start = day - dt.timedelta(days=BASELINE_DAYS)
        for key, per_day in counts.items():
            n = per_day.get(day, 0)
            if n < MIN_COUNT:
                continue
            history = sum(c for d, c in per_day.items() if start <= d < day)
            mean = max(history / BASELINE_DAYS, FLOOR)
            if n >= MIN_RATIO * mean and poisson_tail(n, mean) < P_ALERT:
                out.append(Surge(day=day, key=key, count=n, baseline=round(history / BASELINE_DAYS, 2),
                                 ratio=round(n / mean, 1)))
    out.sort(key=lambda s: (s.day, -s.count, s.key))
    return out
