"""Baseline months before the simulated one (`--history N`): the usual level that surges stand out from.

A baseline month has the simulated month's volume (a little less each month back) and its usual mix
of subjects, without its hotspots. Its orders are simple (accepted, replied on time, called back
satisfied) and every step of them happens inside that month, so nothing of a baseline month reaches
the simulated month's metrics. Stubs are made one day at a time.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from hotline.simulate.cases import Life, Period, Sig, Texts, window
from hotline.simulate.month import day_weight, spread
from hotline.simulate.pools import LETTER_APPEALS
from hotline.simulate.timeline import TZ, History, Step

if TYPE_CHECKING:
    from hotline.simulate.generator import Generator, Stub

BASE = Sig("base", "ontime", cb="sat")
SHRINK = 0.03  # each month back has this much less volume


def month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


class Baseline:
    def __init__(self, gen: Generator, months: int) -> None:
        self.gen = gen
        self.direct: dict[str, dict[dt.date, int]] = {}
        self.orders: dict[str, dict[dt.date, int]] = {}
        self.periods: dict[dt.date, Period] = {}
        self.order_days: dict[tuple[str, dt.date], list[dt.date]] = {}
        plan, rng = gen.plan, random.Random(f"{gen.key}:history")
        first = plan.period.start.date()
        for box in plan.spec.boxes:
            self.direct[box], self.orders[box] = {}, {}
        for back in range(1, months + 1):
            start = month_start(first, back)
            end = month_start(first, back - 1)
            period = Period(dt.datetime.combine(start, dt.time(0), tzinfo=TZ),
                            dt.datetime.combine(end, dt.time(0), tzinfo=TZ),
                            dt.datetime.combine(end, dt.time(0), tzinfo=TZ))
            days = period.days
            weights = {d: day_weight(plan.clock, d) for d in days}
            for d in days:
                self.periods[d] = period
            for box, intake in gen.intake.items():
                factor = (1 - SHRINK * back) * rng.uniform(0.97, 1.03) * len(days) / len(plan.period.days)
                orders = round(plan.dispatched_may(box) * factor)
                self.direct[box].update(spread(rng, round(intake.direct * factor), days, weights))
                life = Life(plan.clock, period, gen.staff, rng, box, None, "normal", BASE, "", Texts(reply=""))
                fit = window(life, days)
                self.order_days[(box, start)] = fit
                self.orders[box].update(spread(rng, orders, fit, weights))
        self.units = {box: [(code, up.target.due) for (b, code), up in sorted(plan.units.items()) if b == box]
                      for box in plan.spec.boxes}

    def days(self) -> set[dt.date]:
        return set(self.periods)

    def stubs(self, day: dt.date, rng: random.Random) -> list[Stub]:
        from hotline.simulate.generator import Stub

        if day not in self.periods:
            return []
        out: list[Stub] = []
        for box in self.gen.plan.spec.boxes:
            for _ in range(self.direct[box].get(day, 0)):
                out.append(Stub("base_direct", box, self.gen._intraday(rng, day), channel=self._channel(box, rng)))
            units = self.units[box]
            for _ in range(self.orders[box].get(day, 0)):
                code = rng.choices([c for c, _ in units], weights=[w for _, w in units])[0]
                stub = self.gen._order_stub(rng, box, code, BASE, day, None)
                stub.period = self.periods[day]
                out.append(stub)
        return out

    def _channel(self, box: str, rng: random.Random) -> str:
        channels = self.gen.plan.spec.box(box)["channels"]
        return rng.choices(list(channels), weights=list(channels.values()))[0]

    def direct_line(self, s: Stub, rng: random.Random) -> dict[str, Any]:
        gen, conf = self.gen, self.gen.plan.spec.box(s.box)
        share = conf.get("categorised", conf["received"]) / conf["received"]
        items, weights_ = gen.base_mix[s.box]
        item = rng.choices(items, weights=weights_)[0]
        filed = item if rng.random() < share else None
        weights = conf.get("appeal_types") or LETTER_APPEALS
        appeal = rng.choices(list(weights), weights=list(weights.values()))[0] if s.box == "mailbox" else \
            rng.choices(["consultation", "help", "complaint", "other"], weights=[55, 30, 10, 5])[0]
        county = gen.places.county_for(rng, "")[0]
        place = gen.places.place(rng, county, None)
        actor, role = gen._creator(s, rng)
        answerer = actor if role == "operator" else rng.choice(gen.staff.dispatchers)
        title, content = gen.writer.case(item=item, topic="", rng=rng, year=s.received.year, county=county,
                                         phone=s.channel == "phone", direct=True, when=s.received.date())
        answer = gen.writer.answer(item=item, topic="", rng=rng, year=s.received.year, county=county)
        period = self.periods[s.received.date()]
        answered = min(s.received + dt.timedelta(seconds=rng.randrange(120, 900)), period.end - dt.timedelta(seconds=1))
        steps = [Step("create", s.received, actor, role, data={"channel": s.channel}),
                 Step("answer", answered, answerer, "operator" if role == "operator" else "dispatcher",
                      data={"text": answer})]
        name, phone = gen.writer.citizen(rng)
        return gen._line(s, History(gen.plan.clock, s.box, appeal, "normal", period.end), steps, {
            "citizen_name": name, "citizen_phone": phone, "title": title, "address": place.address,
            "region": place.code, "appeal_type": appeal, "category": {"taxonomy": "yueyang", "path": list(filed)}
            if filed else None,
        }, content=content)

