"""Planted surges (`hotline simulate --plant-surge DAY:TOPIC[:CALLS]`): a known spike to test surge alerts on.

A planted surge copies one of the month's clusters (its unit, subject item and county) onto another day,
with a fixed size in calls whatever the scale, all on one road so that the place stands out as well as
the subject. Like every hotspot it is carved out of the month's planned volumes: the city's and each
unit's published figures stay exactly as they were; only where the calls fall changes.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hotline.simulate.spec import MonthSpec, SimulationError

PLANT = re.compile(r"^(?P<day>\d{1,2}):(?P<topic>[a-z_]+)(?::(?P<calls>\d{1,4}))?$")
DEFAULT_CALLS = 15
ORDER_SHARE = Decimal("0.3")  # of the planted calls become work orders; the rest are answered directly
MARK = "@planted"  # topic suffix: the texts are those of the copied topic (see text.Writer.case)


@dataclass(frozen=True)
class Plant:
    day: int
    topic: str
    calls: int

    @property
    def key(self) -> str:
        return f"{self.topic}{MARK}{self.day}"


def parse(text: str) -> Plant:
    """"DAY:TOPIC[:CALLS]" -> Plant; a malformed value is a SimulationError naming --plant-surge."""
    m = PLANT.match(text.strip())
    if not m:
        raise SimulationError(f"{text!r} is not DAY:TOPIC[:CALLS] (e.g. 24:water_cut:15)", field="plant-surge")
    calls = int(m["calls"]) if m["calls"] else DEFAULT_CALLS
    if calls < 1:
        raise SimulationError("a planted surge needs at least 1 call", field="plant-surge")
    return Plant(day=int(m["day"]), topic=m["topic"], calls=calls)


def topics(spec: MonthSpec) -> list[str]:
    """The topics a surge can be planted with in this month: its clusters'."""
    return sorted({c["topic"] for c in spec.raw.get("clusters", []) if MARK not in c["topic"]})


def plant(spec: MonthSpec, plants: list[Plant]) -> None:
    """Adds the planted surges to the month's clusters (a copy: the shared scenario data stays as read)."""
    if not plants:
        return
    days = calendar.monthrange(spec.month.year, spec.month.month)[1]
    base = {c["topic"]: c for c in spec.raw.get("clusters", [])}
    added: list[dict[str, Any]] = []
    for p in plants:
        if p.topic not in base:
            raise SimulationError(f"no topic {p.topic!r} in {spec.key}; choose one of {', '.join(topics(spec))}",
                                  field="plant-surge")
        if not 1 <= p.day <= days:
            raise SimulationError(f"day {p.day} is not in {spec.month:%Y-%m} (1-{days})", field="plant-surge")
        orders = int((p.calls * ORDER_SHARE).to_integral_value())
        added.append({**base[p.topic], "topic": p.key, "day": p.day, "road": _road(spec, len(added)),
                      # counts are scaled by spec.n(): divide by the scale so that the size stays as asked
                      "direct": Decimal(p.calls - orders) / spec.scale, "orders": Decimal(orders) / spec.scale})
    spec.raw = {**spec.raw, "clusters": list(spec.raw.get("clusters", [])) + added}


def _road(spec: MonthSpec, i: int) -> str:
    roads = spec.raw.get("roads") or ["建设路"]
    return str(roads[(7 * i + 3) % len(roads)])
