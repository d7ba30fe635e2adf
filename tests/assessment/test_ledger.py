"""The points ledger: append-only entries, reversals, and the idempotent automatic rules."""
from decimal import Decimal

import pytest

from hotline.assessment.ledger import (
    active_entries, add_entry, apply_grade_penalties, apply_overdue_rule, record_knowledge_misses, reverse_entry,
    seriously_overdue_cases,
)
from hotline.assessment.models import FrozenError, LedgerEntry
from hotline.assessment.selectors import run_rows
from hotline.assessment.services import compiled, run_month
from tests.assessment.conftest import MAY, at, local_scheme


def entry(city, **kw):
    fields = dict(unit=city.unit_a, month=MAY, box="hotline", indicator="热线办理质量", points="-1",
                  reason="答非所问", actor=city.user("supervisor"), case_numbers=["RX1"])
    fields.update(kw)
    return add_entry(**fields)


def in_force(**filters):
    return sorted((e.unit.name, e.rule_key, e.points) for e in active_entries(**filters))


def test_entries_are_append_only(city):
    e = entry(city)
    e.points = Decimal("-2")
    with pytest.raises(FrozenError):
        e.save()
    with pytest.raises(FrozenError):
        e.delete()


def test_a_correction_reverses_an_entry_once(city):
    e = entry(city)
    r = reverse_entry(entry=e, actor=city.user("supervisor"), reason="录入错误")
    assert (r.points, r.reverses_id, r.indicator, r.case_numbers) == (Decimal("1.00"), e.pk, e.indicator, ["RX1"])
    assert list(active_entries()) == []
    with pytest.raises(Exception, match="已被冲销"):
        reverse_entry(entry=e, actor=None, reason="again")
    with pytest.raises(Exception, match="冲销记录不能再冲销"):
        reverse_entry(entry=r, actor=None, reason="again")


@pytest.mark.parametrize("change, field", [
    ({"points": "0"}, "points"), ({"points": "-0.125"}, "points"), ({"points": "abc"}, "points"),
    ({"reason": " "}, "reason"), ({"indicator": ""}, "indicator"), ({"box": "fax"}, "box"),
])
def test_bad_entries_are_refused_naming_the_field(city, change, field):
    with pytest.raises(Exception) as exc:
        entry(city, **change)
    assert getattr(exc.value, "field", None) == field
    assert LedgerEntry.objects.count() == 0


@pytest.fixture
def overdue(city, history):
    """Cases of May 6: deadline May 11 23:59:59 (a make-up working Saturday); the serious line is 5 more
    working days later, May 17 23:59:59."""
    h_b = history.handler(city.unit_b)
    cases = {
        "late": history.case(city.unit_b, at(5, 6, 9), replied=at(5, 22)),  # crossed May 17: counts
        "slightly_late": history.case(city.unit_b, at(5, 6, 9), replied=at(5, 16)),  # late, not seriously
        "open": history.case(city.unit_a1, at(5, 6, 9)),  # never replied: counts, for A (its unit)
        "asked": history.case(city.unit_b, at(5, 6, 9)),
        "june": history.case(city.unit_b, at(5, 28, 9)),  # crosses in June: not May's
    }
    history.do(cases["asked"], "request_extension", h_b, at(5, 10), reason="需协调", days=5)
    history.do(cases["asked"], "refuse_extension", city.user("dispatcher"), at(5, 11), reason="不予延期")
    return cases


def test_seriously_overdue_cases(overdue, city):
    found = seriously_overdue_cases(box="hotline", month=MAY, as_of=at(6, 10, 0), working_days=5)
    assert {c.number for c in found} == {overdue["late"].number, overdue["open"].number}
    crossing = {c.number: c.crossed_at.isoformat() for c in found}
    assert crossing[overdue["late"].number] == "2024-05-17T23:59:59+08:00"
    assert {c.number: c.unit_id for c in found}[overdue["open"].number] == city.unit_a1.pk


def test_overdue_threshold_is_configurable(overdue):
    found = seriously_overdue_cases(box="hotline", month=MAY, as_of=at(6, 10, 0), working_days=0)
    assert overdue["slightly_late"].number in {c.number for c in found}


def test_overdue_rule_raises_half_a_point_per_case_idempotently(overdue, city):
    sdef = compiled(local_scheme("yueyang-hotline"))
    assert apply_overdue_rule(sdef=sdef, month=MAY, as_of=at(6, 10, 0)) == 2
    assert apply_overdue_rule(sdef=sdef, month=MAY, as_of=at(6, 10, 0)) == 2
    expected = [("市乙局", overdue["late"].number, Decimal("-0.50")),
                ("甲区人民政府", overdue["open"].number, Decimal("-0.50"))]  # sub-unit A1 rolls up to A
    assert in_force(rule="serious_overdue") == expected
    assert LedgerEntry.objects.filter(rule="serious_overdue").count() == 2
    e = LedgerEntry.objects.get(rule_key=overdue["late"].number)
    assert (e.indicator, e.case_numbers, e.entered_by) == ("热线办理质量", [overdue["late"].number], None)


def test_overdue_rule_withdraws_an_entry_that_no_longer_applies(overdue):
    sdef = compiled(local_scheme("yueyang-hotline"))
    apply_overdue_rule(sdef=sdef, month=MAY, as_of=at(6, 10, 0))
    apply_overdue_rule(sdef=sdef, month=MAY, as_of=at(5, 21, 12))
    assert len(in_force(rule="serious_overdue")) == 2  # both had crossed by May 21 noon
    apply_overdue_rule(sdef=sdef, month=MAY, as_of=at(5, 15))
    assert in_force(rule="serious_overdue") == []
    assert LedgerEntry.objects.filter(rule="serious_overdue", reverses__isnull=False).count() == 2


def test_knowledge_misses_count_per_time(city):
    local_scheme("yueyang-hotline")
    record_knowledge_misses(scheme="t-yueyang-hotline", month=MAY, counts={city.unit_a.pk: 3})
    record_knowledge_misses(scheme="t-yueyang-hotline", month=MAY, counts={city.unit_a.pk: 3})
    assert in_force(rule="knowledge_missed") == [("甲区人民政府", "count", Decimal("-1.50"))]
    record_knowledge_misses(scheme="t-yueyang-hotline", month=MAY, counts={city.unit_a.pk: 1})
    assert in_force(rule="knowledge_missed") == [("甲区人民政府", "count", Decimal("-0.50"))]
    record_knowledge_misses(scheme="t-yueyang-hotline", month=MAY, counts={city.unit_a.pk: 0})
    assert in_force(rule="knowledge_missed") == []


def test_grade_penalties_for_a_published_run(city, history):
    local_scheme("yueyang-hotline")
    history.case(city.unit_a, at(5, 6, 9), replied=at(5, 7))  # grade A: nothing
    history.case(city.unit_b, at(5, 6, 9), replied=at(5, 16), result="unsatisfied")  # 50.0, grade E
    draft = run_month(scheme="t-yueyang-hotline", month=MAY)
    assert in_force(rule="grade_penalty") == []  # drafts raise nothing
    run = run_month(scheme="t-yueyang-hotline", month=MAY, publish=True)
    assert run.pk == draft.pk
    assert in_force(rule="grade_penalty") == [("市乙局", "grade", Decimal("-6.00"))]
    apply_grade_penalties(run=run)
    assert LedgerEntry.objects.filter(rule="grade_penalty").count() == 1
    assert LedgerEntry.objects.get(rule="grade_penalty").indicator == "热线办理综合考评"


def test_grade_penalty_points_are_configurable(city, history):
    data_change = {"ledger": {"mode": "beside", "auto": {
        "grade_penalty": {"indicator": "热线办理综合考评", "points": {"B": "-2", "C": "-3", "D": "-4", "E": "-6"}}}}}
    local_scheme("yueyang-hotline", **data_change)
    history.case(city.unit_b, at(5, 6, 9), replied=at(5, 7), result=None)  # 100 % but no callback: A
    history.case(city.unit_b, at(5, 6, 9), replied=at(5, 7), result="unsatisfied")
    # done 100, on time 100, rework 0, unsatisfied 1/1 -> 80.0, grade C
    run = run_month(scheme="t-yueyang-hotline", month=MAY, publish=True)
    assert {r["unit"]: r["grade"] for r in run_rows(run)}["市乙局"] == "C"
    assert in_force(rule="grade_penalty") == [("市乙局", "grade", Decimal("-3.00"))]
