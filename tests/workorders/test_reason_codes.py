"""Coded reasons on rework, verification, return and supervision (issue 13, part 1)."""
from __future__ import annotations

import pytest
from django.test import Client

from hotline.workorders.models import Event, ReasonCode
from hotline.workorders.selectors import reason_choices
from hotline.workorders.services import DomainError, transition


def replied(city):
    order = city.dispatched()
    h = city.user("handler_a")
    transition(order=order, action="accept", actor=h)
    transition(order=order, action="reply", actor=h, data={"text": "已处理"})
    return order


def test_the_seeded_codes_are_offered_per_action(db):
    rework = dict(reason_choices("rework"))
    assert {"false_closure", "off_point", "not_contacted", "wrong_content"} <= set(rework)
    assert rework["false_closure"] == "虚假结案" and rework["off_point"] == "文不对题"
    assert "not_our_duty" in dict(reason_choices("return")) and "not_our_duty" not in rework
    assert "overdue" in dict(reason_choices("supervise"))


def test_an_inactive_code_is_no_longer_offered(db):
    ReasonCode.objects.filter(code="off_point").update(active=False)
    assert "off_point" not in dict(reason_choices("rework"))


def test_rework_stores_the_code_and_label_and_a_code_alone_is_a_reason(city):
    order = replied(city)
    event = transition(order=order, action="rework", actor=city.user("reviewer"), data={"reason_code": "off_point"})
    assert (event.data["reason_code"], event.data["reason_label"], event.reason) == ("off_point", "文不对题", "文不对题")


def test_free_text_still_works_beside_or_without_a_code(city):
    order = replied(city)
    event = transition(order=order, action="rework", actor=city.user("reviewer"), reason="未答复第二个问题",
                       data={"reason_code": "incomplete"})
    assert (event.reason, event.data["reason_code"]) == ("未答复第二个问题", "incomplete")
    h = city.user("handler_a")
    transition(order=order, action="reply", actor=h, data={"text": "补充答复"})
    event = transition(order=order, action="rework", actor=city.user("reviewer"), reason="仍不完整")
    assert "reason_code" not in event.data and event.reason == "仍不完整"


@pytest.mark.parametrize("code", ["no_such_code", "not_our_duty", 7])
def test_an_unknown_or_unfitting_code_is_refused_naming_reason_code(city, code):
    order = replied(city)
    with pytest.raises(DomainError) as exc:
        transition(order=order, action="rework", actor=city.user("reviewer"), data={"reason_code": code})
    assert exc.value.field == "reason_code"
    assert not Event.objects.filter(order=order, kind="rework").exists()


def test_an_inactive_code_is_refused(city):
    ReasonCode.objects.filter(code="false_closure").update(active=False)
    order = replied(city)
    with pytest.raises(DomainError) as exc:
        transition(order=order, action="rework", actor=city.user("reviewer"), data={"reason_code": "false_closure"})
    assert exc.value.field == "reason_code"


def test_actions_without_codes_refuse_one(city):
    order = city.dispatched()
    with pytest.raises(DomainError) as exc:
        transition(order=order, action="accept", actor=city.user("handler_a"), data={"reason_code": "off_point"})
    assert exc.value.field == "reason_code"


def test_verification_codes_follow_the_verdict(city):
    order = replied(city)
    transition(order=order, action="accept_reply", actor=city.user("reviewer"))
    transition(order=order, action="callback", actor=None, data={"result": "unsatisfied"})
    with pytest.raises(DomainError) as exc:
        transition(order=order, action="verify", actor=city.user("callback"),
                   data={"upheld": False, "reason_code": "false_closure"})
    assert exc.value.field == "reason_code"
    event = transition(order=order, action="verify", actor=city.user("callback"),
                       data={"upheld": True, "reason_code": "false_closure"})
    assert event.data["reason_code"] == "false_closure" and event.to_status == "unsatisfied"
    event = transition(order=order, action="supervise", actor=city.user("supervisor"),
                       data={"reason_code": "verified_unsatisfied"})
    assert event.reason == "核实不满意需整改"


def test_a_return_takes_a_code(city):
    order = city.dispatched()
    event = transition(order=order, action="return", actor=city.user("handler_a"), reason="应由市乙局办理",
                       data={"reason_code": "not_our_duty"})
    assert event.data["reason_code"] == "not_our_duty"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_api_accepts_a_reason_code_and_names_the_field_when_bad(city):
    order = replied(city)
    client = _client(city.user("reviewer"))
    url = f"/api/cases/{order.number}/transitions"
    bad = client.post(url, {"action": "rework", "reason_code": "nope"}, content_type="application/json")
    assert bad.status_code in (400, 422)
    assert "reason_code" in bad.content.decode()
    ok = client.post(url, {"action": "rework", "reason_code": "false_closure", "reason": "现场未整改"},
                     content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["event"]["data"]["reason_code"] == "false_closure"


def test_the_api_lists_codes_per_action(city):
    client = _client(city.user("reviewer"))
    rows = client.get("/api/reason-codes?action=rework").json()
    assert {"code": "off_point", "label": "文不对题"} in rows
    assert client.get("/api/reason-codes?action=accept").status_code in (400, 422)


def test_another_unit_cannot_return_with_a_code(city):
    order = city.dispatched(unit=city.unit_b)
    client = _client(city.user("handler_a"))
    resp = client.post(f"/api/cases/{order.number}/transitions",
                       {"action": "return", "reason_code": "not_our_duty", "reason": "x"},
                       content_type="application/json")
    assert resp.status_code in (403, 404)
    assert not Event.objects.filter(order=order, kind="return").exists()


def test_administrators_edit_the_codes_but_never_delete_one(db):
    from hotline.directory.models import User

    admin = User.objects.create_superuser("boss", password="pw-12345678", role="admin")
    client = _client(admin)
    got = client.post("/admin/workorders/reasoncode/add/", {
        "code": "no_site_visit", "label": "未现场核查", "actions": ["rework", "verify"], "upheld": "unknown",
        "active": "on", "order": "30"})
    assert got.status_code == 302, got.content.decode()[-3000:]
    assert ReasonCode.objects.get(code="no_site_visit").actions == ["rework", "verify"]
    assert "no_site_visit" in dict(reason_choices("rework"))
    code = ReasonCode.objects.get(code="off_point")
    assert client.post(f"/admin/workorders/reasoncode/{code.pk}/delete/", {"post": "yes"}).status_code == 403


def test_verification_choices_follow_the_verdict(db):
    from hotline.workorders.selectors import reason_codes_for

    upheld = dict(reason_codes_for(action="verify", upheld=True))
    not_upheld = dict(reason_codes_for(action="verify", upheld=False))
    assert "false_closure" in upheld and "false_closure" not in not_upheld
    assert "unreasonable" in not_upheld and "unreasonable" not in upheld
