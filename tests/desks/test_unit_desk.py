"""承办台: the unit's inbox by working-day countdown, tabs, the case panel's per-action forms."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from hotline.audit.models import AuditAction, AuditEntry
from hotline.workorders.models import Event
from hotline.workorders.services import transition

URL = "/desk/unit/"


@pytest.fixture
def handler(client, city):
    client.force_login(city.user("handler_a"))
    return city.user("handler_a")


def _act(client, number, action, query="", **fields):
    data = {f"{action}-{k}": v for k, v in fields.items()}
    return client.post(f"{URL}case/{number}/{action}/{query}", data)


def test_inbox_sorted_by_countdown_overdue_on_top_red_at_one_day(client, city, handler):
    late = city.dispatched(at=timezone.now() - dt.timedelta(days=30))
    fresh = city.dispatched()
    sub = city.dispatched(unit=city.unit_a1)  # a sub-unit's case is in the unit's inbox
    body = client.get(URL).content.decode()
    positions = [body.index(o.number) for o in (late, fresh)]
    assert positions == sorted(positions) and sub.number in body
    row = body.split(late.number)[0].rsplit("<tr", 1)[1]
    assert 'countdown red' in row and "超期" in row


def test_other_units_cases_are_not_in_the_inbox(client, city, handler):
    other = city.dispatched(unit=city.unit_b)
    body = client.get(URL).content.decode()
    assert other.number not in body
    assert client.get(f"{URL}?case={other.number}").content.decode().count("工单不存在或不属于本单位") == 1


def test_another_unit_cannot_act(client, city, handler):
    other = city.dispatched(unit=city.unit_b)
    resp = _act(client, other.number, "accept", version=other.version)
    assert resp.status_code == 404
    other.refresh_from_db()
    assert other.status == "dispatched"


def test_sub_unit_handler_cannot_see_parent_units_cases(client, city):
    parent_case = city.dispatched(unit=city.unit_a)
    client.force_login(city.user("handler_a1"))
    assert parent_case.number not in client.get(URL).content.decode()


@pytest.mark.parametrize("tab, expect", [
    ("pending", {"dispatched"}), ("doing", {"accepted", "extension", "supervised"}), ("returned", {"returned"}),
    ("extended", {"extension"}), ("supervised", {"supervised"}),
])
def test_tabs(client, city, handler, tab, expect):
    h = city.user("handler_a")
    cases = {"dispatched": city.dispatched(), "accepted": city.dispatched(), "returned": city.dispatched(),
             "extension": city.dispatched(), "supervised": city.dispatched()}
    for key in ("accepted", "extension", "supervised"):
        transition(order=cases[key], action="accept", actor=h)
    transition(order=cases["returned"], action="return", actor=h, reason="不属本单位")
    transition(order=cases["extension"], action="request_extension", actor=h, reason="需协调", data={"days": 5})
    transition(order=cases["supervised"], action="supervise", actor=city.user("supervisor"), reason="尽快办理")
    body = client.get(f"{URL}?tab={tab}").content.decode()
    table = body.split("<tbody>")[1].split("</tbody>")[0]
    shown = {k for k, o in cases.items() if o.number in table}
    assert shown == expect


def test_accept_from_the_panel(client, city, handler):
    order = city.dispatched()
    resp = _act(client, order.number, "accept", "?tab=pending", version=order.version)
    assert resp.status_code == 302 and f"case={order.number}" in resp.url and "tab=pending" in resp.url
    order.refresh_from_db()
    assert order.status == "accepted"


def test_panel_shows_only_the_actions_of_the_status(client, city, handler):
    order = city.dispatched()
    body = client.get(f"{URL}?case={order.number}").content.decode()
    assert 'id="act-accept"' in body and 'id="act-return"' in body and 'id="act-reply"' not in body
    transition(order=order, action="accept", actor=handler)
    body = client.get(f"{URL}?case={order.number}").content.decode()
    for action in ("contact", "request_extension", "reply", "return"):
        assert f'id="act-{action}"' in body
    assert 'id="act-accept"' not in body
    # the extension form shows only its own fields
    ext = body.split('id="act-request_extension"')[1].split("</details>")[0]
    assert set(re.findall(r'name="([\w-]+)"', ext)) == {"csrfmiddlewaretoken", "action", "request_extension-version",
                                                          "request_extension-days", "request_extension-reason"}


def test_contact_reply_extension_return(client, city, handler):
    order = city.dispatched()
    transition(order=order, action="accept", actor=handler)
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    order.refresh_from_db()
    assert _act(client, order.number, "contact", version=order.version, how="phone", when=when,
                outcome="已联系").status_code == 302
    order.refresh_from_db()
    assert _act(client, order.number, "request_extension", version=order.version, days=5,
                reason="需协调多部门").status_code == 302
    order.refresh_from_db()
    assert order.extension_pending
    assert _act(client, order.number, "reply", version=order.version, text="已修复路灯").status_code == 302
    kinds = list(Event.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds[-3:] == ["contact", "request_extension", "reply"]
    contact = Event.objects.get(order=order, kind="contact")
    assert contact.data["how"] == "phone" and contact.data["outcome"] == "已联系"


@pytest.mark.parametrize("action, fields, field, message", [
    ("request_extension", {"days": 45, "reason": "需协调"}, "days", "不能大于 30"),
    ("request_extension", {"days": "", "reason": "需协调"}, "days", "请填写此项"),
    ("request_extension", {"days": 3, "reason": ""}, "reason", "请填写此项"),
    ("reply", {"text": "长" * 4001}, "text", "不能超过 4000 字"),
    ("return", {"reason": "长" * 501}, "reason", "不能超过 500 字"),
    ("contact", {"how": "pigeon", "when": "2024-01-01T10:00", "outcome": "x"}, "how", "请从列表中选择"),
])
def test_bad_input_is_shown_next_to_its_field_and_kept(client, city, handler, action, fields, field, message):
    order = city.dispatched()
    transition(order=order, action="accept", actor=handler)
    order.refresh_from_db()
    before = order.version
    resp = _act(client, order.number, action, version=order.version, **fields)
    body = resp.content.decode()
    assert resp.status_code == 400
    errors = body.split(f'id="id_{action}-{field}-errors"')[1].split("</ul>")[0]
    assert message in errors
    for key, value in fields.items():
        if key != "how" and value and len(str(value)) < 100:  # (a bad choice cannot be shown selected)
            assert str(value) in body  # typed input kept
    order.refresh_from_db()
    assert order.version == before


def test_service_refusal_lands_next_to_the_field(client, city, handler):
    order = city.dispatched()
    transition(order=order, action="accept", actor=handler)
    order.refresh_from_db()
    resp = _act(client, order.number, "contact", version=order.version, how="phone",
                when="2000-01-01T10:00", outcome="已联系")
    errors = resp.content.decode().split('id="id_contact-when-errors"')[1].split("</ul>")[0]
    assert resp.status_code == 400 and "联系时间不能早于派单时间" in errors


def test_stale_version_says_reload(client, city, handler):
    order = city.dispatched()
    seen = order.version
    transition(order=order, action="accept", actor=handler)
    resp = _act(client, order.number, "return", version=seen, reason="不属本单位")
    assert resp.status_code == 400 and "该工单已被他人修改，请刷新页面后重试" in resp.content.decode()


def test_phone_only_masked_and_revealed_with_audit(client, city, handler):
    order = city.dispatched()
    body = client.get(f"{URL}?case={order.number}").content.decode()
    assert "13812345678" not in body and "138****5678" in body and "查看完整号码" in body
    assert client.post(f"/cases/{order.number}/phone/").content.decode() == "13812345678"
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL_PHONE, object_id=str(order.pk),
                                     actor_id=handler.pk).count() == 1


def test_confidential_case_hides_identity_and_cannot_be_found_by_phone(client, city, handler):
    order = city.dispatched(confidential=True)
    body = client.get(f"{URL}?case={order.number}").content.decode()
    assert "张三" not in body and "5678" not in body and "查看完整号码" not in body
    table = client.get(f"{URL}?q=5678").content.decode().split("<tbody>")[1]
    assert order.number not in table


def test_search_by_number_and_phone_tail(client, city, handler):
    a = city.dispatched(citizen_phone="13900001111")
    b = city.dispatched()
    table = client.get(f"{URL}?q=1111").content.decode().split("<tbody>")[1]
    assert a.number in table and b.number not in table
    table = client.get(f"{URL}?q={b.number}").content.decode().split("<tbody>")[1]
    assert b.number in table and a.number not in table


def test_other_roles_get_403(client, city):
    client.force_login(city.user("dispatcher"))
    assert client.get(URL).status_code == 403


def test_inbox_queries_do_not_grow_with_rows(client, city, handler, django_assert_max_num_queries):
    for _ in range(12):
        city.dispatched()
    order = city.dispatched()
    with django_assert_max_num_queries(27):  # constant: one per coded-reason form, the audit rows; none per row
        client.get(f"{URL}?case={order.number}")
