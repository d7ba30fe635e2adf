"""Cases planned one by one: hotspot surges and clusters, misrouted and bounced cases, special-line
cases with published outcomes, and the very old cases still open. Each is taken out of its unit's
profile multiset (so the unit's counts stay exact) and given its subject item from the unit's pool.
"""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from hotline.simulate.cases import Sig
from hotline.simulate.month import MonthPlan, Windows
from hotline.simulate.plan import Item, Special, UnitPlan
from hotline.simulate.spec import largest_remainder

Pred = Callable[[Sig], bool]


def hotspot_orders(plan: MonthPlan) -> list[tuple[str, Item, int, str, tuple[int, ...], tuple[str, ...]]]:
    """(unit code, item, count, topic, days, tags) of the orders that surges and clusters fix (box hotline)."""
    out: list[tuple[str, Item, int, str, tuple[int, ...], tuple[str, ...]]] = []
    by_name = _codes(plan)
    for surge in plan.spec.raw.get("surges", []):
        lo, hi = surge["days"]
        days = tuple(range(lo, hi + 1))
        items = {(c, i): w for c, i, w in surge["items"]}
        for name, count in surge.get("units", {}).items():
            code = by_name.get(name)
            if code and ("hotline", code) in plan.units:
                n = min(plan.spec.n(count), _may(plan.units[("hotline", code)]))
                for item, k in largest_remainder(n, items).items():
                    tags = (surge["tag"],) if surge.get("tag") and item[1] == "旅游市场" else ()
                    out.append((code, item, k, surge["key"], days, tags))
    for cluster in plan.spec.raw.get("clusters", []):
        code = by_name.get(cluster["unit"])
        if code and ("hotline", code) in plan.units:
            n = min(plan.spec.n(cluster["orders"]), _may(plan.units[("hotline", code)]))
            out.append((code, (cluster["item"][0], cluster["item"][1]), n, cluster["topic"], (cluster["day"],), ()))
    return out


def forced_items(plan: MonthPlan) -> dict[tuple[str, str], Counter[Item]]:
    out: dict[tuple[str, str], Counter[Item]] = {}
    for code, item, n, *_ in hotspot_orders(plan):
        out.setdefault(("hotline", code), Counter())[item] += n
    return out


def _may(up: UnitPlan) -> int:
    return sum(n for s, n in up.sigs.items() if s.origin == "may")


def _codes(plan: MonthPlan) -> dict[str, str]:
    return {name: code for code, name in plan.names.items()}


class Picker:
    def __init__(self, plan: MonthPlan, windows: Windows, rng: random.Random) -> None:
        self.plan, self.windows, self.rng = plan, windows, rng
        self.by_name = _codes(plan)

    def may(self, box: str, hops: int = 0, days: tuple[int, ...] = ()) -> Pred:
        def pred(s: Sig) -> bool:
            if s.origin != "may":
                return False
            found = self.windows.days(box, s, hops)
            return bool(found) and (not days or any(d.day in days for d in found))
        return pred

    def add(self, box: str, code: str, sig: Sig, **kw: Any) -> Special:
        up = self.plan.units[(box, code)]
        item = kw.pop("item", None) or up.take_item(self.rng)
        sp = Special(box=box, unit=code, sig=sig, item=item, **kw)
        self.plan.specials.append(sp)
        return sp

    def one(self, box: str, code: str, pred: Pred, **kw: Any) -> Special | None:
        up = self.plan.units.get((box, code))
        sig = up.take(self.rng, pred) if up else None
        if sig is None:
            return None
        item = kw.pop("want_item", None)
        if item is not None:
            kw["item"] = up.take_item(self.rng, item=item) or up.take_item(self.rng)  # type: ignore[union-attr]
        method = kw.pop("method", None)
        if method:
            sig = sig._replace(method=method)
        return self.add(box, code, sig, **kw)

    def many(self, box: str, pred: Pred, count: int, *, top: str | None = None, item: Item | None = None,
             **kw: Any) -> int:
        """`count` cases from any units with a fitting profile (and item), each unit chosen by how many
        it has. Returns how many could not be placed."""
        cands: dict[str, int] = {}
        for (b, code), up in sorted(self.plan.units.items()):
            if b == box:
                cands[code] = self._room(up, pred, top, item)
        method = kw.pop("method", None)
        placed = 0
        while placed < count:
            codes = [c for c in cands if cands[c] > 0]
            if not codes:
                break
            code = self.rng.choices(codes, weights=[cands[c] for c in codes])[0]
            up = self.plan.units[(box, code)]
            sig = up.take(self.rng, pred)
            assert sig is not None
            if method:
                sig = sig._replace(method=method)
            self.add(box, code, sig, item=up.take_item(self.rng, top=top, item=item), **kw)
            cands[code] = self._room(up, pred, top, item)
            placed += 1
        return count - placed

    @staticmethod
    def _room(up: UnitPlan, pred: Pred, top: str | None, item: Item | None) -> int:
        items = sum(n for i, n in up.items.items() if (top is None or i[0] == top) and (item is None or i == item))
        return min(items, sum(c for s, c in up.sigs.items() if pred(s))) if items > 0 else 0


def plan_specials(plan: MonthPlan, windows: Windows, rng: random.Random) -> None:
    p = Picker(plan, windows, rng)
    _surges(p)
    returns_left = _returns_budget(plan)
    _bounce(p, returns_left)
    _misroutes(p, returns_left)
    _special_lines(p)
    _old_open(p)


def _surges(p: Picker) -> None:
    for code, item, n, topic, days, tags in hotspot_orders(p.plan):
        for _ in range(n):
            p.one("hotline", code, p.may("hotline", 0, days), want_item=item, tags=tags, topic=topic, days=days)


def _returns_budget(plan: MonthPlan) -> dict[str, int] | None:
    """Xiangtan publishes each unit's returns (驳回量): they are spent exactly. None: returns are free."""
    targets = plan.spec.units.get("hotline", [])
    if not targets or targets[0].returned is None:
        return None
    return {t.code: t.returned or 0 for t in targets}


def _bounce(p: Picker, budget: dict[str, int] | None) -> None:
    conf = p.plan.spec.raw.get("bounce")
    if not conf:
        return
    codes = [p.by_name.get(n, "") for n in conf["units"]]
    if not all(("hotline", c) in p.plan.units for c in codes):
        return
    times = conf["times"]
    chain = [codes[i % 2] for i in range(times)]
    hops, final = tuple(chain[:-1]), chain[-1]
    need = Counter(hops)
    if budget is not None and any(budget.get(c, 0) < n for c, n in need.items()):
        return
    if p.one("hotline", final, p.may("hotline", len(hops)), hops=hops, topic=conf["topic"]) and budget is not None:
        for c, n in need.items():
            budget[c] -= n


def _misroutes(p: Picker, budget: dict[str, int] | None) -> None:
    units = {code: up for (box, code), up in p.plan.units.items() if box == "hotline"}
    groups = p.plan.groups
    if budget is None:
        share = p.plan.spec.raw.get("bounced_share", 0)
        total = round(share * sum(up.target.due for up in units.values()))
        firsts = list(units)
        weights = [units[c].target.due for c in firsts]
        budget = Counter()
        for _ in range(total):
            budget[p.rng.choices(firsts, weights=weights)[0]] += 1
    for code in sorted(budget):
        for _ in range(budget[code]):
            def fits(c: str) -> float:
                return units[c].target.due * (3.0 if groups.get(c) != groups.get(code) else 1.0)
            others = [c for c in sorted(units) if c != code]
            while others:
                final = p.rng.choices(others, weights=[fits(c) for c in others])[0]
                if p.one("hotline", final, p.may("hotline", 1), hops=(code,)):
                    break
                others.remove(final)


def _special_lines(p: Picker) -> None:
    spec = p.plan.spec
    for tag, conf in spec.raw.get("special_lines", {}).items():
        if "orders" in conf:
            _with_outcomes(p, tag, conf)
            continue
        orders = spec.n(round(conf["calls"] * conf["orders_share"]))
        themes = {(c, i): w for c, i, w in conf.get("themes", [])}
        wanted: dict[Item | None, int] = dict(largest_remainder(orders, themes)) if themes else {None: orders}
        pred = _memo(p.may("hotline"))
        for item, n in wanted.items():
            left = p.many("hotline", pred, n, item=item, tags=(tag,), topic=tag)
            p.many("hotline", pred, left, tags=(tag,), topic=tag)


def _memo(pred: Pred) -> Pred:
    seen: dict[Sig, bool] = {}

    def cached(s: Sig) -> bool:
        if s not in seen:
            seen[s] = pred(s)
        return seen[s]
    return cached


def _with_outcomes(p: Picker, tag: str, conf: dict[str, Any]) -> None:
    """Tagged orders whose on-time and callback figures the bulletin publishes (all replied on time)."""
    n = p.plan.spec.n
    orders, reached, satisfied = n(conf["orders"]), n(conf["reached"]), n(conf["satisfied"])
    method = conf.get("method")
    base = p.may("hotline")
    preds = {
        "sat": _memo(lambda s: base(s) and s.reply == "ontime" and s.cb == "sat"),
        "unsat": _memo(lambda s: base(s) and s.reply == "ontime" and s.cb == "unsat" and s.chain != "rs"),
        "later": _memo(lambda s: base(s) and s.reply == "ontime" and s.cb == "tail"),
    }
    wanted = {"sat": satisfied, "unsat": reached - satisfied, "later": orders - reached}
    subjects = conf.get("subjects", {})
    for kind, count in wanted.items():
        tops = largest_remainder(round(count * sum(subjects.values()) / conf["calls"]), subjects) if subjects else {}
        left = count
        for top, k in tops.items():
            k = min(k, left)
            left -= k - p.many("hotline", preds[kind], k, top=top, tags=(tag,), method=method, topic=tag)
        p.many("hotline", preds[kind], left, tags=(tag,), method=method, topic=tag)


def _old_open(p: Picker) -> None:
    for conf in p.plan.spec.raw.get("old_open", []):
        code = p.by_name.get(conf["unit"])
        if not code or ("hotline", code) not in p.plan.units:
            continue
        up = p.plan.units[("hotline", code)]
        for _ in range(conf["count"]):
            item = p.rng.choices(list(up.mix), weights=list(up.mix.values()))[0]
            p.plan.specials.append(Special(box="hotline", unit=code, item=item, old_month=conf["month"],
                                           sig=Sig("old", "open", cb="none", contact=True), topic="old"))
