"""The assessment API: published tables for every staff user, drafts for hotline staff, and the
cases behind a number for hotline staff or the unit itself only."""
import datetime as dt

import pytest
from django.test import Client

from hotline.assessment.services import run_month
from hotline.directory.models import User
from tests.assessment.conftest import MAY, at, local_scheme

pytestmark = pytest.mark.urls("tests.assessment.urls")
BASE = "/api/assessment"


@pytest.fixture
def runs(city, history, time_machine):
    local_scheme("yueyang-hotline")
    a1 = history.case(city.unit_a1, at(5, 6, 9), replied=at(5, 7))
    b = history.case(city.unit_b, at(5, 6, 9), replied=at(5, 16), result="unsatisfied")
    time_machine.move_to(at(6, 2), tick=False)  # published on June 2, before the cut-off
    published = run_month(scheme="t-yueyang-hotline", month=MAY, publish=True)
    time_machine.move_to(at(6, 3, 11), tick=False)
    history.do(b, "verify", city.user("callback"), at(6, 3), upheld=False)  # a late correction
    time_machine.move_to(at(6, 11), tick=False)
    draft = run_month(scheme="t-yueyang-hotline", month=MAY)
    return {"published": published, "draft": draft, "a1_case": a1.number, "b_case": b.number}


def client_for(city, role: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=city.user(role).pk))
    return client


def test_anonymous_gets_401(runs):
    assert Client().get(f"{BASE}/runs").status_code == 401


def test_unit_handler_lists_published_runs_only(runs, city):
    got = client_for(city, "handler_b").get(f"{BASE}/runs").json()
    assert [(r["version"], r["status"]) for r in got] == [(1, "published")]
    staff = client_for(city, "supervisor").get(f"{BASE}/runs", {"month": "2024-05"}).json()
    assert [(r["version"], r["status"]) for r in staff] == [(2, "draft"), (1, "published")]


def test_draft_detail_is_hidden_from_units(runs, city):
    draft = runs["draft"].pk
    assert client_for(city, "handler_a").get(f"{BASE}/runs/{draft}").status_code == 404
    detail = client_for(city, "leader").get(f"{BASE}/runs/{draft}").json()
    assert detail["compared_to_version"] == 1 and detail["diff"]


def test_published_table_shows_every_unit_to_a_unit_handler(runs, city):
    detail = client_for(city, "handler_b").get(f"{BASE}/runs/{runs['published'].pk}").json()
    assert {r["unit"]: r["score"] for r in detail["rows"]} == {"甲区人民政府": "100.0", "市乙局": "50.0"}
    assert detail["columns"][-2:] == ["grade", "rank"]


def test_unit_sees_the_cases_behind_its_own_number(runs, city):
    url = f"{BASE}/runs/{runs['published'].pk}/explain"
    got = client_for(city, "handler_a").get(url, {"unit": city.unit_a.pk, "input": "due"})
    assert got.status_code == 200
    body = got.json()
    assert (body["value"], body["sources"]) == ("1", [{"metric": "due", "cases": [runs["a1_case"]]}])


def test_other_unit_cannot_see_the_cases(runs, city):
    url = f"{BASE}/runs/{runs['published'].pk}/explain"
    assert client_for(city, "handler_b").get(url, {"unit": city.unit_a.pk, "input": "due"}).status_code == 404
    # nor can a sub-unit's handler see its parent's figures
    assert client_for(city, "handler_a1").get(url, {"unit": city.unit_a.pk, "input": "due"}).status_code == 404


def test_hotline_staff_see_any_units_cases(runs, city):
    url = f"{BASE}/runs/{runs['published'].pk}/explain"
    body = client_for(city, "supervisor").get(url, {"unit": city.unit_b.pk, "input": "unsatisfied"}).json()
    # The published run read the history on June 2: the later verification does not change its drill-down.
    assert dt.datetime.fromisoformat(body["as_of"]) == at(6, 2)
    assert (body["value"], body["sources"]) == ("1", [{"metric": "unsatisfied", "cases": [runs["b_case"]]}])
    newer = client_for(city, "supervisor").get(
        f"{BASE}/runs/{runs['draft'].pk}/explain", {"unit": city.unit_b.pk, "input": "unsatisfied"}).json()
    assert (newer["value"], newer["sources"][0]["cases"]) == ("0", [])


def test_explain_checks_the_count_against_the_stored_value(runs, city):
    url = f"{BASE}/runs/{runs['published'].pk}/explain"
    body = client_for(city, "supervisor").get(url, {"unit": city.unit_b.pk, "input": "on_time"}).json()
    assert (body["value"], body["sources"][0]["cases"], body["consistent"]) == ("0", [], True)


def test_unknown_input_is_a_422_naming_the_field(runs, city):
    url = f"{BASE}/runs/{runs['published'].pk}/explain"
    got = client_for(city, "supervisor").get(url, {"unit": city.unit_b.pk, "input": "nonsense"})
    assert got.status_code == 422 and got.json()["detail"][0]["field"] == "input"


def test_rankings_endpoint(runs, city):
    body = client_for(city, "handler_a").get(f"{BASE}/runs/{runs['published'].pk}/rankings").json()
    assert body["summary"] == "A 类 1 个，B 类 0 个，C 类 0 个，D 类及以下 1 个，工单量为 0 的 0 个"
    assert [(b["group"], [r["unit"] for r in b["top"]]) for b in body["buckets"]] == [
        ("county", ["甲区人民政府"]), ("department", [])]  # 市乙局 has 1 order: below the floor of 50
