"""Times of a simulated case: deadlines as the product computes them, a small scheduler, and the replay
that turns the planned steps into the event history the transition service would have written.

- `Clock` computes deadlines exactly like `workcalendar.services.compute_deadline` (same rule lookup,
  same calendar arithmetic) with the lookups cached, and extensions like `_approve_extension`.
- `schedule` places a chain of steps after a start time so that every step respects its bounds
  (e.g. a reply before the deadline, a callback inside the month); `feasible` tells whether a chain
  fits at all, which is how the planner finds the days a case profile can be dispatched on.
- `History.replay` applies the steps in order, inserts the deadline sweep's `remind`/`overdue` events
  where the sweep (`hotline tick`, every TICK minutes) would have raised them, and records each
  event's statuses, unit and data the way `workorders.services.transition` does.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from hotline.workcalendar.models import DeadlineRule
from hotline.workcalendar.services import DEFAULT_WORKING_DAYS, WorkingCalendar, find_rule
from hotline.workorders.demo import daytime  # staff hours, shared with the demo

TZ = ZoneInfo(settings.TIME_ZONE)
HOUR = dt.timedelta(hours=1)
SECOND = dt.timedelta(seconds=1)
TICK = dt.timedelta(minutes=10)  # how often the deadline sweep is assumed to run
MAX_HOUR_WINDOW = dt.timedelta(hours=24)
OPEN = frozenset({"dispatched", "accepted", "supervised"})
EPOCH = dt.datetime(2000, 1, 1, tzinfo=TZ)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(TZ).isoformat()


class Clock:
    """Deadlines of dispatched cases, as `compute_deadline` gives them, for many cases at once."""

    def __init__(self, appeal_ids: dict[str, int]) -> None:
        self.calendar = WorkingCalendar.load()
        self.appeal_ids = appeal_ids
        self._rules: dict[tuple[str, str | None, str], DeadlineRule | None] = {}
        self._days: dict[tuple[dt.date, int], tuple[dt.date, bool]] = {}

    def rule(self, box: str, appeal: str | None, urgency: str) -> DeadlineRule | None:
        key = (box, appeal, urgency)
        if key not in self._rules:
            self._rules[key] = find_rule(box=box, appeal_type_id=self.appeal_ids.get(appeal or ""), urgency=urgency)
        return self._rules[key]

    def add_days(self, day: dt.date, amount: int) -> tuple[dt.date, bool]:
        key = (day, amount)
        if key not in self._days:
            due = self.calendar.add_working_days(day, amount)
            self._days[key] = (due.date, due.fallback)
        return self._days[key]

    def deadline(self, at: dt.datetime, box: str, appeal: str | None, urgency: str) -> tuple[dt.datetime, bool]:
        rule = self.rule(box, appeal, urgency)
        if rule is not None and rule.unit == DeadlineRule.Unit.HOURS:
            return at + dt.timedelta(hours=rule.amount), False
        amount = rule.amount if rule is not None else DEFAULT_WORKING_DAYS
        day, fallback = self.add_days(at.astimezone(TZ).date(), amount)
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=TZ), fallback

    def extend(self, deadline: dt.datetime, days: int) -> tuple[dt.datetime, bool]:
        local = deadline.astimezone(TZ)
        day, fallback = self.add_days(local.date(), days)
        return dt.datetime.combine(day, local.timetz()), fallback

    def remind_from(self, deadline: dt.datetime, box: str, appeal: str | None, urgency: str) -> dt.datetime:
        rule = self.rule(box, appeal, urgency)
        if rule is not None and rule.unit == DeadlineRule.Unit.HOURS:
            return deadline - min(MAX_HOUR_WINDOW, dt.timedelta(hours=rule.amount) / 4)
        local = deadline.astimezone(TZ)
        day = local.date() - dt.timedelta(days=1)
        while not self.calendar.is_workday(day):
            day -= dt.timedelta(days=1)
        return dt.datetime.combine(day, local.timetz())


def tick_at_or_after(moment: dt.datetime) -> dt.datetime:
    steps = -((EPOCH - moment) // TICK)  # ceil((moment - EPOCH) / TICK)
    return EPOCH + steps * TICK


def tick_after(moment: dt.datetime) -> dt.datetime:
    return tick_at_or_after(moment + SECOND)


# --- scheduling ------------------------------------------------------------------------------------

@dataclass
class Gap:
    """One step after the previous one: typically lo..hi hours later, never less than `least` hours.

    `after`/`before` are hard bounds (inclusive); `anchor` samples from that time instead of from the
    previous step; an `optional` step (and every step after it) is left out when it cannot fit before
    the end of the simulated history. `human` steps happen in office hours (08:00-21:00).
    """

    lo: float
    hi: float
    least: float = 0.05
    after: dt.datetime | None = None
    before: dt.datetime | None = None
    anchor: dt.datetime | None = None
    optional: bool = False
    human: bool = True




def _least(g: Gap, comfortable: bool) -> dt.timedelta:
    """The shortest a gap may be; `comfortable`: a quarter of the way into its usual range."""
    return dt.timedelta(seconds=round(3600 * (max(g.least, (g.lo + g.hi) / 4) if comfortable else g.least)))


def _bounds(start: dt.datetime, gaps: list[Gap], end: dt.datetime,
            comfortable: bool = False) -> tuple[list[dt.datetime], list[dt.datetime]]:
    required = [g for g in gaps if not g.optional]
    early, t = [], start
    for g in required:
        t = max(t + _least(g, comfortable), g.after or t)
        early.append(t)
    late: list[dt.datetime] = [end] * len(required)
    limit = end
    for i in range(len(required) - 1, -1, -1):
        g = required[i]
        limit = min(limit, g.before or limit)
        late[i] = limit
        limit = limit - _least(g, comfortable)
    return early, late


def feasible(start: dt.datetime, gaps: list[Gap], end: dt.datetime, *, comfortable: bool = False) -> bool:
    early, late = _bounds(start, gaps, end, comfortable)
    return all(e <= l for e, l in zip(early, late))


def schedule(rng: random.Random, start: dt.datetime, gaps: list[Gap], end: dt.datetime) -> list[dt.datetime | None]:
    """Times for the gaps in order (None for optional steps left out). Raises if the chain cannot fit."""
    early, late = _bounds(start, gaps, end)
    if any(e > l for e, l in zip(early, late)):
        raise ValueError("steps do not fit between their bounds")
    out: list[dt.datetime | None] = []
    t, i = start, 0
    for g in gaps:
        low = max(t + _least(g, False), g.after or t)
        high = g.before or end
        if g.optional:
            high = min(high, end)
            if low > high:
                out.extend([None] * (len(gaps) - len(out)))
                return out
        else:
            high = min(high, late[i])
            i += 1
        base = g.anchor if g.anchor is not None else t
        u = rng.random()
        proposal = base + dt.timedelta(seconds=round(3600 * (g.lo + (g.hi - g.lo) * u * u)))
        if g.human:
            proposal = daytime(rng, proposal)
        if proposal > high:  # no room for the usual gap: spread over what there is
            proposal = low + dt.timedelta(seconds=int((high - low).total_seconds() * rng.uniform(0.15, 0.6)))
        t = max(proposal, low)
        out.append(t)
    return out


# --- replay ----------------------------------------------------------------------------------------

@dataclass
class Step:
    kind: str
    at: dt.datetime
    actor: str | None
    role: str
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)


# kind -> target status (None: unchanged or decided by the data)
TARGET: dict[str, str | None] = {
    "create": "new", "answer": "answered", "mark_invalid": "invalid", "merge": "merged", "dispatch": "dispatched",
    "accept": "accepted", "return": "returned", "redispatch": "dispatched", "contact": None,
    "request_extension": None, "approve_extension": None, "refuse_extension": None, "reply": "replied",
    "rework": "accepted", "accept_reply": "callback", "callback": None, "verify": None, "supervise": None,
    "rectify": "callback", "close": "closed", "absorb": None,
}
CALLBACK_TARGET = {"satisfied": "closed", "basic": "closed", "unsatisfied": "verifying", "unreachable": "callback"}


@dataclass
class History:
    """The case's state while its steps are applied; `events` is the exchange-format history."""

    clock: Clock
    box: str
    appeal: str | None
    urgency: str
    end: dt.datetime  # nothing happens at or after this moment (the simulated "now")
    events: list[dict[str, Any]] = field(default_factory=list)
    status: str = ""
    unit: str | None = None
    co_units: list[str] = field(default_factory=list)
    dispatched_at: dt.datetime | None = None
    deadline: dt.datetime | None = None
    fallback: bool = False
    pending: bool = False
    overdue: bool = False
    reminded: bool = False
    last: dt.datetime | None = None

    def replay(self, steps: list[Step]) -> None:
        for step in sorted(steps, key=lambda s: s.at):  # stable: equal times keep their planned order
            self._sweep(until=step.at)
            self._apply(step)
        self._sweep(until=self.end)

    def _sweep(self, *, until: dt.datetime) -> None:
        """The sweep's events between the last event and `until` (exclusive)."""
        while self.status in OPEN and self.deadline is not None and not self.overdue and self.last is not None:
            over = tick_after(self.deadline)
            remind = None
            if not self.reminded:
                remind = max(tick_at_or_after(self.clock.remind_from(self.deadline, self.box, self.appeal,
                                                                    self.urgency)), tick_after(self.last))
            if remind is not None and remind < over and remind < until:
                self.reminded = True
                self._event("remind", remind, None, "system", "", {"deadline": iso(self.deadline)}, self.status)
                continue
            over = max(over, tick_after(self.last))
            if over < until:
                self.overdue = True
                self._event("overdue", over, None, "system", "", {"deadline": iso(self.deadline)}, self.status)
            return

    def _event(self, kind: str, at: dt.datetime, actor: str | None, role: str, reason: str,
               data: dict[str, Any], to_status: str) -> None:
        self.events.append({
            "seq": len(self.events) + 1, "kind": kind, "at": iso(at), "actor": actor, "actor_role": role,
            "from_status": self.status, "to_status": to_status, "unit": self.unit, "reason": reason,
            "data": {k: data[k] for k in sorted(data)},
        })
        self.status = to_status
        self.last = at

    def _set_deadline(self, at: dt.datetime, data: dict[str, Any]) -> None:
        self.deadline, self.fallback = self.clock.deadline(at, self.box, self.appeal, self.urgency)
        self.overdue = self.reminded = self.pending = False
        data["deadline"] = iso(self.deadline)
        if self.fallback:
            data["deadline_fallback"] = True

    def _apply(self, s: Step) -> None:
        if s.at >= self.end or (self.last is not None and s.at < self.last):
            raise ValueError(f"step {s.kind} at {iso(s.at)} is out of order or after the end")
        data = dict(s.data)
        target = TARGET[s.kind] or self.status
        if s.kind in ("dispatch", "redispatch"):
            if s.kind == "redispatch":
                data["from_unit"] = self.unit
            self.unit = data["unit"]
            self.co_units = sorted(data.get("co_units") or [])
            self.dispatched_at = s.at
            self._set_deadline(s.at, data)
        elif s.kind == "return":
            self.pending = False
        elif s.kind == "request_extension":
            self.pending = True
        elif s.kind == "approve_extension":
            assert self.deadline is not None
            self.deadline, fallback = self.clock.extend(self.deadline, int(data["days"]))
            self.fallback = self.fallback or fallback
            self.pending = False
            self.overdue = self.deadline < s.at
            data["deadline"] = iso(self.deadline)
        elif s.kind == "refuse_extension":
            self.pending = False
        elif s.kind in ("reply", "rectify"):
            data["deadline"] = iso(self.deadline) if self.deadline else None
            data["on_time"] = self.deadline is None or s.at <= self.deadline
            self.pending = False
        elif s.kind == "callback":
            target = CALLBACK_TARGET[data["result"]]
        elif s.kind == "verify":
            target = "unsatisfied" if data["upheld"] else "closed"
        elif s.kind == "supervise" and self.status == "unsatisfied":
            self._set_deadline(s.at, data)
            target = "supervised"
        self._event(s.kind, s.at, s.actor, s.role, s.reason, data, target)

    def first_reply_on_time(self) -> bool | None:
        for e in self.events:
            if e["kind"] == "reply":
                return bool(e["data"]["on_time"])
        return None
