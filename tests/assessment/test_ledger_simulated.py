"""A simulated Yueyang May 2024 with planted faults gives exactly the expected ledger (issue 13).

The simulated history itself (through the import path) is checked against a plain computation from
the Event table for the event-proven rules it can trigger (first contact; praise letters); then
faults of every kind are planted through the services and the month re-run: the ledger in force
must be the baseline, less the exempted entry, plus exactly the planted lines."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hotline.assessment.ledger import active_entries
from hotline.assessment.records import exempt_entry, mark_case, record_leader_day
from hotline.assessment.services import compute_month
from hotline.directory.models import AppealType, Role, Tag, Unit
from hotline.simulate.runner import run
from hotline.workcalendar.services import WorkingCalendar
from hotline.workorders.models import Event, WorkOrder
from hotline.workorders.services import create_order, transition
from tests.factories import UserFactory

TZ = ZoneInfo("Asia/Shanghai")
MAY = dt.date(2024, 5, 1)
START, END = dt.datetime(2024, 5, 1, tzinfo=TZ), dt.datetime(2024, 6, 1, tzinfo=TZ)
CUTOFF = dt.datetime(2024, 6, 10, tzinfo=TZ)
SCHEMES = ("yueyang-hotline", "yueyang-mailbox")

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, 5, day, hour, minute, tzinfo=TZ)


def in_force() -> set[tuple]:
    return {(e.scheme_name, e.unit.name, e.rule, e.rule_key, e.points, tuple(e.case_numbers))
            for e in active_entries(month=MAY)}


def run_schemes() -> None:
    for scheme in SCHEMES:
        compute_month(scheme=scheme, month=MAY, as_of=CUTOFF)


def top_of(unit_id: int, parents: dict[int, int | None]) -> int:
    while parents.get(unit_id) is not None:
        unit_id = parents[unit_id]  # type: ignore[assignment]
    return unit_id


def plain_late_contacts(box: str) -> set[tuple[str, str]]:
    """(top unit name, case number): a unit assigned a case that made no contact within 1 working day
    (same time of day), the limit in May, the case not lost before it. Read plainly, order by order."""
    calendar = WorkingCalendar.load()
    parents = dict(Unit.objects.values_list("id", "parent_id"))
    names = dict(Unit.objects.values_list("id", "name"))
    histories: dict[int, list[tuple]] = defaultdict(list)
    for row in Event.objects.filter(box=box, at__lte=CUTOFF).order_by("order_id", "seq").values_list(
            "order_id", "order__number", "kind", "at", "unit_id"):
        histories[row[0]].append(row[1:])
    found = set()
    for events in histories.values():
        for i, (number, kind, when, unit_id) in enumerate(events):
            if kind not in ("dispatch", "redispatch"):
                continue
            local = when.astimezone(TZ)
            limit = dt.datetime.combine(calendar.add_working_days(local.date(), 1).date, local.timetz())
            if not START <= limit < END:
                continue
            later = events[i + 1:]
            lost = next((w for _, k, w, _ in later if k in ("dispatch", "redispatch", "return")), None)
            contact = next((w for _, k, w, _ in later if k == "contact" and (lost is None or w < lost)), None)
            if (contact is None or contact > limit) and (lost is None or lost > limit):
                found.add((names[top_of(unit_id, parents)], number))
    return found


def plain_praise_letters() -> set[tuple[str, str]]:
    parents = dict(Unit.objects.values_list("id", "parent_id"))
    names = dict(Unit.objects.values_list("id", "name"))
    found = set()
    for order in WorkOrder.objects.filter(box="mailbox", appeal_type__code="praise"):
        assigned = list(Event.objects.filter(order=order, kind__in=("dispatch", "redispatch"), at__lte=CUTOFF)
                        .order_by("seq").values_list("kind", "at", "unit_id"))
        if assigned and assigned[0][0] == "dispatch" and START <= assigned[0][1] < END:
            found.add((names[top_of(assigned[-1][2], parents)], order.number))
    return found


class Planter:
    def __init__(self) -> None:
        self.staff = {r: UserFactory(username=f"plant-{r}", role=r) for r in
                      (Role.OPERATOR, Role.DISPATCHER, Role.REVIEWER, Role.CALLBACK, Role.SUPERVISOR, Role.LEADER)}
        self.handlers: dict[int, object] = {}

    def handler(self, unit: Unit):
        if unit.pk not in self.handlers:
            self.handlers[unit.pk] = UserFactory(username=f"plant-h{unit.pk}", role=Role.UNIT_HANDLER, unit=unit)
        return self.handlers[unit.pk]

    def case(self, unit: Unit, day: int, *, box: str = "hotline", appeal: AppealType | None = None,
             tags: list[Tag] = (), actor=None) -> WorkOrder:
        channel = WorkOrder.objects.filter(box=box).values_list("channel", flat=True).first()
        order, _ = create_order(actor=actor or self.staff[Role.OPERATOR], at=at(day, 9), fields={
            "box": box, "channel_id": channel, "content": "植入的测试诉求", "citizen_phone": "13800000000",
            "appeal_type": appeal})
        if tags:
            order.tags.add(*tags)
        transition(order=order, action="dispatch", actor=self.staff[Role.DISPATCHER], at=at(day, 9, 5),
                   data={"unit": unit.pk})
        h = self.handler(unit)
        transition(order=order, action="accept", actor=h, at=at(day, 9, 10))
        transition(order=order, action="contact", actor=h, at=at(day, 9, 20))
        transition(order=order, action="reply", actor=h, at=at(day, 10), data={"text": "已办理"})
        return order

    def rework(self, order: WorkOrder, code: str, day: int) -> None:
        transition(order=order, action="rework", actor=self.staff[Role.REVIEWER], at=at(day, 11),
                   data={"reason_code": code})
        transition(order=order, action="reply", actor=self.handler(order.unit), at=at(day, 15),
                   data={"text": "重新答复"})


def test_a_simulated_month_with_planted_faults_gives_exactly_the_expected_ledger() -> None:
    result = run(city="yueyang", month="2024-05", scale=Decimal("0.01"), seed=3)
    assert result.loaded == result.cases > 300
    run_schemes()
    baseline = in_force()

    # The simulated history: the event-proven rules it can trigger, read plainly.
    def lines(rule: str, scheme: str) -> set[tuple[str, str]]:
        return {(unit, key) for s, unit, r, key, _, _ in baseline if r == rule and s == scheme}

    late_contacts = plain_late_contacts("hotline")
    assert late_contacts  # the simulated timeline has some slow first contacts: the check bites
    assert lines("quality_fault", "yueyang-hotline") == late_contacts
    assert lines("letter_fault", "yueyang-mailbox") == set()  # the simulation codes no reasons
    assert lines("praise_letter", "yueyang-mailbox") == plain_praise_letters()
    assert not {r for _, _, r, _, _, _ in baseline} & {"excellent_case", "leader_day"}  # no marks, no records

    # Plant one fault of every kind, on units of the simulated city.
    units = list(Unit.objects.filter(city="yueyang", parent__isnull=True, active=True, group="department")
                 .order_by("code")[:4])
    p = Planter()
    false_closure = p.case(units[0], 20)
    p.rework(false_closure, "false_closure", 20)
    twice = p.case(units[1], 21)  # two faults, one entry
    p.rework(twice, "off_point", 21)
    p.rework(twice, "wrong_content", 22)
    free_text = p.case(units[1], 21)
    transition(order=free_text, action="rework", actor=p.staff[Role.REVIEWER], at=at(21, 11), reason="虚假结案")
    letter = p.case(units[2], 22, box="mailbox")
    p.rework(letter, "wrong_content", 22)
    praise, _ = AppealType.objects.get_or_create(code="praise", defaults={"name": "表扬"})
    thanks = p.case(units[3], 23, box="mailbox", appeal=praise)
    excellent = p.case(units[0], 23)
    mark_case(order=excellent, kind="excellent", reason="主动上门，一次办结", actor=p.staff[Role.SUPERVISOR], month=MAY)
    tag = Tag.objects.get(code="leader_day")
    calls = [p.case(units[2], 24, tags=[tag], actor=p.staff[Role.LEADER]) for _ in range(2)]
    day = record_leader_day(leader="王局长", unit=units[2], date=dt.date(2024, 5, 24), session="am",
                            leader_user=p.staff[Role.LEADER], actor=p.staff[Role.SUPERVISOR])
    exempted = active_entries(month=MAY, rule="serious_overdue").order_by("rule_key").first()
    assert exempted is not None
    exempt_entry(entry=exempted, reason="系统故障期间的工单", actor=p.staff[Role.SUPERVISOR])

    run_schemes()
    run_schemes()  # twice: nothing more
    yy, mb = SCHEMES
    n = lambda o: o.number  # noqa: E731
    planted = {
        (yy, units[0].name, "quality_fault", n(false_closure), Decimal("-1.00"), (n(false_closure),)),
        (yy, units[1].name, "quality_fault", n(twice), Decimal("-1.00"), (n(twice),)),
        (mb, units[2].name, "letter_fault", n(letter), Decimal("-1.00"), (n(letter),)),
        (mb, units[3].name, "praise_letter", n(thanks), Decimal("1.00"), (n(thanks),)),
        (yy, units[0].name, "excellent_case", n(excellent), Decimal("0.50"), (n(excellent),)),
        (yy, units[2].name, "leader_day", f"leader-day-{day.pk}", Decimal("1.00"), tuple(sorted(map(n, calls)))),
    }
    gone = {(exempted.scheme_name, exempted.unit.name, exempted.rule, exempted.rule_key, exempted.points,
             tuple(exempted.case_numbers))}
    assert in_force() == (baseline - gone) | planted
