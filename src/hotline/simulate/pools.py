"""The intake side of the month: how many calls/letters are answered directly, and the urns that hand out
subjects, appeal types, channels, places and special-line tags so that the city totals come out as
published. An `Urn` draws without replacement, so after exactly `total` draws every count is met.
"""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from hotline.simulate.month import MonthPlan
from hotline.simulate.plan import Item
from hotline.simulate.spec import largest_remainder

# Appeal types of dispatched orders (complaints and requests for help); the rest of each published
# total is answered directly.
DISPATCH_APPEALS = {"complaint": 0.55, "help": 0.37, "consultation": 0.02, "other": 0.04, "suggestion": 0.01,
                    "report": 0.01}
LETTER_APPEALS = {"complaint": 40, "help": 28, "consultation": 15, "suggestion": 10, "report": 5, "praise": 2}
UPPER_DISPATCHED = 0.7  # share of the non-phone channels' cases that become orders
UNATTRIBUTED = 0.1  # direct answers with no place
XIANGTAN_URBAN = {"雨湖区": 35, "岳塘区": 35, "湘潭高新区": 6, "湘潭经开区": 6, "昭山示范区": 2, "九华示范区": 2,
                  None: 14}


class Urn:
    """Draw keys without replacement in proportion to what is left (a Fenwick tree over the counts)."""

    def __init__(self, counts: dict[Any, int]) -> None:
        self.keys = [k for k, n in counts.items() if n > 0]
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.size = 1
        while self.size < len(self.keys):
            self.size *= 2
        self.tree = [0] * (self.size + 1)
        self.counts = [0] * len(self.keys)
        self.total = 0
        for i, k in enumerate(self.keys):
            self._add(i, counts[k])

    def _add(self, i: int, delta: int) -> None:
        self.counts[i] += delta
        self.total += delta
        j = i + 1
        while j <= self.size:
            self.tree[j] += delta
            j += j & -j

    def draw(self, rng: random.Random) -> Any:
        if self.total <= 0:
            raise LookupError("the urn is empty")
        r = rng.randrange(self.total)
        pos, step = 0, self.size
        while step:
            nxt = pos + step
            if nxt <= self.size and self.tree[nxt] <= r:
                pos = nxt
                r -= self.tree[nxt]
            step //= 2
        self._add(pos, -1)
        return self.keys[pos]

    def take(self, key: Hashable) -> bool:
        i = self.index.get(key)
        if i is None or self.counts[i] <= 0:
            return False
        self._add(i, -1)
        return True

    def left(self) -> dict[Any, int]:
        return {k: n for k, n in zip(self.keys, self.counts) if n}


@dataclass
class Hotspot:
    topic: str
    day_counts: dict[int, int]  # day of month -> direct answers that day
    items: Urn
    tags: tuple[str, ...] = ()
    county: str | None = None
    street: str | None = None
    road: str = ""
    venue: str = ""
    tag_item: str = ""  # only cases with this item get the tags


@dataclass
class Intake:
    box: str
    received: int
    direct: int
    items: Urn  # subject items (None: uncategorised) of direct answers without a reserved subject
    tag_items: dict[str, Urn]  # tag -> subjects reserved for the tag's direct answers
    tags: Urn  # tag (None: untagged) of each ordinary direct answer
    appeals_direct: Urn
    appeals_orders: Urn
    channels_direct: Urn
    channels_orders: Urn
    regions: Urn  # county name (None: no place) of each ordinary direct answer
    hotspots: list[Hotspot] = field(default_factory=list)
    shortfalls: list[str] = field(default_factory=list)

    @property
    def ordinary(self) -> int:
        return self.direct - sum(sum(h.day_counts.values()) for h in self.hotspots)


def _hotspots(plan: MonthPlan, box: str) -> list[Hotspot]:
    if box != "hotline":
        return []
    spec, out = plan.spec, []
    for s in spec.raw.get("surges", []):
        lo, hi = s["days"]
        days = list(range(lo, hi + 1))
        shape = {d: (1.0 + 2.0 * i if s["key"] == "holiday_crowd" and i < 2 else 5.0 / (1 + i)) + 0.5
                 for i, d in enumerate(days)}
        items = largest_remainder(spec.n(s["direct"]), {(c, i): w for c, i, w in s["items"]})
        out.append(Hotspot(s["key"], {d: n for d, n in largest_remainder(spec.n(s["direct"]), shape).items() if n},
                           Urn(items), tuple([s["tag"]] if s.get("tag") else []), s.get("county"), s.get("street"),
                           s.get("road", ""), s.get("venue", ""), "旅游市场"))
    for c in spec.raw.get("clusters", []):
        n = spec.n(c["direct"])
        if n:
            out.append(Hotspot(c["topic"], {c["day"]: n}, Urn({(c["item"][0], c["item"][1]): n}), (),
                               c.get("county"), c.get("street"), c.get("road", "")))
    return out


def build_intake(plan: MonthPlan, box: str, county_due: dict[str, int]) -> Intake:
    spec, conf = plan.spec, plan.spec.box(box)
    received = spec.n(conf["received"])
    orders = plan.dispatched_may(box)
    direct = received - orders
    hotspots = _hotspots(plan, box)
    shortfalls: list[str] = []
    if direct < 0:
        raise ValueError(f"{box}: {orders} orders planned but only {received} cases received")
    tag_counts, tag_reserved = _direct_tags(plan, box)
    reserved: Counter[Item] = Counter()
    for h in hotspots:
        reserved.update(h.items.left())
    for urn in tag_reserved.values():
        reserved.update(urn)
    totals = _direct_items(plan, box, direct, reserved, shortfalls)
    general = Counter(totals)
    general.subtract(reserved)
    if any(n < 0 for n in general.values()):
        raise ValueError(f"{box}: reserved subjects exceed the direct answers available")
    general[None] = direct - sum(totals.values())  # type: ignore[index]
    ordinary = direct - sum(sum(h.day_counts.values()) for h in hotspots)
    tags: dict[str | None, int] = {t: n for t, n in tag_counts.items()}
    tags[None] = ordinary - sum(tag_counts.values())
    appeals_d, appeals_o = _appeals(plan, box, received, orders)
    channels_d, channels_o = _channels(conf, received, orders)
    return Intake(box, received, direct, Urn(+general), {t: Urn(c) for t, c in tag_reserved.items()}, Urn(tags),
                  Urn(appeals_d), Urn(appeals_o), Urn(channels_d), Urn(channels_o),
                  Urn(_regions(plan, box, ordinary, county_due)), hotspots, shortfalls)


def _direct_tags(plan: MonthPlan, box: str) -> tuple[dict[str, int], dict[str, Counter[Item]]]:
    """Direct answers per special-line tag, and the subjects reserved for those that publish them."""
    counts: dict[str, int] = {}
    reserved: dict[str, Counter[Item]] = {}
    if box != "hotline":
        return counts, reserved
    ordered = Counter(t for sp in plan.specials if sp.box == box and sp.sig.origin == "may" for t in sp.tags)
    for tag, conf in plan.spec.raw.get("special_lines", {}).items():
        n = max(0, plan.spec.n(conf["calls"]) - ordered[tag])
        counts[tag] = n
        weights: dict[Item, float] = {}
        if conf.get("themes"):
            weights = {(c, i): w for c, i, w in conf["themes"]}
        elif conf.get("subjects"):
            placed = Counter(sp.item[0] for sp in plan.specials if tag in sp.tags and sp.item)
            for top, total in conf["subjects"].items():
                left = max(0, plan.spec.n(total) - placed[top])
                inside = {i: w for i, w in plan.city_mix.items() if i[0] == top}
                if top == "政务服务类":  # 开办企业 is filed under 行政审批
                    inside = {(top, "行政审批"): 1.0}
                for item, k in largest_remainder(left, inside).items():
                    reserved.setdefault(tag, Counter())[item] += k
            continue
        if weights:
            reserved[tag] = Counter(largest_remainder(n, weights))
    for tag, items in reserved.items():
        if sum(items.values()) > counts.get(tag, 0):
            over = sum(items.values()) - counts[tag]
            for item in sorted(items, key=lambda i: -items[i]):
                cut = min(over, items[item])
                items[item] -= cut
                over -= cut
        reserved[tag] = +items
    return counts, reserved


def _direct_items(plan: MonthPlan, box: str, direct: int, reserved: Counter[Item],
                  shortfalls: list[str]) -> Counter[Item]:
    """Subject items of all direct answers (categorised ones), so that the city totals are met."""
    conf = plan.spec.box(box)
    dispatched = plan.dispatched_items.get(box, Counter())
    if "categories" not in conf:
        return Counter(largest_remainder(direct, plan.city_mix))
    hot = {i: plan.spec.n(n) for i, n in conf.get("items", {}).items()}
    out: Counter[Item] = Counter()
    for top, total in conf["categories"].items():
        want = plan.spec.n(total) - sum(n for i, n in dispatched.items() if i[0] == top)
        if want < 0:
            shortfalls.append(f"{top}: orders alone exceed the published count by {-want}")
            want = 0
        items = [i for i in plan.city_mix if i[0] == top]
        fixed = {i: max(0, hot[i[1]] - dispatched[i]) for i in items if i[1] in hot}
        for i, n in fixed.items():
            if reserved[i] > n:
                shortfalls.append(f"{i[1]}: reserved {reserved[i]} > {n}")
        free = [i for i in items if i not in fixed]
        room = want - sum(fixed.values())
        held = sum(reserved[i] for i in free)
        if room < held:
            shortfalls.append(f"{top}: published hot items leave {room} for the other items")
        rest = largest_remainder(max(0, room - held), {i: plan.city_mix[i] for i in free})
        for i in items:
            out[i] = fixed.get(i, reserved[i] + rest.get(i, 0))
    return +out


def _appeals(plan: MonthPlan, box: str, received: int, orders: int) -> tuple[dict[str, int], dict[str, int]]:
    conf = plan.spec.box(box)
    weights = conf.get("appeal_types") or LETTER_APPEALS
    if conf.get("exact_appeal_types"):
        totals = {k: plan.spec.n(v) for k, v in weights.items()}
        diff = received - sum(totals.values())
        totals[max(totals, key=lambda k: totals[k])] += diff
    else:
        totals = largest_remainder(received, weights)
    mix = {k: v for k, v in DISPATCH_APPEALS.items() if k in totals} if box == "hotline" else dict(weights)
    disp = largest_remainder(orders, mix)
    for k in list(disp):
        cap = totals[k] if k != "invalid" else 0
        over = disp[k] - cap
        if over > 0:
            disp[k] = cap
            for other in sorted(totals, key=lambda x: -(totals[x] - disp.get(x, 0))):
                if other == "invalid":
                    continue
                room = totals[other] - disp.get(other, 0)
                move = min(room, over)
                disp[other] = disp.get(other, 0) + move
                over -= move
                if not over:
                    break
    direct = {k: totals[k] - disp.get(k, 0) for k in totals}
    return direct, disp


def _channels(conf: dict[str, Any], received: int, orders: int) -> tuple[dict[str, int], dict[str, int]]:
    channels: dict[str, int] = conf["channels"]
    scale = received / max(1, sum(channels.values()))
    totals = largest_remainder(received, channels) if abs(scale - 1) > 1e-9 else dict(channels)
    if "phone" in totals:
        disp = {k: min(round(UPPER_DISPATCHED * n), orders) for k, n in totals.items() if k != "phone"}
        disp["phone"] = orders - sum(disp.values())
    else:
        disp = largest_remainder(orders, totals)
    return {k: totals[k] - disp.get(k, 0) for k in totals}, disp


def _regions(plan: MonthPlan, box: str, count: int, county_due: dict[str, int]) -> dict[str | None, int]:
    conf = plan.spec.box(box)
    fixed = {c: max(0, plan.spec.n(n) - county_due.get(c, 0)) for c, n in conf.get("counties", {}).items()}
    rest = count - sum(fixed.values())
    if conf.get("departments_unattributed"):
        weights: dict[str | None, float] = dict(XIANGTAN_URBAN)
    else:
        weights = {c: float(n) for c, n in county_due.items()}
        weights[None] = UNATTRIBUTED * sum(weights.values())
    out: dict[str | None, int] = dict(fixed)
    for k, n in largest_remainder(max(0, rest), weights).items():
        out[k] = out.get(k, 0) + n
    return out
