"""Re-running a month is idempotent line for line; a late event changes exactly its lines (issue 13, part 6)."""
from __future__ import annotations

import datetime as dt

import pytest

from hotline.assessment.ledger import active_entries
from hotline.assessment.models import LeaderDay, LedgerEntry
from hotline.assessment.records import mark_case, record_leader_day
from hotline.assessment.services import compute_month
from hotline.directory.models import Tag
from tests.assessment.conftest import MAY, at, local_scheme

CUTOFF = at(6, 10, 0)


def in_force():
    return {(e.unit.name, e.rule, e.rule_key, e.points, tuple(e.case_numbers), e.scheme_name)
            for e in active_entries()}


@pytest.fixture
def month(city, history):
    """A May with one fault of every event-proven kind, run once for both Yueyang hotline and Xiangtan."""
    b = history.handler(city.unit_b)
    cases = {}
    cases["overdue"] = history.case(city.unit_b, at(5, 6, 9), replied=at(5, 22))
    cases["late_contact"] = history.case(city.unit_a, at(5, 13, 9), contact=False)
    history.do(cases["late_contact"], "contact", history.handler(city.unit_a), at(5, 15))
    cases["off_point"] = history.case(city.unit_b, at(5, 7, 9))
    history.do(cases["off_point"], "reply", b, at(5, 8), text="x")
    history.do(cases["off_point"], "rework", city.user("reviewer"), at(5, 8, 15), reason_code="off_point")
    cases["extension"] = history.case(city.unit_b, at(5, 13, 9))
    history.do(cases["extension"], "request_extension", b, at(5, 14), reason="需协调", days=5)
    history.do(cases["extension"], "approve_extension", city.user("dispatcher"), at(5, 14, 15))
    cases["excellent"] = history.case(city.unit_a, at(5, 6, 9), replied=at(5, 7))
    mark_case(order=cases["excellent"], kind="excellent", reason="一次办结", actor=None, month=MAY)
    tag, _ = Tag.objects.get_or_create(code="leader_day", defaults={"name": "领导接听日"})
    city.new_order(at=at(5, 15, 9)).tags.add(tag)
    record_leader_day(leader="王市长", unit=city.unit_a, date=dt.date(2024, 5, 15), session="am", actor=None)
    local_scheme("yueyang-hotline")
    local_scheme("xiangtan-hotline")
    for scheme in ("t-yueyang-hotline", "t-xiangtan-hotline"):
        compute_month(scheme=scheme, month=MAY, as_of=CUTOFF)
    return cases


def rerun():
    return [compute_month(scheme=s, month=MAY, as_of=CUTOFF) for s in ("t-yueyang-hotline", "t-xiangtan-hotline")]


def test_the_month_raises_each_expected_line(month):
    yy, xt = "t-yueyang-hotline", "t-xiangtan-hotline"
    n = {k: o.number for k, o in month.items()}
    day = f"leader-day-{LeaderDay.objects.get().pk}"
    assert sorted((rule, key, scheme) for _, rule, key, _, _, scheme in in_force()) == sorted([
        ("serious_overdue", n["overdue"], yy),
        ("serious_overdue", n["late_contact"], yy),  # never replied either
        ("quality_fault", n["late_contact"], yy), ("quality_fault", n["off_point"], yy),
        ("excellent_case", n["excellent"], yy), ("excellent_case", n["excellent"], xt),
        ("leader_day", day, yy), ("leader_day", day, xt),
        ("extension_unexplained", "unit", xt),
    ])


def test_running_the_month_again_changes_no_line_and_stores_no_new_version(month):
    before, rows = in_force(), LedgerEntry.objects.count()
    results = rerun()
    assert in_force() == before and LedgerEntry.objects.count() == rows
    assert [r.created for r in results] == [False, False]


def test_a_late_event_changes_exactly_the_lines_it_should(month, city, history):
    before = in_force()
    late = history.case(city.unit_b, at(5, 20, 9))
    history.do(late, "reply", history.handler(city.unit_b), at(5, 21), text="x")
    history.do(late, "rework", city.user("reviewer"), at(5, 21, 15), reason_code="false_closure")
    rerun()
    added = in_force() - before
    assert in_force() - added == before  # nothing withdrawn
    assert {(rule, key) for _, rule, key, _, _, _ in added} == {("quality_fault", late.number)}
    # The unit then explains the extension to the citizen: only the Xiangtan 联通 line goes.
    before = in_force()
    history.do(month["extension"], "contact", history.handler(city.unit_b), at(5, 22))
    rerun()
    assert before - in_force() == {e for e in before if e[1] == "extension_unexplained"}
    assert in_force() - before == set()
