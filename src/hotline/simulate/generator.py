"""Streams the month as exchange-format case lines, day by day (the day a case is received).

Per day only that day's cases are held (as small stubs, then one line at a time), plus the cases
whose repeat calls are still to come: a case's line is written once its history is complete, which
includes the `absorb` events of the repeat calls merged into it, and its repeat calls follow it.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hotline.simulate.cases import Life, Period, Sig, Staff, Texts
from hotline.simulate.month import MonthPlan, spread
from hotline.simulate.history import Baseline
from hotline.simulate.places import Places
from hotline.simulate.plan import Item, Special
from hotline.simulate.pools import DISPATCH_APPEALS, Intake, Urn
from hotline.simulate.text import Writer
from hotline.simulate.timeline import HOUR, SECOND, TZ, History, Step, iso

HOURS = [0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 1, 2, 4, 4.5, 4.5, 4, 3, 3, 4, 4.2, 4.2, 4, 3, 2.5, 2.3, 2, 1.5, 0.8]
PREV_ORIGINS = frozenset({"carry", "carry_verify", "intake_prev", "redispatch_prev", "old"})
CONFIDENTIAL = 0.03
URGENT, VERY_URGENT = 0.03, 0.003
INVALID_REASONS = ["来电人未反映具体诉求", "误拨", "骚扰来电", "来电无声", "测试来电"]


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@dataclass(eq=False)
class Stub:
    kind: str  # order | direct | invalid | repeat
    box: str
    received: dt.datetime
    unit: str = ""
    sig: Sig | None = None
    special: Special | None = None
    t_first: dt.datetime | None = None
    t0: dt.datetime | None = None
    channel: str = "phone"
    hotspot: Any = None
    target: Any = None  # for a repeat: the held case it repeats
    number: str = ""
    leader: bool = False
    period: Period | None = None  # a baseline month's period (None: the simulated month)


@dataclass(eq=False)
class Held:
    """A written-out case waiting for its repeat calls to be numbered."""

    line: dict[str, Any]
    waiting: int
    repeats: list[tuple[dt.datetime, str, str]] = field(default_factory=list)  # (merge time, number, operator)
    repeat_lines: list[dict[str, Any]] = field(default_factory=list)


class Generator:
    def __init__(self, plan: MonthPlan, intake: dict[str, Intake], places: Places, writer: Writer, staff: Staff,
                 seed: int, history: int = 0) -> None:
        self.plan, self.intake, self.places, self.writer, self.staff = plan, intake, places, writer, staff
        self.seed, self.period, self.year = seed, plan.period, plan.period.start.year
        self.key = f"{seed}:{plan.spec.key}:{plan.spec.scale}"
        self.unit_items = {key: Urn(dict(up.items)) for key, up in sorted(plan.units.items())}
        self.mix_items = list(plan.city_mix)
        self.mix_weights = [plan.city_mix[i] for i in self.mix_items]
        self.repeat_share = float(plan.spec.raw.get("repeat_share", 0))
        self.invalid_share = float(plan.spec.raw.get("invalid_share", 0))
        self.pending_repeats: dict[dt.date, list[Stub]] = defaultdict(list)
        self.counters: dict[str, int] = defaultdict(int)
        self.cases = 0
        leader = plan.spec.raw.get("leader_day")
        self.leader_day = (dt.date.fromisoformat(leader["date"]), plan.spec.n(leader["calls"])) if leader else None
        rng = random.Random(f"{self.key}:direct")
        weights = {d: (0.55 if not plan.clock.calendar.is_workday(d) else 1.0) for d in self.period.days}
        self.direct_days = {box: spread(rng, it.ordinary, self.period.days, weights) for box, it in intake.items()}
        self.baseline = Baseline(self, history) if history else None
        self.base_mix = {box: self._usual_mix(box) for box in intake}

    def _usual_mix(self, box: str) -> tuple[list[Item], list[float]]:
        """The month's subjects without its hotspots: what a baseline month is asked about."""
        mix: Counter[Item] = Counter(self.plan.dispatched_items.get(box, Counter()))
        for sp in self.plan.specials:
            if sp.box == box and sp.item and sp.topic in self._hotspot_topics:
                mix[sp.item] -= 1
        mix.update({k: n for k, n in self.intake[box].items.left().items() if k is not None})
        for urn in self.intake[box].tag_items.values():
            mix.update(urn.left())
        items = sorted(k for k, n in mix.items() if n > 0)
        return items, [float(mix[k]) for k in items]

    @property
    def _hotspot_topics(self) -> set[str]:
        raw = self.plan.spec.raw
        return {c["key"] for c in raw.get("surges", [])} | {c["topic"] for c in raw.get("clusters", [])}

    # --- the stream ---------------------------------------------------------------------------------

    def lines(self) -> Iterator[dict[str, Any]]:
        rng = random.Random(f"{self.key}:specials")
        by_day: dict[dt.date, list[Stub]] = defaultdict(list)
        for day, specials in sorted(self.plan.day_specials.items()):
            for sp in specials:
                stub = self._order_stub(rng, sp.box, sp.unit, sp.sig, day, sp)
                by_day[stub.received.date()].append(stub)
        for sp in self.plan.specials:
            if sp.sig.origin == "old":
                stub = self._old_stub(rng, sp)
                by_day[stub.received.date()].append(stub)
        for day, entries in sorted(self.plan.day_orders.items()):
            for box, code, sig, n in entries:
                if sig.origin in PREV_ORIGINS:
                    for _ in range(n):
                        stub = self._order_stub(rng, box, code, sig, day, None)
                        by_day[stub.received.date()].append(stub)
        month_days = set(self.period.days)
        before = {d for d in by_day if d not in month_days} | (self.baseline.days() if self.baseline else set())
        for day in sorted(before):
            day_rng = random.Random(f"{self.key}:{day}")
            stubs = by_day.pop(day, []) + (self.baseline.stubs(day, day_rng) if self.baseline else [])
            yield from self._day(day, stubs, day_rng)
        for day in self.period.days:
            day_rng = random.Random(f"{self.key}:{day}")
            stubs = by_day.pop(day, []) + self._month_stubs(day, day_rng)
            yield from self._day(day, stubs, day_rng)
        for day in sorted(self.pending_repeats):
            if self.pending_repeats[day]:
                yield from self._day(day, [], random.Random(f"{self.key}:{day}"))

    def _month_stubs(self, day: dt.date, rng: random.Random) -> list[Stub]:
        stubs: list[Stub] = []
        for box, code, sig, n in self.plan.day_orders.get(day, []):
            if sig.origin not in PREV_ORIGINS:
                stubs.extend(self._order_stub(rng, box, code, sig, day, None) for _ in range(n))
        for box, intake in self.intake.items():
            for _ in range(self.direct_days[box].get(day, 0)):
                stubs.append(Stub("direct", box, self._intraday(rng, day), channel=intake.channels_direct.draw(rng)))
            for hs in intake.hotspots:
                for _ in range(hs.day_counts.get(day.day, 0)):
                    stubs.append(Stub("direct", box, self._intraday(rng, day), channel=intake.channels_direct.draw(rng),
                                      hotspot=hs))
        invalid = int(self.invalid_share * len(stubs) + rng.random())
        stubs.extend(Stub("invalid", "hotline", self._intraday(rng, day)) for _ in range(invalid))
        return stubs

    def _intraday(self, rng: random.Random, day: dt.date) -> dt.datetime:
        hour = rng.choices(range(24), weights=HOURS)[0]
        return dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=TZ)

    def _order_stub(self, rng: random.Random, box: str, code: str, sig: Sig, day: dt.date,
                    sp: Special | None) -> Stub:
        day_start = dt.datetime.combine(day, dt.time(0), tzinfo=TZ)
        t0 = (day_start + dt.timedelta(hours=rng.uniform(8.5, 20.5))).replace(microsecond=0)
        if sp is not None and sp.days:
            t0 = t0.replace(hour=min(t0.hour, 17))
        hops = len(sp.hops) if sp else 0
        t_first = t0 - dt.timedelta(hours=rng.uniform(20, 31.5) * hops) if hops else t0
        channel = "phone" if box == "hotline" else "mayor_mailbox"
        if sig.origin == "may":
            channel = self.intake[box].channels_orders.draw(rng)
        first_day = dt.datetime.combine(t_first.date(), dt.time(0), tzinfo=TZ)
        if sig.origin == "intake_prev":
            received = self.period.start - dt.timedelta(seconds=rng.randrange(60, 6 * 3600))
        elif sig.origin == "redispatch_prev":
            t_first = self.period.start - dt.timedelta(hours=rng.uniform(2, 72))
            received = t_first - dt.timedelta(hours=rng.uniform(0.2, 5))
        elif channel == "phone":
            night = t_first.hour < 10 and rng.random() < 0.3
            delay = rng.uniform(1, 8) if night else rng.uniform(0.05, 3)
            received = max(t_first - dt.timedelta(hours=delay), first_day + dt.timedelta(minutes=rng.randrange(30)))
        else:
            received = max(t_first - dt.timedelta(hours=rng.uniform(1, 20)), first_day)
        received = min(received, t_first - dt.timedelta(minutes=2)).replace(microsecond=0)
        return Stub("order", box, received, code, sig, sp, t_first.replace(microsecond=0), t0, channel)

    def _old_stub(self, rng: random.Random, sp: Special) -> Stub:
        year, month = (int(x) for x in sp.old_month.split("-"))
        day = dt.date(year, month, rng.randint(5, 25))
        received = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randrange(60)), tzinfo=TZ)
        t0 = received + dt.timedelta(hours=rng.uniform(0.3, 3))
        return Stub("order", sp.box, received, sp.unit, sp.sig, sp, t0.replace(microsecond=0),
                    t0.replace(microsecond=0), "phone")

    # --- one day ------------------------------------------------------------------------------------

    def _day(self, day: dt.date, stubs: list[Stub], rng: random.Random) -> Iterator[dict[str, Any]]:
        stubs = stubs + self.pending_repeats.pop(day, [])
        stubs.sort(key=lambda s: s.received)
        for s in stubs:
            prefix = ("XX" if s.box == "mailbox" else "RX") + s.received.strftime("%Y%m%d")
            self.counters[prefix] += 1
            s.number = f"{prefix}{self.counters[prefix]:06d}"
        if self.leader_day and self.leader_day[0] == day:
            taken = 0
            for s in stubs:
                local = s.received.astimezone(TZ)
                if taken < self.leader_day[1] and s.kind in ("order", "direct") and s.channel == "phone" \
                        and 9 <= local.hour < 12 and (s.sig is None or s.sig.origin == "may"):
                    s.leader = True
                    taken += 1
        for s in stubs:
            if s.kind == "repeat":
                yield from self._repeat(s, rng)
                continue
            line = self._case(s, rng)
            self.cases += 1
            repeats = self._plan_repeats(s, line, rng)
            if repeats:
                held = Held(line, len(repeats))
                for when in repeats:
                    self.pending_repeats[when.date()].append(Stub("repeat", s.box, when, target=held))
            else:
                yield line

    def _plan_repeats(self, s: Stub, line: dict[str, Any], rng: random.Random) -> list[dt.datetime]:
        if s.kind != "order" or s.sig is None or s.sig.origin != "may" or rng.random() >= self.repeat_share:
            return []
        replies = [e["at"] for e in line["events"] if e["kind"] in ("reply", "close")]
        assert s.t0 is not None
        bounds = [s.t0 + dt.timedelta(days=6), self.period.cutoff - HOUR]
        if replies:
            bounds.append(dt.datetime.fromisoformat(replies[0]))
        until = min(bounds)
        start = dt.datetime.combine(s.received.date() + dt.timedelta(days=1), dt.time(8), tzinfo=TZ)
        if until <= start:
            return []
        count = 2 if rng.random() < 0.15 else 1
        span = (until - start).total_seconds()
        return sorted((start + dt.timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)
                      for _ in range(count))

    def _repeat(self, s: Stub, rng: random.Random) -> Iterator[dict[str, Any]]:
        held: Held = s.target
        target = held.line
        operator = rng.choice(self.staff.operators)
        merged_at = s.received + dt.timedelta(seconds=rng.randrange(120, 600))
        steps = [Step("create", s.received, operator, "operator", data={"channel": "phone"}),
                 Step("merge", merged_at, operator, "operator", data={"into": target["number"]})]
        line = self._line(s, History(self.plan.clock, s.box, target["appeal_type"], "normal", self.period.cutoff),
                          steps, {k: target[k] for k in ("citizen_name", "citizen_phone", "confidential", "title",
                                                          "address", "region", "appeal_type", "category")},
                          content="再次来电反映：" + target["content"][:300], merged_into=target["number"])
        self.cases += 1
        held.repeats.append((merged_at, s.number, operator))
        held.repeat_lines.append(line)
        held.waiting -= 1
        if held.waiting == 0:
            yield _absorb(target, held.repeats)
            yield from held.repeat_lines

    # --- lines ------------------------------------------------------------------------------------

    def _case(self, s: Stub, rng: random.Random) -> dict[str, Any]:
        if s.kind == "invalid":
            operator = rng.choice(self.staff.operators)
            steps = [Step("create", s.received, operator, "operator", data={"channel": "phone"}),
                     Step("mark_invalid", s.received + dt.timedelta(seconds=rng.randrange(30, 240)), operator,
                          "operator", rng.choice(INVALID_REASONS))]
            name, phone = self.writer.citizen(rng)
            return self._line(s, History(self.plan.clock, s.box, None, "normal", self.period.cutoff), steps,
                              {"citizen_name": name, "citizen_phone": phone, "title": "无效来电"}, content="无效来电")
        if s.kind == "direct":
            return self._direct(s, rng)
        if s.kind == "base_direct":
            assert self.baseline is not None
            return self.baseline.direct_line(s, rng)
        return self._order(s, rng)

    def _creator(self, s: Stub, rng: random.Random) -> tuple[str | None, str]:
        if s.leader:
            return self.staff.leader, "leader"
        if s.channel == "phone":
            return rng.choice(self.staff.operators), "operator"
        return None, "system"

    def _direct(self, s: Stub, rng: random.Random) -> dict[str, Any]:
        intake = self.intake[s.box]
        tags: list[str] = []
        hs = s.hotspot
        if hs is not None:
            item = hs.items.draw(rng)
            tags = list(hs.tags) if item and item[1] == hs.tag_item else []
            county, street, topic = hs.county, hs.street, hs.topic
        else:
            tag = intake.tags.draw(rng)
            tags = [tag] if tag else []
            reserved = intake.tag_items.get(tag)
            item = reserved.draw(rng) if reserved is not None and reserved.total else intake.items.draw(rng)
            county, street, topic = intake.regions.draw(rng), None, tag or ""
        if s.leader:
            tags.append("leader_day")
        appeal = intake.appeals_direct.draw(rng)
        actor, role = self._creator(s, rng)
        place = self.places.place(rng, county, street)
        # An uncategorised answer (the operator filed no subject) still has something to say.
        said = item or rng.choices(self.mix_items, weights=self.mix_weights)[0]
        title, content = self.writer.case(item=said, topic=topic, rng=rng, year=self.year, county=county,
                                          phone=s.channel == "phone", direct=True, when=s.received.date(),
                                          street=street or "", road=getattr(hs, "road", ""),
                                          venue=getattr(hs, "venue", ""))
        answer = self.writer.answer(item=said, topic=topic, rng=rng, year=self.year, county=county,
                                    venue=getattr(hs, "venue", ""))
        answerer = actor if role in ("operator", "leader") else rng.choice(self.staff.dispatchers)
        steps = [Step("create", s.received, actor, role, data={"channel": s.channel}),
                 Step("answer", s.received + dt.timedelta(seconds=rng.randrange(120, 900)), answerer,
                      "dispatcher" if answerer in self.staff.dispatchers else role, data={"text": answer})]
        name, phone = self.writer.citizen(rng)
        return self._line(s, History(self.plan.clock, s.box, appeal, "normal", self.period.cutoff), steps, {
            "citizen_name": name, "citizen_phone": phone, "confidential": rng.random() < CONFIDENTIAL,
            "title": title, "address": place.address, "region": place.code, "appeal_type": appeal,
            "category": _category(item), "tags": sorted(set(tags)),
        }, content=content)

    def _order(self, s: Stub, rng: random.Random) -> dict[str, Any]:
        sig, sp = s.sig, s.special
        assert sig is not None and s.t0 is not None and s.t_first is not None
        key = (s.box, s.unit)
        up = self.plan.units[key]
        if sp is not None and sp.item:
            item: Item | None = sp.item
        elif sig.origin == "may":
            item = self.unit_items[key].draw(rng)
        else:
            item = rng.choices(list(up.mix), weights=list(up.mix.values()))[0]
        appeal = self.intake[s.box].appeals_orders.draw(rng) if sig.origin == "may" else \
            rng.choices(list(DISPATCH_APPEALS), weights=list(DISPATCH_APPEALS.values()))[0]
        urgency = "normal"
        simple = (sig.origin == "may" and sig.reply == "ontime" and not sig.ext and not sig.rework
                  and sig.cb in ("sat", "unsat", "unreach") and sig.chain != "rs" and sp is None)
        if simple:
            u = rng.random()
            urgency = "very_urgent" if u < VERY_URGENT else "urgent" if u < URGENT else "normal"
        topic = sp.topic if sp else ""
        county, street = self.places.county_for(rng, s.unit)
        fixed = self._hotspot_place(topic) if topic else None
        if fixed:
            county, street = fixed
        place = self.places.place(rng, county, street)
        unit_name = self.plan.names[s.unit]
        hops = list(sp.hops) if sp else []
        if sig.origin == "redispatch_prev":
            others = [c for (b, c) in self.plan.units if b == s.box and c != s.unit]
            hops = [rng.choice(sorted(others))] if others else []
        period = s.period or self.period
        life = Life(self.plan.clock, period, self.staff, rng, s.box, appeal, urgency, sig, s.unit,
                    Texts(reply=self.writer.fill(self.writer.reply(item, unit_name, rng), rng, year=self.year,
                                                 county=county)),
                    names=self.plan.names, hops=hops)
        actor, role = self._creator(s, rng)
        steps = [Step("create", s.received, actor, role, data={"channel": s.channel})]
        steps += life.hop_steps(s.t_first, s.t0)
        steps += life.steps(s.t0)
        if sig.origin == "old":
            steps += self._old_supervision(s, life, rng)
        venue = self._venue(topic)
        title, content = self.writer.case(item=item, topic=topic, rng=rng, year=self.year, county=county,
                                          phone=s.channel == "phone", direct=False, when=s.received.date(),
                                          street=street or "", venue=venue, road=self._road(topic))
        tags = set(sp.tags) if sp else set()
        if s.leader:
            tags.add("leader_day")
        name, phone = self.writer.citizen(rng)
        return self._line(s, History(self.plan.clock, s.box, appeal, urgency, period.cutoff), steps, {
            "citizen_name": name, "citizen_phone": phone, "confidential": rng.random() < CONFIDENTIAL,
            "title": title, "address": place.address, "region": place.code, "appeal_type": appeal,
            "category": _category(item), "tags": sorted(tags), "urgency": urgency,
        }, content=content)

    def _hotspot_place(self, topic: str) -> tuple[str | None, str | None] | None:
        for conf in self.plan.spec.raw.get("surges", []) + self.plan.spec.raw.get("clusters", []):
            if conf.get("key", conf.get("topic")) == topic and conf.get("county"):
                return conf["county"], conf.get("street")
        return None

    def _road(self, topic: str) -> str:
        """The road a planted surge happens on ("" for the others: each case gets a random road)."""
        for conf in self.plan.spec.raw.get("clusters", []):
            if conf["topic"] == topic:
                return str(conf.get("road", ""))
        return ""

    def _venue(self, topic: str) -> str:
        for conf in self.plan.spec.raw.get("surges", []):
            if conf["key"] == topic:
                return conf.get("venue", "")
        return ""

    def _old_supervision(self, s: Stub, life: Life, rng: random.Random) -> list[Step]:
        """An old open case is supervised as overdue once a month, the last time this month."""
        assert s.t0 is not None
        out, at = [], s.t0 + dt.timedelta(days=20)
        while at < self.period.start:
            out.append(Step("supervise", at.replace(hour=rng.randint(9, 16), minute=rng.randrange(60), second=0),
                            rng.choice(self.staff.supervisors), "supervisor", "工单超期未办结，督促承办单位尽快办理"))
            at += dt.timedelta(days=30)
        last = self.period.start + dt.timedelta(days=rng.randint(10, 20), hours=rng.randint(9, 16))
        out.append(Step("supervise", last, rng.choice(self.staff.supervisors), "supervisor",
                        "工单自受理以来一直未办结，严重超期，再次督办"))
        return out

    def _line(self, s: Stub, history: History, steps: list[Step], fields: dict[str, Any], *, content: str,
              merged_into: str | None = None) -> dict[str, Any]:
        history.replay(steps)
        channel = s.channel if s.kind != "repeat" else "phone"
        return {
            "number": s.number, "box": s.box, "channel": channel,
            "citizen_name": fields.get("citizen_name", ""), "citizen_phone": fields.get("citizen_phone", ""),
            "confidential": bool(fields.get("confidential", False)), "title": fields.get("title", ""),
            "content": content, "address": fields.get("address", ""), "region": fields.get("region"),
            "appeal_type": fields.get("appeal_type"), "category": fields.get("category"),
            "tags": fields.get("tags", []), "urgency": fields.get("urgency", "normal"), "unit": history.unit,
            "co_units": history.co_units, "status": history.status, "received_at": iso(s.received),
            "dispatched_at": iso(history.dispatched_at) if history.dispatched_at else None,
            "deadline": iso(history.deadline) if history.deadline else None,
            "deadline_fallback": history.fallback, "extension_pending": history.pending,
            "overdue": history.overdue, "reminded": history.reminded, "merged_into": merged_into,
            "source": "simulate", "idempotency_key": None, "external_id": _external_id(channel, s.number),
            "events": history.events,
        }


def _category(item: Item | None) -> dict[str, Any] | None:
    return None if item is None else {"taxonomy": "yueyang", "path": [item[0], item[1]]}


UPPER = {"state_council": "GWY", "national_platform": "GJZW", "governor_mailbox": "SZXX", "people_daily": "RMW",
         "provincial_12345": "SJ12345", "xiangyiban": "XYB"}


def _external_id(channel: str, number: str) -> str:
    return f"{UPPER[channel]}-{number[2:]}" if channel in UPPER else ""


def _absorb(line: dict[str, Any], repeats: list[tuple[dt.datetime, str, str]]) -> dict[str, Any]:
    """The case's history with the absorb events of its merged repeat calls, in time order."""
    events = list(line["events"])
    for at, number, operator in sorted(repeats):
        stamp = iso(at)
        pos = len(events)
        while pos > 0 and events[pos - 1]["at"] > stamp:
            pos -= 1
        before = events[pos - 1]
        events.insert(pos, {"seq": 0, "kind": "absorb", "at": stamp, "actor": operator, "actor_role": "operator",
                            "from_status": before["to_status"], "to_status": before["to_status"],
                            "unit": before["unit"], "reason": "", "data": {"repeat": number}})
    for i, e in enumerate(events, start=1):
        e["seq"] = i
    line["events"] = events
    return line
