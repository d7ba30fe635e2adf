"""The month's plan per unit: which of its cases are late, reworked, extended, contacted, called back
in the month with which result, how far each dissatisfaction got, which came from last month; so the
metrics of hotline.workorders.metrics reproduce the unit's targets exactly, by construction.

A unit's plan is a multiset of case profiles (`Sig` -> count); profiles are independent of the scale
in number, so a plan stays small however many cases it stands for. Cases that must carry something
more (a special-line tag with a fixed outcome, a hotspot's subject on a given day, a misrouting
before the final assignment) are taken out of the multiset as `Special`s.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from hotline.simulate.cases import Sig
from hotline.simulate.spec import MonthSpec, UnitTarget, largest_remainder

Item = tuple[str, str]
TAIL = {"hotline": 0.10, "mailbox": 0.15}  # share of done cases whose callback falls after the month
XIANGTAN_TAIL = 0.10
EXTENSION_SHARE = 0.02  # where extensions are not published
UNCONTACTED_SHARE = 0.03
MANUAL_SHARE = 0.2
PENDING_SHARE = 0.02  # unsatisfied callbacks verified only after the month


@dataclass
class Special:
    """A case planned one by one."""

    box: str
    unit: str  # code of the final unit
    sig: Sig
    item: Item | None = None
    tags: tuple[str, ...] = ()
    hops: tuple[str, ...] = ()  # codes of the units it was misrouted to first
    topic: str = ""  # surge/cluster key for the text
    days: tuple[int, ...] = ()  # allowed days of the month (empty: any feasible day)
    old_month: str = ""  # for origin 'old': YYYY-MM when it was received


@dataclass
class UnitPlan:
    target: UnitTarget
    sigs: Counter[Sig] = field(default_factory=Counter)
    items: Counter[Item] = field(default_factory=Counter)  # items of the unit's normal cases received this month
    mix: dict[Item, float] = field(default_factory=dict)

    def take(self, rng: random.Random, pred: object, *, item_top: str | None = None) -> Sig | None:
        """Remove and return one profile satisfying pred (weighted by count), or None."""
        fits = [(s, n) for s, n in self.sigs.items() if n > 0 and pred(s)]  # type: ignore[operator]
        if not fits:
            return None
        sig = rng.choices([s for s, _ in fits], weights=[n for _, n in fits])[0]
        self.sigs[sig] -= 1
        if not self.sigs[sig]:
            del self.sigs[sig]
        return sig

    def take_item(self, rng: random.Random, *, top: str | None = None, item: Item | None = None) -> Item | None:
        pool = [(i, n) for i, n in self.items.items() if n > 0 and (item is None or i == item)
                and (top is None or i[0] == top)]
        if not pool:
            return None
        chosen = rng.choices([i for i, _ in pool], weights=[n for _, n in pool])[0]
        self.items[chosen] -= 1
        return chosen


def chain_allocation(spec: MonthSpec, targets: list[UnitTarget]) -> tuple[dict[str, Counter[str]], dict[str, int]]:
    """Per unit, the dissatisfaction chains of its unsatisfied callbacks (Yueyang's 回访督办 figures),
    and the cases of last month verified this month. Returns ({code: Counter(chain)}, {code: carry-verify})."""
    chain = spec.box("hotline").get("callback_chain")
    u_total = sum(t.unsatisfied for t in targets)
    weights = {t.code: t.unsatisfied for t in targets}
    if not chain or u_total == 0:
        return {t.code: Counter({"loose": t.unsatisfied}) for t in targets}, {}
    verified, supervised = spec.n(chain["verified"]), spec.n(chain["supervised"])
    rectified, resatisfied = spec.n(chain["rectified"]), spec.n(chain["resatisfied"])
    pend = round(PENDING_SHARE * u_total)
    carry_verify = max(0, verified - (u_total - pend))
    totals = {"rs": resatisfied, "rect": max(0, rectified - resatisfied)}
    totals["sup"] = max(0, supervised - totals["rs"] - totals["rect"] - carry_verify)
    totals["ver"] = max(0, u_total - pend - sum(totals.values()))
    room = {t.code: t.unsatisfied for t in targets}
    rs_room = {t.code: max(0, t.callbacks - t.unsatisfied) for t in targets}  # first callbacks >= unsatisfied
    out: dict[str, Counter[str]] = {t.code: Counter() for t in targets}
    for kind, total in totals.items():
        share = largest_remainder(total, weights)
        spill = 0
        for code in weights:
            cap = min(room[code], rs_room[code]) if kind == "rs" else room[code]
            take = min(share[code], cap)
            spill += share[code] - take
            out[code][kind] += take
            room[code] -= take
            if kind == "rs":
                rs_room[code] -= take
        for code in sorted(weights, key=lambda c: -room[c]):
            if spill <= 0:
                break
            cap = min(room[code], rs_room[code]) if kind == "rs" else room[code]
            take = min(spill, cap)
            out[code][kind] += take
            room[code] -= take
            spill -= take
    for code in weights:
        out[code]["pend"] += room[code]
    cv = largest_remainder(carry_verify, weights)
    return out, cv


def _shuffled(rng: random.Random, counts: list[tuple[object, int]]) -> list[object]:
    out: list[object] = []
    for value, n in counts:
        out.extend([value] * max(0, n))
    rng.shuffle(out)
    return out


def _pick(rng: random.Random, n: int, k: int) -> set[int]:
    return set(rng.sample(range(n), min(max(k, 0), n)))


def unit_sigs(rng: random.Random, t: UnitTarget, *, prev: int = 0, chains: Counter[str] | None = None,
              carry_verify: int = 0) -> Counter[Sig]:
    """The profiles of a unit's month: t.due cases due this month, plus last month's cases only called
    back (or verified) this month. `prev` of the due cases were received last month."""
    d, done, on_time = t.due, t.done, t.on_time
    states = _shuffled(rng, [("open", d - done), ("late", done - on_time), ("ontime", on_time)])
    done_idx = [i for i, s in enumerate(states) if s != "open"]
    tail_share = TAIL[t.box] if t.system is None else XIANGTAN_TAIL
    tail = round(tail_share * len(done_idx))
    reached = _reached(rng, t, chains)  # (method, result, chain) of every first callback answered this month
    f = max(0, min(len(reached), len(done_idx) - tail))
    carry = len(reached) - f
    unreach = len(done_idx) - tail - f
    due_reached, carry_reached = reached[:f], reached[f:]
    classes = _shuffled(rng, [("tail", tail), ("unreach", unreach), ("reached", f)])
    cb_of: dict[int, tuple[str, str, str]] = {}
    it = iter(due_reached)
    for i, cls in zip(done_idx, classes):
        cb_of[i] = next(it) if cls == "reached" else ("", str(cls), "")
    reworked = set(rng.sample(done_idx, min(t.reworked, len(done_idx))))
    extended = _pick(rng, d, t.extended if t.extended is not None else round(EXTENSION_SHARE * d))
    uncontacted = _pick(rng, d, d - t.contacted if t.contacted is not None else round(UNCONTACTED_SHARE * d))
    early = [i for i in range(d) if cb_of.get(i, ("", "", ""))[1] != "tail"]
    prev_idx = set(rng.sample(early, min(prev, len(early))))
    out: Counter[Sig] = Counter()
    for i, state in enumerate(states):
        method, result, chain = cb_of.get(i, ("", "none", ""))
        cb = {"satisfied": "sat", "unsatisfied": "unsat"}.get(result, result)
        origin = "may"
        if i in prev_idx:
            origin = "intake_prev" if rng.random() < 0.4 else "redispatch_prev"
        out[Sig(origin, str(state), i in reworked, i in extended, i not in uncontacted, cb, chain,
                method or ("manual" if cb == "tail" and rng.random() < MANUAL_SHARE else "sms"))] += 1
    for method, result, chain in carry_reached:
        out[Sig("carry", "ontime", False, False, True, "sat" if result == "satisfied" else "unsat", chain,
                method)] += 1
    out[Sig("carry_verify", "ontime", False, False, True, "unsat", "sup", "sms")] += carry_verify
    return +out


def _reached(rng: random.Random, t: UnitTarget, chains: Counter[str] | None) -> list[tuple[str, str, str]]:
    """(method, result, chain) of each first callback answered in the month, shuffled."""
    if t.system is not None and t.spot is not None:
        rows = [("sms", "satisfied", "")] * t.system[1] + [("manual", "satisfied", "")] * t.spot[1]
        unsat = [("sms", "unsatisfied")] * (t.system[0] - t.system[1]) + \
            [("manual", "unsatisfied")] * (t.spot[0] - t.spot[1])
        rows += [(m, r, "nup" if rng.random() < 0.4 else "loose") for m, r in unsat]
        rng.shuffle(rows)
        return rows
    labels = _shuffled(rng, sorted((chains or Counter({"loose": t.unsatisfied})).items()))
    rs = sum(1 for c in labels if c == "rs")
    first = t.callbacks - rs
    rows = [("manual" if rng.random() < MANUAL_SHARE else "sms", "unsatisfied", str(c)) for c in labels]
    rows += [("manual" if rng.random() < MANUAL_SHARE else "sms", "satisfied", "")
             for _ in range(first - len(labels))]
    if t.box == "mailbox":
        rows = [(m, r, ("nup" if rng.random() < 0.5 else "loose") if r == "unsatisfied" else c)
                for m, r, c in rows]
    rng.shuffle(rows)
    return rows
