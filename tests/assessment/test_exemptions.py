"""Exemptions that stick (issue 13, part 3), and the admin paths of the ledger's records."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from hotline.assessment.ledger import active_entries, apply_automatic_rules
from hotline.assessment.models import CaseMark, Exemption, LeaderDay, LedgerEntry
from hotline.assessment.records import exempt, exempt_entry, withdraw_exemption
from hotline.assessment.selectors import ledger_report
from hotline.assessment.services import AssessmentError, compiled
from hotline.directory.models import User
from tests.assessment.conftest import MAY, at, local_scheme

CUTOFF = at(6, 10, 0)


@pytest.fixture
def scheme(city):
    return local_scheme("yueyang-hotline")


@pytest.fixture
def late(city, history):
    """A case that becomes seriously overdue in May (dispatched May 6, replied May 22)."""
    return history.case(city.unit_b, at(5, 6, 9), replied=at(5, 22))


def run(scheme):
    apply_automatic_rules(sdef=compiled(scheme), month=MAY, as_of=CUTOFF)


def overdue_lines():
    return [tuple(e.case_numbers) for e in active_entries(rule="serious_overdue")]


def test_an_exempted_penalty_is_not_raised_again_by_later_runs(scheme, city, late):
    run(scheme)
    [entry] = active_entries(rule="serious_overdue")
    exempt_entry(entry=entry, reason="暴雨停电，客观原因无法按期办理", actor=city.user("supervisor"))
    assert overdue_lines() == []
    run(scheme)
    run(scheme)
    assert overdue_lines() == []
    assert LedgerEntry.objects.filter(rule="serious_overdue").count() == 2  # the entry and its reversal only


def test_withdrawing_the_exemption_lets_the_next_run_raise_it_again(scheme, city, late):
    run(scheme)
    exemption = exempt_entry(entry=active_entries(rule="serious_overdue").get(), reason="客观原因", actor=None)
    withdraw_exemption(exemption=exemption, actor=None)
    run(scheme)
    assert overdue_lines() == [(late.number,)]


def test_an_exemption_made_before_the_first_run_keeps_the_case_out(scheme, city, late):
    exempt(rule="serious_overdue", rule_key=late.number, reason="上级平台转办件，时限另计", actor=None)
    run(scheme)
    assert overdue_lines() == []


def test_an_exemption_for_another_unit_does_not_cover_this_one(scheme, city, late):
    exempt(rule="serious_overdue", rule_key=late.number, reason="x", actor=None, unit=city.unit_a)
    run(scheme)
    assert overdue_lines() == [(late.number,)]


def test_the_report_lists_exemptions_apart_from_deductions(scheme, city, late):
    run(scheme)
    exempt_entry(entry=active_entries(rule="serious_overdue").get(), reason="客观原因", actor=None)
    report = ledger_report(sdef=compiled(scheme), month=MAY)
    assert [e["case_numbers"] for e in report["deductions"] if e["rule"] == "serious_overdue"] == []
    assert [(e["case_numbers"], e["exemption"], e["points"]) for e in report["exemptions"]] == [
        ([late.number], "客观原因", "-0.50")]


@pytest.mark.parametrize("change, field", [({"reason": " "}, "reason"), ({"rule_key": ""}, "rule_key"),
                                           ({"rule": ""}, "rule")])
def test_an_exemption_needs_a_rule_a_key_and_a_reason(city, change, field):
    kw = dict(rule="serious_overdue", rule_key="RX1", reason="理由", actor=None)
    with pytest.raises(AssessmentError) as exc:
        exempt(**{**kw, **change})
    assert exc.value.field == field and not Exemption.objects.exists()


def test_a_manual_entry_is_reversed_not_exempted(city):
    from hotline.assessment.ledger import add_entry

    entry = add_entry(unit=city.unit_a, month=MAY, box="hotline", indicator="信息报送", points="-1", reason="x",
                      actor=None)
    with pytest.raises(AssessmentError) as exc:
        exempt_entry(entry=entry, reason="y", actor=None)
    assert exc.value.field == "rule"


# --- admin -------------------------------------------------------------------------------------

@pytest.fixture
def admin_client(city) -> Client:
    user = User.objects.create_superuser("boss", password="pw-12345678", role="admin")
    client = Client()
    client.force_login(user)
    return client


def test_reversing_an_automatic_entry_in_the_admin_exempts_it(scheme, admin_client, late):
    run(scheme)
    entry = active_entries(rule="serious_overdue").get()
    admin_client.post("/admin/assessment/ledgerentry/", {"action": "reverse", "_selected_action": [entry.pk]})
    assert Exemption.objects.filter(rule="serious_overdue", rule_key=late.number).exists()
    run(scheme)
    assert overdue_lines() == []


def test_the_admin_adds_an_exemption_through_the_service(scheme, admin_client, late):
    run(scheme)
    got = admin_client.post("/admin/assessment/exemption/add/", {
        "scheme_name": "", "rule": "serious_overdue", "rule_key": late.number, "reason": "停电", "unit": "",
        "month": ""})
    assert got.status_code == 302, got.content.decode()[:2000]
    assert overdue_lines() == []


def test_a_manual_line_of_the_scheme_needs_its_evidence(scheme, admin_client, city):
    form = {"line": "t-yueyang-hotline:media_published", "unit": city.unit_a.pk, "month": "2024-05-01",
            "box": "hotline", "scheme_name": "", "indicator": "", "points": "", "reason": "",
            "case_numbers": "[]", "evidence": ""}
    got = admin_client.post("/admin/assessment/ledgerentry/add/", form)
    assert got.status_code == 200 and "按方案条目录入时须填写依据" in got.content.decode()
    got = admin_client.post("/admin/assessment/ledgerentry/add/",
                            {**form, "evidence": "岳阳日报 2024-05-20 第3版《…》"})
    assert got.status_code == 302, re.findall(r"errorlist[^<]*<li>([^<]*)", got.content.decode())
    entry = LedgerEntry.objects.get()
    assert (entry.indicator, entry.points, entry.scheme_name) == ("信息报送", Decimal("0.50"), "t-yueyang-hotline")
    assert "岳阳日报" in entry.reason and entry.rule == ""


def test_the_admin_marks_a_case_and_records_a_leader_day(admin_client, city, history):
    order = history.case(city.unit_b, at(5, 6, 9))
    got = admin_client.post("/admin/assessment/casemark/add/",
                            {"number": order.number, "kind": "excellent", "month": "2024-05-01", "reason": "一次办结"})
    assert got.status_code == 302 and CaseMark.objects.get().unit == city.unit_b
    got = admin_client.post("/admin/assessment/leaderday/add/", {
        "leader": "李县长", "title": "县长", "leader_user": "", "unit": city.unit_a.pk, "date": "2024-05-15",
        "session": "am", "note": ""})
    assert got.status_code == 302 and LeaderDay.objects.get().date == dt.date(2024, 5, 15)
    assert "李县长" in admin_client.get("/admin/assessment/leaderday/").content.decode()


def test_the_ledger_api_lists_exemptions_and_another_unit_does_not_see_them(scheme, city, late):
    from hotline.assessment.services import run_month

    run_month(scheme=scheme.name, month=MAY, as_of=CUTOFF)
    exempt_entry(entry=active_entries(rule="serious_overdue").get(), reason="客观原因", actor=None)
    run = run_month(scheme=scheme.name, month=MAY, as_of=CUTOFF, publish=True)
    url = f"/api/assessment/runs/{run.pk}/ledger"

    def get(user):
        client = Client()
        client.force_login(user)
        return client.get(url).json()

    assert [e["case_numbers"] for e in get(city.user("supervisor"))["exemptions"]] == [[late.number]]
    assert get(city.user("handler_a"))["exemptions"] == []  # 市乙局's exemption: not unit A's business
    assert [e["exemption"] for e in get(city.user("handler_b"))["exemptions"]] == ["客观原因"]
