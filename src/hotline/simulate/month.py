"""The whole month's plan: unit profiles, special cases, subjects, and the day each case is dispatched on.

Everything here is counts (per unit and profile, per day), never one record per case, so planning
a month at scale 30 takes the same memory as at scale 1 (the special cases aside).
"""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from hotline.directory.seeds import data_csv
from hotline.simulate.cases import Life, Period, Sig, Staff, Texts, window
from hotline.simulate.plan import Item, Special, UnitPlan, chain_allocation, unit_sigs
from hotline.simulate.spec import MonthSpec, SimulationError, data_json, largest_remainder
from hotline.simulate.timeline import TZ, Clock

PREV_DAYS = {"carry": (9, 2), "carry_verify": (14, 5)}  # dispatched this many days before the month (from, to)
REDISPATCH_PREV_DAYS = 6


@dataclass
class MonthPlan:
    spec: MonthSpec
    period: Period
    clock: Clock
    names: dict[str, str]  # unit code -> name
    groups: dict[str, str]  # unit code -> group
    units: dict[tuple[str, str], UnitPlan]
    city_mix: dict[Item, float]
    specials: list[Special] = field(default_factory=list)
    dispatched_items: dict[str, Counter[Item]] = field(default_factory=dict)  # box -> items of this month's orders
    day_orders: dict[dt.date, list[tuple[str, str, Sig, int]]] = field(default_factory=dict)
    day_specials: dict[dt.date, list[Special]] = field(default_factory=dict)

    def dispatched_may(self, box: str) -> int:
        return sum(self.dispatched_items.get(box, Counter()).values())


def day_weight(clock: Clock, day: dt.date) -> float:
    if not clock.calendar.is_workday(day):
        return 0.75 if day.weekday() >= 5 else 0.7
    return 0.95 if day.weekday() >= 5 else 1.0


def spread(rng: random.Random, count: int, days: list[dt.date], weights: dict[dt.date, float]) -> dict[dt.date, int]:
    """`count` cases over `days` in proportion to the weights; the remainder goes to days drawn at random."""
    if count <= 0 or not days:
        return {}
    total = sum(weights[d] for d in days)
    exact = {d: count * weights[d] / total for d in days}
    out = {d: int(v) for d, v in exact.items()}
    left = count - sum(out.values())
    pool = [d for d in days if exact[d] > out[d]]
    while left > 0 and pool:
        d = rng.choices(pool, weights=[exact[x] - out[x] for x in pool])[0]
        out[d] += 1
        pool.remove(d)
        left -= 1
    while left > 0:  # only when fractions were all zero
        out[rng.choice(days)] += 1
        left -= 1
    return {d: n for d, n in out.items() if n}


class Windows:
    """Feasible dispatch days per (box, profile, misroutings), for every deadline rule the month can meet."""

    def __init__(self, plan: MonthPlan, appeal_codes: dict[str, list[str]]) -> None:
        self.plan = plan
        self.cache: dict[tuple[str, Sig, int], list[dt.date]] = {}
        self.appeals: dict[str, list[str | None]] = {}
        for box, codes in appeal_codes.items():
            seen: dict[Any, str | None] = {}
            options: list[str | None] = list(codes) or [None]
            for code in options:
                rule = plan.clock.rule(box, code, "normal")
                seen.setdefault(rule.pk if rule else None, code)
            self.appeals[box] = list(seen.values())

    def candidates(self, sig: Sig) -> list[dt.date]:
        days = self.plan.period.days
        start = self.plan.period.start.date()
        if sig.origin == "intake_prev":
            return days[:1]
        if sig.origin == "redispatch_prev":
            return days[:REDISPATCH_PREV_DAYS]
        if sig.origin in PREV_DAYS:
            first, last = PREV_DAYS[sig.origin]
            return [start - dt.timedelta(days=k) for k in range(first, last - 1, -1)]
        return days

    def days(self, box: str, sig: Sig, hops: int = 0) -> list[dt.date]:
        key = (box, sig, hops)
        if key not in self.cache:
            ok: set[dt.date] | None = None
            for appeal in self.appeals.get(box, [None]):
                life = Life(self.plan.clock, self.plan.period, STAFF0, random.Random(0), box, appeal, "normal", sig,
                            "", Texts(reply=""))
                found = set(window(life, self.candidates(sig), lead_hops=hops))
                ok = found if ok is None else ok & found
            self.cache[key] = sorted(ok or ())
        return self.cache[key]


STAFF0 = Staff([""], [""], [""], [""], [""], "")


def subject_mixes(spec: MonthSpec) -> tuple[dict[Item, float], list[tuple[list[str], dict[Item, float]]]]:
    """The city's mix of subject items (from its category totals) and the per-unit keyword rules."""
    conf = data_json("subjects.json")
    weights = {k: float(v) for k, v in conf["item_weights"].items() if not k.startswith("_")}
    items_of: dict[str, list[str]] = defaultdict(list)
    for r in data_csv("categories_yueyang.csv"):
        items_of[r["category"]].append(r["item"])
    hot = spec.box("hotline").get("items", {})
    mix: dict[Item, float] = {}
    for top, total in spec.box("hotline")["categories"].items():
        fixed = {i: float(hot[i]) for i in items_of[top] if i in hot}
        rest = max(0.0, total - sum(fixed.values()))
        free = [i for i in items_of[top] if i not in fixed]
        w = sum(weights.get(i, 1.0) for i in free) or 1.0
        for i in items_of[top]:
            mix[(top, i)] = fixed.get(i, rest * weights.get(i, 1.0) / w)
    rules = [(r["match"], {(c, i): float(x) for c, i, x in r["items"]}) for r in conf["rules"]]
    return mix, rules


def unit_mix(name: str, group: str, city_mix: dict[Item, float],
             rules: list[tuple[list[str], dict[Item, float]]]) -> dict[Item, float]:
    """County governments and parks are asked about everything; other units by the keyword rules."""
    if group in ("county", "park"):
        return city_mix
    for keywords, items in rules:
        if any(k in name for k in keywords):
            return items
    return city_mix


def build_units(spec: MonthSpec, rng: random.Random, city_mix: dict[Item, float],
                rules: list[tuple[list[str], dict[Item, float]]]) -> dict[tuple[str, str], UnitPlan]:
    units: dict[tuple[str, str], UnitPlan] = {}
    for box, targets in spec.units.items():
        chains, carry_verify = chain_allocation(spec, targets) if box == "hotline" else ({}, {})
        prev_total = 0
        conf = spec.box(box)
        dispatched_target = spec.n(conf["received"]) - spec.n(conf["answered_directly"]) \
            if "answered_directly" in conf else sum(t.due for t in targets)
        prev_total = max(0, sum(t.due for t in targets) - dispatched_target)
        prev = largest_remainder(prev_total, {t.code: t.due for t in targets})
        for t in targets:
            up = UnitPlan(t, mix=unit_mix(t.name, t.group, city_mix, rules))
            up.sigs = unit_sigs(rng, t, prev=prev[t.code], chains=chains.get(t.code),
                                carry_verify=carry_verify.get(t.code, 0))
            units[(box, t.code)] = up
    return units


def fill_items(plan: MonthPlan, forced: dict[tuple[str, str], Counter[Item]]) -> None:
    """Each unit's subject items for its cases received this month: forced ones plus its mix."""
    for key, up in plan.units.items():
        n_may = sum(n for s, n in up.sigs.items() if s.origin == "may")
        want = forced.get(key, Counter())
        fixed = sum(want.values())
        if fixed > n_may:
            raise SimulationError(f"{up.target.name}: {fixed} hotspot cases planned but only {n_may} orders",
                                  field="surges")
        up.items = Counter(want) + Counter(largest_remainder(n_may - fixed, up.mix))
        up.items = +up.items
        plan.dispatched_items.setdefault(key[0], Counter()).update(up.items)


def allocate_days(plan: MonthPlan, windows: Windows, rng: random.Random) -> None:
    """The dispatch day of every normal case (as counts per day) and of every special case."""
    weights = {d: day_weight(plan.clock, d) for d in windows.candidates(Sig()) + [
        plan.period.start.date() - dt.timedelta(days=k) for k in range(1, 15)]}
    day_orders: dict[dt.date, list[tuple[str, str, Sig, int]]] = defaultdict(list)
    for (box, code), up in sorted(plan.units.items()):
        for sig, count in sorted(up.sigs.items()):
            days = windows.days(box, sig)
            if not days:
                raise SimulationError(f"{up.target.name}: profile {sig} fits no day of the month", field="plan")
            w = weights
            if sig.cb == "tail":  # called back after the month: mostly dispatched in its last days
                w = {d: weights[d] * 1.5 ** (i - len(days)) for i, d in enumerate(days, start=1)}
            for day, n in sorted(spread(rng, count, days, w).items()):
                day_orders[day].append((box, code, sig, n))
    day_specials: dict[dt.date, list[Special]] = defaultdict(list)
    for sp in plan.specials:
        if sp.sig.origin == "old":
            continue
        days = windows.days(sp.box, sp.sig, len(sp.hops))
        if sp.days:
            days = [d for d in days if d.day in sp.days and d.month == plan.period.start.month]
        if not days:
            raise SimulationError(f"special case {sp} fits no day", field="plan")
        day = rng.choices(days, weights=[weights.get(d, 1.0) for d in days])[0]
        day_specials[day].append(sp)
    plan.day_orders = dict(day_orders)
    plan.day_specials = dict(day_specials)


def make_period(spec: MonthSpec) -> Period:
    first = spec.month
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=TZ)
    end = dt.datetime.combine(nxt, dt.time(0), tzinfo=TZ)
    return Period(start, end, end.replace(day=10))
