"""GET /api/cases, /api/cases/{number}, /events, POST /phone: scoping, masking, confidentiality."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hotline.directory.models import Channel, User
from hotline.audit.models import AuditEntry
from hotline.workorders.services import transition

TZ = timezone.get_current_timezone()


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["number"] for item in response.json()["items"]]


@pytest.fixture
def cases(city):
    """One case held by A, one by A's sub-unit A1, one by B, one not yet dispatched."""
    return {
        "a": city.dispatched(unit=city.unit_a).number,
        "a1": city.dispatched(unit=city.unit_a1, content="井盖缺失").number,
        "b": city.dispatched(unit=city.unit_b).number,
        "new": city.new_order(content="咨询社保").number,
    }


# --- list -------------------------------------------------------------------------------------

def test_hotline_staff_see_every_case(as_user, cases):
    assert sorted(numbers(as_user("dispatcher").get("/api/cases"))) == sorted(cases.values())


def test_unit_handler_sees_own_unit_and_sub_units_only(as_user, cases):
    assert sorted(numbers(as_user("handler_a").get("/api/cases"))) == sorted([cases["a"], cases["a1"]])


def test_other_unit_does_not_see_a_cases_in_list(as_user, cases):
    assert numbers(as_user("handler_b").get("/api/cases")) == [cases["b"]]
    assert numbers(as_user("handler_a1").get("/api/cases")) == [cases["a1"]]


def test_co_handling_unit_sees_the_case(as_user, city):
    order = city.new_order()
    transition(order=order, action="dispatch", actor=city.user("dispatcher"),
               data={"unit": city.unit_a.pk, "co_units": [city.unit_b.pk]})
    assert numbers(as_user("handler_b").get("/api/cases")) == [order.number]


def test_list_masks_phones(as_user, cases):
    items = as_user("dispatcher").get("/api/cases").json()["items"]
    assert {item["citizen_phone"] for item in items} == {"138****5678"}


def test_confidential_identity_hidden_from_units_in_list(as_user, city):
    city.dispatched(unit=city.unit_a, confidential=True, citizen_name="王五")
    [item] = as_user("handler_a").get("/api/cases").json()["items"]
    assert (item["citizen_name"], item["citizen_phone"]) == ("（保密）", "（保密）")
    [item] = as_user("dispatcher").get("/api/cases").json()["items"]
    assert (item["citizen_name"], item["citizen_phone"], item["confidential"]) == ("王五", "138****5678", True)


def test_filters(as_user, city, cases):
    staff = as_user("dispatcher")
    assert numbers(staff.get("/api/cases", {"status": "new"})) == [cases["new"]]
    assert sorted(numbers(staff.get("/api/cases", {"unit": city.unit_a.pk}))) == sorted([cases["a"], cases["a1"]])
    assert numbers(staff.get("/api/cases", {"unit": city.unit_a1.pk})) == [cases["a1"]]
    assert numbers(staff.get("/api/cases", {"q": "井盖"})) == [cases["a1"]]
    assert numbers(staff.get("/api/cases", {"q": cases["b"]})) == [cases["b"]]
    assert numbers(staff.get("/api/cases", {"box": "mailbox"})) == []
    assert len(numbers(staff.get("/api/cases", {"channel": "phone"}))) == 4
    assert numbers(staff.get("/api/cases", {"overdue": "true"})) == []


def test_filter_by_box_channel_and_overdue(as_user, city):
    portal = Channel.objects.create(code="portal", name="市长信箱")
    letter = city.new_order(box="mailbox", channel=portal)
    late = city.dispatched(unit=city.unit_b)
    late.overdue = True
    late.save(update_fields=["overdue"])
    staff = as_user("supervisor")
    assert numbers(staff.get("/api/cases", {"box": "mailbox"})) == [letter.number]
    assert numbers(staff.get("/api/cases", {"channel": "portal"})) == [letter.number]
    assert numbers(staff.get("/api/cases", {"overdue": "true"})) == [late.number]


def test_filter_by_received_dates_is_inclusive_in_local_time(as_user, city):
    early = city.new_order(at=dt.datetime(2024, 5, 1, 0, 30, tzinfo=TZ))
    late = city.new_order(at=dt.datetime(2024, 5, 3, 23, 50, tzinfo=TZ))
    city.new_order(at=dt.datetime(2024, 5, 4, 0, 10, tzinfo=TZ))
    staff = as_user("dispatcher")
    got = numbers(staff.get("/api/cases", {"received_from": "2024-05-01", "received_to": "2024-05-03"}))
    assert got == [late.number, early.number]


def test_pagination(as_user, city):
    made = [city.new_order().number for _ in range(5)]
    staff = as_user("dispatcher")
    page2 = staff.get("/api/cases", {"page": 2, "page_size": 2}).json()
    assert page2["count"] == 5 and (page2["page"], page2["page_size"]) == (2, 2)
    assert [i["number"] for i in page2["items"]] == list(reversed(made))[2:4]


@pytest.mark.parametrize("params,field", [
    ({"status": "lost"}, "status"), ({"page": 0}, "page"), ({"page_size": 1000}, "page_size"),
    ({"received_from": "yesterday"}, "received_from"), ({"unit": "x"}, "unit"), ({"unit": 999999}, "unit"),
    ({"channel": "pigeon"}, "channel"), ({"overdue": "perhaps"}, "overdue"), ({"unit": 10**20}, "unit"),
    ({"q": "路灯\x00"}, "q"), ({"page": 10**12}, "page"),
])
def test_bad_filters_are_named(as_user, cases, params, field):
    response = as_user("dispatcher").get("/api/cases", params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]


# --- detail and events ------------------------------------------------------------------------

def test_detail_for_dispatcher_with_allowed_actions(as_user, cases):
    response = as_user("dispatcher").get(f"/api/cases/{cases['new']}")
    assert response.status_code == 200
    body = response.json()
    assert body["content"] == "咨询社保" and body["citizen_phone"] == "138****5678"
    assert [a["action"] for a in body["allowed_actions"]] == ["answer", "dispatch", "merge", "mark_invalid"]
    assert body["can_reveal_phone"] is False


def test_detail_for_holding_unit_offers_unit_actions(as_user, cases):
    body = as_user("handler_a").get(f"/api/cases/{cases['a1']}").json()
    assert [a["action"] for a in body["allowed_actions"]] == ["accept", "return"]
    assert body["unit"]["name"] == "甲区某街道" and body["can_reveal_phone"] is True


def test_co_handling_unit_gets_no_unit_bound_actions(as_user, city):
    order = city.new_order()
    transition(order=order, action="dispatch", actor=city.user("dispatcher"),
               data={"unit": city.unit_a.pk, "co_units": [city.unit_b.pk]})
    body = as_user("handler_b").get(f"/api/cases/{order.number}").json()
    assert body["allowed_actions"] == []
    assert [u["id"] for u in body["co_units"]] == [city.unit_b.pk]


def test_other_unit_gets_404_on_detail_and_events(as_user, cases):
    handler_b = as_user("handler_b")
    for url in (f"/api/cases/{cases['a']}", f"/api/cases/{cases['a']}/events"):
        response = handler_b.get(url)
        assert response.status_code == 404
        assert response.json()["detail"][0]["code"] == "not_found"


def test_unknown_number_is_404(as_user, cases):
    assert as_user("dispatcher").get("/api/cases/RX00000000000000").status_code == 404


def test_confidential_identity_hidden_from_units_in_detail(as_user, city):
    order = city.dispatched(unit=city.unit_a, confidential=True, citizen_name="王五")
    body = as_user("handler_a").get(f"/api/cases/{order.number}").json()
    assert (body["citizen_name"], body["citizen_phone"], body["can_reveal_phone"]) == ("（保密）", "（保密）", False)
    assert "王五" not in str(body) and "13812345678" not in str(body)


def test_events_history(as_user, cases):
    response = as_user("handler_a").get(f"/api/cases/{cases['a']}/events")
    assert response.status_code == 200
    events = response.json()
    assert [(e["seq"], e["kind"], e["to_status"]) for e in events] == [
        (1, "create", "new"), (2, "dispatch", "dispatched")]
    assert events[1]["actor"] == "dispatcher" and "deadline" in events[1]["data"]


# --- phone ------------------------------------------------------------------------------------

def test_operator_reveals_phone_and_it_is_audited(as_user, city, cases):
    response = as_user("operator").post(f"/api/cases/{cases['new']}/phone")
    assert response.status_code == 200
    assert response.json() == {"number": cases["new"], "citizen_phone": "13812345678"}
    access = AuditEntry.objects.get(action="reveal_phone")
    assert (access.actor, access.detail["via"], access.object_repr) == (city.user("operator"), "api", cases["new"])
    assert access.citizen_phone == "13812345678"


def test_holding_unit_reveals_phone(as_user, cases):
    assert as_user("handler_a").post(f"/api/cases/{cases['a']}/phone").json()["citizen_phone"] == "13812345678"


@pytest.mark.parametrize("role", ["reviewer", "dispatcher", "leader"])
def test_roles_without_need_get_403_on_phone(as_user, cases, role):
    response = as_user(role).post(f"/api/cases/{cases['a']}/phone")
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="reveal_phone").exists()


def test_unit_cannot_reveal_confidential_phone(as_user, city):
    order = city.dispatched(unit=city.unit_a, confidential=True)
    assert as_user("handler_a").post(f"/api/cases/{order.number}/phone").status_code == 403


def test_other_unit_gets_404_on_phone(as_user, cases):
    assert as_user("handler_b").post(f"/api/cases/{cases['a']}/phone").status_code == 404
    assert not AuditEntry.objects.filter(action="reveal_phone").exists()


# --- authentication ---------------------------------------------------------------------------

@pytest.mark.parametrize("method,url", [
    ("get", "/api/cases"), ("get", "/api/cases/{n}"), ("get", "/api/cases/{n}/events"),
    ("post", "/api/cases/{n}/phone"), ("post", "/api/cases/{n}/transitions"),
])
def test_anonymous_gets_401(cases, method, url):
    response = getattr(Client(), method)(url.format(n=cases["a"]))
    assert response.status_code == 401
    assert response.json()["detail"][0]["field"] == "Authorization"


def test_integration_token_is_not_a_staff_credential(client, cases, wechat):
    response = client.get("/api/cases", headers={"Authorization": f"Bearer {wechat.raw}"})
    assert response.status_code == 401


def test_inactive_user_gets_401(as_user, city, cases):
    client = as_user("dispatcher")
    assert client.get("/api/cases").status_code == 200
    User.objects.filter(pk=city.user("dispatcher").pk).update(is_active=False)
    assert client.get("/api/cases").status_code == 401
