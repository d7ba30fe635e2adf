"""Ledger rules proven by the events (issue 13): one test per rule with its evidence."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hotline.assessment.ledger import active_entries, apply_automatic_rules
from hotline.assessment.models import LedgerEntry
from hotline.assessment.records import mark_case, record_leader_day, withdraw_mark
from hotline.assessment.selectors import leader_day_cases
from hotline.assessment.services import compiled
from hotline.directory.models import AppealType, Tag
from hotline.workorders.models import WorkOrder
from tests.assessment.conftest import MAY, at, local_scheme

CUTOFF = at(6, 10, 0)


def run(scheme, month=MAY, as_of=CUTOFF):
    apply_automatic_rules(sdef=compiled(scheme), month=month, as_of=as_of)


def lines(rule=None):
    qs = active_entries(rule=rule) if rule else active_entries()
    return sorted((e.unit.name, e.rule, e.indicator, e.points, tuple(e.case_numbers)) for e in qs)


@pytest.fixture
def yy(city):
    return local_scheme("yueyang-hotline")


@pytest.fixture
def mailbox(city):
    return local_scheme("yueyang-mailbox")


@pytest.fixture
def xt(city):
    return local_scheme("xiangtan-hotline")


def reworked(history, city, code, *, when=at(5, 8)):
    order = history.case(city.unit_b, at(5, 6, 9))
    h = history.handler(city.unit_b)
    history.do(order, "reply", h, at(5, 7), text="已办理")
    history.do(order, "rework", city.user("reviewer"), when, reason="见代码", reason_code=code)
    return order


# --- case_faults: coded reasons -----------------------------------------------------------------

def test_a_rework_coded_false_closure_costs_one_point_citing_the_case(yy, city, history):
    order = reworked(history, city, "false_closure")
    run(yy)
    assert lines("quality_fault") == [("市乙局", "quality_fault", "热线办理质量", Decimal("-1.00"), (order.number,))]
    assert "虚假结案" in active_entries(rule="quality_fault").get().reason


def test_a_rework_with_a_code_the_scheme_does_not_list_or_free_text_costs_nothing(yy, city, history):
    reworked(history, city, "incomplete")
    order = history.case(city.unit_b, at(5, 6, 9))
    history.do(order, "reply", history.handler(city.unit_b), at(5, 7), text="x")
    history.do(order, "rework", city.user("reviewer"), at(5, 8), reason="虚假结案")  # free text only
    run(yy)
    assert lines("quality_fault") == []


def test_an_upheld_verification_with_a_fault_code_counts_and_two_faults_make_one_entry(yy, city, history):
    order = reworked(history, city, "off_point")
    h = history.handler(city.unit_b)
    history.do(order, "reply", h, at(5, 9), text="再次答复")
    history.do(order, "accept_reply", city.user("reviewer"), at(5, 9, 11))
    history.do(order, "callback", None, at(5, 10), result="unsatisfied")
    history.do(order, "verify", city.user("callback"), at(5, 11), upheld=True, reason_code="false_closure")
    run(yy)
    [entry] = active_entries(rule="quality_fault")
    assert entry.points == Decimal("-1") and "文不对题" in entry.reason and "虚假结案" in entry.reason


def test_a_verification_not_upheld_costs_nothing(yy, city, history):
    order = history.case(city.unit_b, at(5, 6, 9), replied=at(5, 7), result="unsatisfied")
    history.do(order, "verify", city.user("callback"), at(5, 8), upheld=False, reason_code="explained")
    run(yy)
    assert lines("quality_fault") == []


def test_mailbox_letter_with_wrong_content_costs_one_point_per_letter(mailbox, city, history):
    order = history.case(city.unit_b, at(5, 6, 9), box="mailbox")
    history.do(order, "reply", history.handler(city.unit_b), at(5, 7), text="x")
    history.do(order, "rework", city.user("reviewer"), at(5, 8), reason_code="wrong_content")
    run(mailbox)
    assert lines("letter_fault") == [("市乙局", "letter_fault", "信件办理质量", Decimal("-1.00"), (order.number,))]


# --- case_faults: first-contact time limit -----------------------------------------------------

def test_a_unit_that_contacts_the_citizen_after_one_working_day_is_penalised(yy, city, history):
    late = history.case(city.unit_b, at(5, 6, 9), contact=False)
    history.do(late, "contact", history.handler(city.unit_b), at(5, 7, 10))  # limit was May 7 09:00
    history.case(city.unit_b, at(5, 6, 9))  # contacted 40 minutes after dispatch
    never = history.case(city.unit_a, at(5, 20, 9), contact=False)
    run(yy)
    assert lines("quality_fault") == [
        ("市乙局", "quality_fault", "热线办理质量", Decimal("-1.00"), (late.number,)),
        ("甲区人民政府", "quality_fault", "热线办理质量", Decimal("-1.00"), (never.number,)),
    ]


def test_a_case_returned_before_the_contact_limit_is_not_the_units_fault(yy, city, history):
    order = city.dispatched(unit=city.unit_b, at=at(5, 6, 9))
    history.do(order, "return", history.handler(city.unit_b), at(5, 6, 15), reason="非本单位职责",
               reason_code="not_our_duty")
    run(yy)
    assert lines("quality_fault") == []


def test_the_contact_limit_counts_in_the_month_it_falls(yy, city, history):
    order = history.case(city.unit_b, at(5, 31, 9), contact=False)  # Friday: limit Monday June 3
    run(yy)
    assert lines("quality_fault") == []
    run(yy, month=dt.date(2024, 6, 1), as_of=at(7, 10, 0))
    assert [e.case_numbers for e in active_entries(rule="quality_fault")] == [[order.number]]


# --- extension_unexplained (Xiangtan 联通 −2) ----------------------------------------------------

def extended(history, city, *, explain: bool, before_approval: bool = False):
    order = history.case(city.unit_b, at(5, 6, 9))
    h = history.handler(city.unit_b)
    history.do(order, "request_extension", h, at(5, 8), reason="需协调", days=5)
    if explain and before_approval:
        history.do(order, "contact", h, at(5, 8, 10))
    history.do(order, "approve_extension", city.user("dispatcher"), at(5, 8, 15))
    if explain and not before_approval:
        history.do(order, "contact", h, at(5, 9))
    history.do(order, "reply", h, at(5, 14), text="已办理")
    return order


def test_an_extension_not_explained_to_the_citizen_costs_two_points_per_unit(xt, city, history):
    a = extended(history, city, explain=False)
    b = extended(history, city, explain=False)
    extended(history, city, explain=True)
    extended(history, city, explain=True, before_approval=True)
    run(xt)
    assert lines("extension_unexplained") == [
        ("市乙局", "extension_unexplained", "工作配合", Decimal("-2.00"), tuple(sorted([a.number, b.number])))]


def test_the_penalty_feeds_xiangtans_cooperation_column(xt, city, history):
    from hotline.assessment.services import run_month

    extended(history, city, explain=False)
    row = next(r for r in run_month(scheme=xt.name, month=MAY, as_of=CUTOFF).inputs if r["unit"] == "市乙局")
    assert row["values"]["cooperation"] == "3"


# --- appeal_type: praise letters -----------------------------------------------------------------

def test_a_praise_letter_is_one_point_for_the_unit_it_praises(mailbox, city, history):
    praise = AppealType.objects.create(code="praise", name="表扬")
    letter = history.case(city.unit_a1, at(5, 6, 9), box="mailbox")
    WorkOrder.objects.filter(pk=letter.pk).update(appeal_type=praise)
    history.case(city.unit_b, at(5, 6, 9), box="mailbox")  # a complaint: nothing
    run(mailbox)
    assert lines("praise_letter") == [("甲区人民政府", "praise_letter", "信件办理质量", Decimal("1.00"), (letter.number,))]


# --- case_mark: excellent cases ------------------------------------------------------------------

def test_an_excellent_case_is_half_a_point_until_the_mark_is_withdrawn(yy, city, history):
    order = history.case(city.unit_b, at(5, 6, 9), replied=at(5, 7))
    mark = mark_case(order=order, kind="excellent", reason="主动上门，一次办结", actor=city.user("supervisor"),
                     month=MAY)
    mark_case(order=order, kind="typical", reason="典型", actor=city.user("supervisor"), month=MAY)  # no points
    run(yy)
    assert lines("excellent_case") == [("市乙局", "excellent_case", "热线办理质量", Decimal("0.50"), (order.number,))]
    withdraw_mark(mark=mark, actor=city.user("supervisor"))
    run(yy)
    assert lines("excellent_case") == []


def test_a_case_is_marked_once_per_kind_and_needs_a_reason(yy, city, history):
    from hotline.assessment.services import AssessmentError

    order = history.case(city.unit_b, at(5, 6, 9))
    with pytest.raises(AssessmentError) as exc:
        mark_case(order=order, kind="excellent", reason=" ", actor=None, month=MAY)
    assert exc.value.field == "reason"
    mark_case(order=order, kind="excellent", reason="好", actor=None, month=MAY)
    with pytest.raises(AssessmentError) as exc:
        mark_case(order=order, kind="excellent", reason="再次", actor=None, month=MAY)
    assert exc.value.field == "kind"


# --- leader answering days -----------------------------------------------------------------------

def test_a_leader_answering_day_counts_its_calls_and_supervisions_and_earns_the_unit_a_point(yy, city, history):
    tag, _ = Tag.objects.get_or_create(code="leader_day", defaults={"name": "领导接听日"})
    leader = city.user("leader")
    taken = [city.new_order(at=at(5, 15, h)) for h in (9, 10)]
    for o in taken:
        o.tags.add(tag)
    afternoon = city.new_order(at=at(5, 15, 15))
    afternoon.tags.add(tag)  # another session
    history.do(taken[0], "dispatch", city.user("dispatcher"), at(5, 15, 11), unit=city.unit_b.pk)
    history.do(taken[0], "supervise", leader, at(5, 15, 11), reason="领导督办", reason_code="leader_instruction")
    day = record_leader_day(leader="王市长", title="副市长", unit=city.unit_a, date=dt.date(2024, 5, 15), session="am",
                            actor=city.user("supervisor"))
    got = leader_day_cases(day=day)
    assert got.calls == sorted(o.number for o in taken) and got.supervised == [taken[0].number]
    run(yy)
    assert lines("leader_day") == [("甲区人民政府", "leader_day", "创新创优", Decimal("1.00"),
                                    tuple(sorted(o.number for o in taken)))]
    assert "接听2件，督办1件" in active_entries(rule="leader_day").get().reason


def test_a_leader_day_is_recorded_once(city):
    from hotline.assessment.services import AssessmentError

    kw = dict(leader="王市长", unit=city.unit_a, date=dt.date(2024, 5, 15), session="am", actor=None)
    record_leader_day(**kw)
    with pytest.raises(AssessmentError) as exc:
        record_leader_day(**kw)
    assert exc.value.field == "date"
    with pytest.raises(AssessmentError) as exc:
        record_leader_day(**{**kw, "session": "night"})
    assert exc.value.field == "session"


# --- the 驳回 mapping ------------------------------------------------------------------------------

def test_rejected_is_the_units_return_not_a_rework_nor_a_hotline_redispatch(xt, city, history):
    """Spec glossary: 退回/驳回 = return (the unit sends a misrouted case back). Xiangtan's 驳回总量 reads
    the `returned` metric: a unit's return counts for it; a rework of its reply and a redispatch that the
    hotline makes on its own do not."""
    from hotline.assessment.services import run_month

    returned = city.dispatched(unit=city.unit_b, at=at(5, 6, 9))
    history.do(returned, "return", history.handler(city.unit_b), at(5, 6, 10), reason="非本单位职责")
    reworked(history, city, "incomplete")
    moved = city.dispatched(unit=city.unit_b, at=at(5, 6, 9))
    history.do(moved, "redispatch", city.user("dispatcher"), at(5, 6, 10), reason="派错", unit=city.unit_a.pk)
    sdef = compiled(xt)
    assert sdef.input("rejected").metric == "returned"
    rows = {r["unit"]: r["values"] for r in run_month(scheme=xt.name, month=MAY, as_of=CUTOFF).inputs}
    assert rows["市乙局"]["rejected"] == "1" and rows["甲区人民政府"]["rejected"] == "0"


def test_xiangtans_knowledge_column_reads_its_own_label_in_steps_of_one(xt, city):
    from hotline.assessment.ledger import record_knowledge_misses
    from hotline.assessment.services import run_month

    record_knowledge_misses(scheme=xt.name, month=MAY, counts={city.unit_b.pk: 2})
    assert lines("knowledge_missed") == [("市乙局", "knowledge_missed", "知识库建设", Decimal("-2.00"), ())]
    rows = {r["unit"]: r["values"] for r in run_month(scheme=xt.name, month=MAY, as_of=CUTOFF).inputs}
    assert rows["市乙局"]["knowledge"] == "18"
    assert LedgerEntry.objects.filter(indicator="知识库管理").count() == 0


def test_leader_days_list_their_counts_and_match_the_bulletins_special_line(city, history):
    from hotline.assessment.selectors import leader_days
    from hotline.bulletin.period import Month
    from hotline.bulletin.selectors import special_line

    tag, _ = Tag.objects.get_or_create(code="leader_day", defaults={"name": "领导接听日"})
    for when in (at(5, 15, 9), at(5, 15, 10), at(5, 22, 15)):
        city.new_order(at=when).tags.add(tag)
    record_leader_day(leader="王市长", unit=city.unit_a, date=dt.date(2024, 5, 15), session="am", actor=None)
    record_leader_day(leader="李局长", unit=city.unit_b, date=dt.date(2024, 5, 22), session="pm", actor=None)
    rows = leader_days(month=MAY)
    assert [(r["leader"], r["unit"], r["session"], r["calls"], r["supervised"]) for r in rows] == [
        ("王市长", "甲区人民政府", "上午", 2, 0), ("李局长", "市乙局", "下午", 1, 0)]
    assert special_line(Month(2024, 5), "hotline", "leader_day", as_of=CUTOFF)["calls"] == sum(r["calls"] for r in rows)


def test_counts_for_an_unknown_unit_are_refused_naming_the_unit(yy, city):
    from hotline.assessment.ledger import record_knowledge_misses
    from hotline.assessment.services import AssessmentError

    with pytest.raises(AssessmentError) as exc:
        record_knowledge_misses(scheme=yy.name, month=MAY, counts={city.unit_b.pk: 1, 999999: 2})
    assert exc.value.field == "unit" and not LedgerEntry.objects.exists()
