"""What a simulated month must reproduce: the published figures, scaled, and each unit's exact targets.

The city figures and the month's scenario are package data (data/months.json); the per-unit figures
are the directory's calibration files (the same files the city profiles are seeded from). Counts are
scaled with round-half-up; rates (Xiangtan's satisfaction percentages) are kept and turned into
counts here, so the rest of the simulator only ever deals with whole cases.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from importlib.resources import files
from typing import Any

from hotline.directory.seeds import city_unit_rows, data_csv

CENT = Decimal("0.01")


class SimulationError(ValueError):
    """The simulation cannot be set up as asked; `field` names the offending input."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def data_json(name: str) -> Any:
    return json.loads((files("hotline.simulate.data") / name).read_text(encoding="utf-8"))


def scaled(count: int | float, scale: Decimal) -> int:
    """round_half_up(count * scale)."""
    return int((Decimal(str(count)) * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rate_text(numerator: int, denominator: int) -> Decimal:
    """100 * n / d rounded half-up to 2 decimals, as the bulletins print rates (0 when d == 0)."""
    if denominator == 0:
        return Decimal(0).quantize(CENT)
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def largest_remainder(total: int, weights: Mapping[Any, float | Fraction]) -> dict[Any, int]:
    """Split `total` into whole parts proportional to `weights` (Hamilton's method, ties by key order)."""
    positive = {k: Fraction(w) for k, w in weights.items() if w > 0}
    whole = sum(positive.values(), Fraction(0))
    if total <= 0 or whole == 0:
        return {k: 0 for k in weights}
    exact = {k: w * total / whole for k, w in positive.items()}
    parts = {k: int(v) for k, v in exact.items()}
    left = total - sum(parts.values())
    order = sorted(exact, key=lambda k: (-(exact[k] - parts[k]), list(positive).index(k)))
    for k in order[:left]:
        parts[k] += 1
    return {k: parts.get(k, 0) for k in weights}


@dataclass
class UnitTarget:
    """One unit's planned month in one box; every count here is reproduced exactly."""

    name: str
    code: str
    group: str
    box: str
    due: int
    done: int
    on_time: int
    reworked: int
    callbacks: int  # answered callbacks in the month (satisfied, basic or unsatisfied)
    satisfied: int
    extended: int | None = None  # None: not published, the simulation chooses
    contacted: int | None = None
    returned: int | None = None
    system: tuple[int, int] | None = None  # (answered SMS callbacks, of which satisfied)
    spot: tuple[int, int] | None = None  # (answered manual callbacks, of which satisfied)
    exact: tuple[str, ...] = ()  # the metrics of hotline.workorders.metrics this target fixes

    @property
    def unsatisfied(self) -> int:
        return self.callbacks - self.satisfied


@dataclass
class MonthSpec:
    key: str
    city: str
    month: dt.date
    scale: Decimal
    raw: dict[str, Any]
    units: dict[str, list[UnitTarget]] = field(default_factory=dict)  # box -> targets
    folded: dict[str, list[str]] = field(default_factory=dict)

    def box(self, box: str) -> dict[str, Any]:
        return self.raw["boxes"][box]

    @property
    def boxes(self) -> list[str]:
        return list(self.raw["boxes"])

    def n(self, count: int | float) -> int:
        return scaled(count, self.scale)


def available() -> list[str]:
    return sorted(k for k in data_json("months.json") if not k.startswith("_"))


def load_spec(*, city: str, month: str, scale: Decimal) -> MonthSpec:
    key = f"{city}:{month}"
    months = data_json("months.json")
    if key not in months:
        choices = "、".join(f"--city {k.split(':')[0]} --month {k.split(':')[1]}" for k in available())
        raise SimulationError(f"没有 {city} {month} 的公开数据可供模拟；可选：{choices}", field="month")
    if scale <= 0:
        raise SimulationError("--scale 必须大于 0", field="scale")
    year, mon = (int(x) for x in month.split("-"))
    spec = MonthSpec(key=key, city=city, month=dt.date(year, mon, 1), scale=scale, raw=months[key])
    rows, folded = city_unit_rows(city)
    spec.folded = folded
    codes = {r.name: (r.code, r.group) for r in rows}
    for box, conf in spec.raw["boxes"].items():
        spec.units[box] = _targets(spec, box, conf, codes)
    return spec


def _targets(spec: MonthSpec, box: str, conf: dict[str, Any],
             codes: dict[str, tuple[str, str]]) -> list[UnitTarget]:
    out: list[UnitTarget] = []
    seen: set[str] = set()
    for r in data_csv(f"calibration/{conf['calibration']}"):
        name = r["unit"].strip()
        if name in seen:  # 城陵矶新港区 is listed in two groups with the same figures: one unit
            continue
        seen.add(name)
        code, group = codes[name]
        n = {k: spec.n(int(v)) for k, v in r.items() if k not in ("unit", "group") and "." not in v}
        if conf["columns"] == "yueyang-hotline":
            out.append(UnitTarget(name, code, group, box, n["due"], n["done"], n["on_time"], n["reworked"],
                                  n["callbacks"], n["callbacks"] - n["unsatisfied"],
                                  exact=("due", "done", "on_time", "reworked", "callbacks", "unsatisfied")))
        elif conf["columns"] == "yueyang-mailbox":
            out.append(UnitTarget(name, code, group, box, n["due"], n["done"], n["on_time"], n["reworked"],
                                  n["callbacks"], n["satisfied"],
                                  exact=("due", "done", "on_time", "reworked", "callbacks", "satisfied")))
        elif conf["columns"] == "xiangtan-hotline":
            out.append(_xiangtan(name, code, group, box, r, n))
        else:
            raise SimulationError(f"unknown calibration columns {conf['columns']!r}", field="columns")
    return [t for t in out if t.due > 0]


def _xiangtan(name: str, code: str, group: str, box: str, r: dict[str, str], n: dict[str, int]) -> UnitTarget:
    orders = n["orders"]
    # About one order in ten answers the SMS survey, at most ~70 a month; the spot check reaches about
    # 30. These denominators reproduce the assessment spec's full-precision examples (38/69, 47/70,
    # 7/9) and bring the month's overall satisfaction to 67.34 % (published 67.45 %).
    system = satisfaction_counts(Decimal(r["system_satisfaction"]), target=min(70, max(1, round(orders * 0.1))),
                                 limit=orders)
    spot = satisfaction_counts(Decimal(r["spot_check_satisfaction"]), target=min(30, orders), limit=orders)
    callbacks = system[0] + spot[0]
    return UnitTarget(
        name, code, group, box, orders, orders, n["on_time"], 0, callbacks, system[1] + spot[1],
        extended=n["extended"], contacted=n["contacted"], returned=n["rejected"], system=system, spot=spot,
        exact=("due", "on_time", "extended", "contacted", "returned", "system_callbacks", "system_satisfied",
               "spot_callbacks", "spot_satisfied"),
    )


def satisfaction_counts(rate: Decimal, *, target: int, limit: int) -> tuple[int, int]:
    """(answered, satisfied) whose rate prints as `rate`, with `answered` as near `target` as possible.

    A rate of 0 with no natural denominator means nobody answered. Denominators are tried outward
    from the target (never above `limit`, the unit's orders, nor below 1).
    """
    rate = rate.quantize(CENT, rounding=ROUND_HALF_UP)
    if limit <= 0:
        return (0, 0)
    if rate == 0 and target <= 1:
        return (0, 0)
    target = min(max(target, 1), limit)
    for step in range(0, 2 * limit + 1):
        for d in (target - step, target + step) if step else (target,):
            if not 1 <= d <= limit:
                continue
            s = int((rate * d / 100).to_integral_value(rounding=ROUND_HALF_UP))
            for cand in (s - 1, s, s + 1):
                if 0 <= cand <= d and rate_text(cand, d) == rate:
                    return (d, cand)
    return (0, 0)
