"""One simulated case's life: its profile (`Sig`), the steps that realise the profile, and their times.

A profile says what the month's metrics will count for the case (on time or late or still open,
reworked, extended, contacted, which callback in the month with which result, how far the
dissatisfaction chain got) and where it comes from (received this month, received last month and
dispatched this month, a case from last month only called back this month, an old open case).
`Life.steps` turns a profile into timed steps that satisfy it by construction; `window` tells on
which days of the month a profile can start at all.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from hotline.simulate.timeline import HOUR, SECOND, Clock, Gap, Step, feasible, schedule

EXTENSION_DAYS = 5
HOP_HOURS = 32  # the most one misrouting (dispatch, return, re-dispatch) takes


class Sig(NamedTuple):
    origin: str = "may"  # may | intake_prev | redispatch_prev | carry | carry_verify | old
    reply: str = "ontime"  # ontime | late | open
    rework: bool = False
    ext: bool = False
    contact: bool = True
    cb: str = "sat"  # sat | unsat | tail | unreach | none
    chain: str = ""  # after an unsatisfied callback: rs | rect | sup | ver | pend | nup | loose
    method: str = "sms"  # of the answered callback: sms | manual


@dataclass(frozen=True)
class Period:
    start: dt.datetime  # first moment of the month
    end: dt.datetime  # first moment of the next month
    cutoff: dt.datetime  # the simulated "now": nothing happens at or after it

    @property
    def days(self) -> list[dt.date]:
        out, day = [], self.start.date()
        while day < self.end.date():
            out.append(day)
            day += dt.timedelta(days=1)
        return out


@dataclass
class Staff:
    """Usernames of the simulated hotline staff; unit handlers are one per unit."""

    operators: list[str]
    dispatchers: list[str]
    reviewers: list[str]
    callback: list[str]
    supervisors: list[str]
    leader: str

    @staticmethod
    def handler(unit_code: str) -> str:
        return f"sim-h-{unit_code.lower()}"


@dataclass
class Texts:
    reply: str
    contact: str = "已电话联系诉求人，了解具体情况并告知办理进度"
    rectify: str = "经督办整改，已再次上门核实处理，并向诉求人说明情况。"


RETURN_REASONS = ["该事项不属于本单位职责，建议改派{other}办理", "经核实，诉求地点不在本单位辖区，请改派{other}",
                  "该诉求涉及{other}职能，本单位无执法权限，申请退回"]
REWORK_REASONS = ["答复未针对诉求人反映的问题（文不对题），请重新核实办理", "答复内容过于简单，未说明处理结果",
                  "未联系诉求人即作答复，请联系核实后重新答复"]
EXTENSION_REASONS = ["需协调多个部门现场处理", "涉及维修施工，需等待材料到场", "需调取相关档案资料核实",
                     "当事人近期不在本地，需约定时间现场核实"]


@dataclass
class Life:
    """Builds the steps of one case from its final assignment on (plus any misrouting before it)."""

    clock: Clock
    period: Period
    staff: Staff
    rng: random.Random
    box: str
    appeal: str | None
    urgency: str
    sig: Sig
    unit: str
    texts: Texts
    names: dict[str, str] = field(default_factory=dict)  # unit code -> name, for reasons
    hops: list[str] = field(default_factory=list)  # units the case went to (and came back from) first

    def deadlines(self, t0: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        dl0, _ = self.clock.deadline(t0, self.box, self.appeal, self.urgency)
        final = self.clock.extend(dl0, EXTENSION_DAYS)[0] if self.sig.ext else dl0
        return dl0, final

    def plan(self, t0: dt.datetime) -> list[tuple[str, Gap, dict[str, Any]]]:
        """The labelled gaps after the final assignment at t0."""
        s, p = self.sig, self.period
        dl0, dlf = self.deadlines(t0)
        in_month = p.end - SECOND
        out: list[tuple[str, Gap, dict[str, Any]]] = [("accept", Gap(0.2, 6, 0.1), {})]
        if s.contact:
            out.append(("contact", Gap(0.2, 20, 0.1), {}))
        if s.ext:
            out.append(("request_extension", Gap(12, 60, 1, before=dl0 - 2 * HOUR), {}))
            out.append(("approve_extension", Gap(0.3, 6, 0.1, before=dl0 - HOUR), {}))
        if s.reply == "open":
            return out
        reply_after = None
        if s.origin == "carry":
            reply_after = p.start - 48 * HOUR
        if s.cb == "tail":
            reply_after = p.end - 72 * HOUR
        if s.reply == "ontime":
            out.append(("reply", Gap(3, 80, 1, before=dlf, after=reply_after), {}))
        else:
            late_after = max(dlf + 60 * SECOND, reply_after or dlf)
            out.append(("reply", Gap(0.5, 60, 0.05, after=late_after, anchor=dlf), {}))
        if s.rework:
            out.append(("rework", Gap(2, 24, 1), {}))
            out.append(("reply2", Gap(4, 48, 2), {}))
        out.append(("accept_reply", Gap(0.3, 12, 0.1), {}))
        manual = s.method == "manual"
        if s.cb in ("sat", "unsat"):
            after = p.start if s.origin == "carry" else None
            before = in_month
            if s.origin == "carry_verify":
                after, before = p.start - 72 * HOUR, p.start - SECOND
            out.append(("callback", Gap(0.3, 30, 0.05, after=after, before=before, human=manual), {}))
            if s.cb == "unsat":
                out.extend(self._chain(in_month))
        elif s.cb == "tail":
            out.append(("callback", Gap(0.3, 30, 0.05, after=p.end, optional=True, human=manual), {}))
        elif s.cb == "unreach":
            out.append(("sms_unreachable", Gap(0.3, 12, 0.05, optional=True, human=False), {}))
            out.append(("manual_unreachable", Gap(20, 50, 2, optional=True), {}))
            out.append(("close", Gap(1, 20, 0.2, optional=True), {}))
        return out

    def _chain(self, in_month: dt.datetime) -> list[tuple[str, Gap, dict[str, Any]]]:
        chain, end = self.sig.chain, self.period.end
        inside = {"rs": 4, "rect": 3, "sup": 2, "ver": 1, "pend": 0}.get(chain)
        if self.sig.origin == "carry_verify":
            inside = 2
        if chain == "nup":
            return [("verify_no", Gap(1, 48, 0.5, optional=True), {})]
        labels = ["verify", "supervise", "rectify", "recallback"]
        gaps = [Gap(1, 20, 0.5), Gap(0.5, 20, 0.2), Gap(8, 72, 2), Gap(0.5, 30, 0.1)]
        out: list[tuple[str, Gap, dict[str, Any]]] = []
        for i, (label, gap) in enumerate(zip(labels, gaps)):
            if self.sig.origin == "carry_verify" and i == 0:
                gap.after = self.period.start
            if chain == "loose":
                if label == "recallback":
                    break
                gap.optional = True
            elif i < (inside or 0):
                gap.before = in_month
            else:
                gap.after, gap.optional = end, True
            out.append((label, gap, {}))
        return out

    # --- steps -----------------------------------------------------------------------------------

    def steps(self, t0: dt.datetime) -> list[Step]:
        """Timed steps from the final assignment at t0 (the assignment itself is added by the caller)."""
        plan = self.plan(t0)
        times = schedule(self.rng, t0, [g for _, g, _ in plan], self.period.cutoff - SECOND)
        rng, s, st = self.rng, self.sig, self.staff
        handler = Staff.handler(self.unit)
        out: list[Step] = []
        for (label, _, _), at in zip(plan, times):
            if at is None:
                break
            if label == "accept":
                out.append(Step("accept", at, handler, "unit_handler"))
            elif label == "contact":
                out.append(Step("contact", at, handler, "unit_handler", data={"note": self.texts.contact}))
            elif label == "request_extension":
                out.append(Step("request_extension", at, handler, "unit_handler", rng.choice(EXTENSION_REASONS),
                                {"days": EXTENSION_DAYS}))
            elif label == "approve_extension":
                out.append(Step("approve_extension", at, rng.choice(st.dispatchers), "dispatcher",
                                data={"days": EXTENSION_DAYS}))
            elif label in ("reply", "reply2"):
                # Mailbox replies come with their letter (回复公函) in the source system: flagged, not uploaded.
                letter = {"reply_letter": True} if self.box == "mailbox" else {}
                out.append(Step("reply", at, handler, "unit_handler", data={"text": self.texts.reply, **letter}))
            elif label == "rework":
                out.append(Step("rework", at, rng.choice(st.reviewers), "reviewer", rng.choice(REWORK_REASONS)))
            elif label == "accept_reply":
                out.append(Step("accept_reply", at, rng.choice(st.reviewers), "reviewer"))
            elif label == "callback":
                out.append(self._callback(at, "satisfied" if s.cb != "unsat" else "unsatisfied", s.method))
            elif label == "sms_unreachable":
                out.append(self._callback(at, "unreachable", "sms"))
            elif label == "manual_unreachable":
                out.append(self._callback(at, "unreachable", "manual"))
            elif label == "close":
                out.append(Step("close", at, rng.choice(st.callback), "callback", "多次回访未接通，按规定办结归档"))
            elif label in ("verify", "verify_no"):
                upheld = label == "verify"
                note = ("经人工核实，诉求人反映的问题尚未解决" if upheld
                        else "经核实，诉求人不满意的事项不属于承办单位职责范围，不予认定")
                out.append(Step("verify", at, rng.choice(st.callback), "callback", data={"upheld": upheld,
                                                                                        "note": note}))
            elif label == "supervise":
                out.append(Step("supervise", at, rng.choice(st.supervisors), "supervisor",
                                "核实不满意，督办承办单位整改"))
            elif label == "rectify":
                out.append(Step("rectify", at, handler, "unit_handler", data={"text": self.texts.rectify}))
            elif label == "recallback":
                out.append(self._callback(at, "satisfied" if rng.random() < 0.75 else "basic", "manual"))
        return out

    def _callback(self, at: dt.datetime, result: str, method: str) -> Step:
        if method == "manual":
            return Step("callback", at, self.rng.choice(self.staff.callback), "callback",
                        data={"result": result, "method": "manual"})
        return Step("callback", at, None, "system", data={"result": result, "method": "sms"})

    def hop_steps(self, t_first: dt.datetime, t0: dt.datetime) -> list[Step]:
        """Dispatch to the first unit at t_first, misroutings in between, the final assignment at t0."""
        rng, st = self.rng, self.staff
        units = [*self.hops, self.unit]
        out = [Step("dispatch", t_first, rng.choice(st.dispatchers), "dispatcher", data={"unit": units[0]})]
        if len(units) == 1:
            return out
        span = (t0 - t_first) / (len(units) - 1)
        for i, unit in enumerate(units[:-1]):
            start = t_first + span * i
            ret = start + span * rng.uniform(0.45, 0.9)
            if rng.random() < 0.5:
                out.append(Step("accept", (start + (ret - start) * rng.uniform(0.1, 0.5)).replace(microsecond=0),
                                Staff.handler(unit), "unit_handler"))
            other = units[i + 1]
            name = self.names.get(other, "相关单位")
            out.append(Step("return", ret.replace(microsecond=0), Staff.handler(unit), "unit_handler",
                            rng.choice(RETURN_REASONS).format(other=name)))
            at = t0 if i == len(units) - 2 else (start + span).replace(microsecond=0)
            out.append(Step("redispatch", at, rng.choice(st.dispatchers), "dispatcher",
                            f"经核实属{name}职责，予以改派", {"unit": other}))
        return out


def window(life: Life, days: list[dt.date], *, lead_hops: int = 0) -> list[dt.date]:
    """Days on which a case of this profile can get its final assignment (checked at 08:30 and 20:30):
    those where its steps fit with comfortable gaps, else (if there are none) those where they fit at all."""
    for comfortable in (True, False):
        ok = []
        for day in days:
            fits = True
            for hour in (8.5, 20.5):
                t0 = dt.datetime.combine(day, dt.time(0), tzinfo=life.period.start.tzinfo) + hour * HOUR
                if lead_hops and t0 - lead_hops * HOP_HOURS * HOUR < life.period.start:
                    fits = False
                elif not feasible(t0, [g for _, g, _ in life.plan(t0)], life.period.cutoff - SECOND,
                                  comfortable=comfortable):
                    fits = False
            if fits:
                ok.append(day)
        if ok:
            return ok
    return []
