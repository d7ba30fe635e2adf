"""回访台: cases awaiting callback, results with attempts, the month's reproducible spot-check sample."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from hotline.workorders.models import CallbackSample, Event
from hotline.workorders.sampling import draw_callback_sample, in_sample
from hotline.workorders.services import DomainError, ForbiddenMove, transition

URL = "/desk/callback/"


@pytest.fixture
def agent(client, city):
    client.force_login(city.user("callback"))
    return city.user("callback")


def _in_callback(city, **kw):
    order = city.dispatched(**kw)
    h = city.user("handler_a")
    transition(order=order, action="accept", actor=h)
    transition(order=order, action="reply", actor=h, data={"text": "已修复"})
    transition(order=order, action="accept_reply", actor=city.user("reviewer"))
    return order


def _act(client, number, **fields):
    return client.post(f"{URL}case/{number}/callback/", {f"callback-{k}": v for k, v in fields.items()})


def test_waiting_lists_cases_awaiting_callback(client, city, agent):
    waiting, replied = _in_callback(city), city.dispatched()
    table = client.get(URL).content.decode().split("<tbody>")[1]
    assert waiting.number in table and replied.number not in table


def test_satisfied_closes(client, city, agent):
    order = _in_callback(city)
    assert _act(client, order.number, version=order.version, result="satisfied").status_code == 302
    order.refresh_from_db()
    event = Event.objects.get(order=order, kind="callback")
    assert order.status == "closed" and event.method == "manual"


def test_unreachable_needs_attempts_then_goes_to_retry(client, city, agent):
    order = _in_callback(city)
    resp = _act(client, order.number, version=order.version, result="unreachable")
    assert resp.status_code == 400
    assert "拨打次数" in resp.content.decode().split('id="id_callback-attempts-errors"')[1].split("</ul>")[0]
    assert _act(client, order.number, version=order.version, result="unreachable", attempts=3).status_code == 302
    assert Event.objects.get(order=order, kind="callback").data["attempts"] == 3
    table = client.get(f"{URL}?tab=retry").content.decode().split("<tbody>")[1]
    assert order.number in table and "未接通" in table


@pytest.mark.parametrize("fields, field, message", [
    ({"result": "great"}, "result", "请从列表中选择"),
    ({"result": "unreachable", "attempts": 99}, "attempts", "不能大于 20"),
    ({"result": "basic", "reason": "长" * 501}, "reason", "不能超过 500 字"),
])
def test_bad_callback_input(client, city, agent, fields, field, message):
    order = _in_callback(city)
    resp = _act(client, order.number, version=order.version, **fields)
    assert resp.status_code == 400
    assert message in resp.content.decode().split(f'id="id_callback-{field}-errors"')[1].split("</ul>")[0]


def test_phone_revealed_only_through_the_audited_view(client, city, agent):
    order = _in_callback(city)
    body = client.get(f"{URL}?case={order.number}").content.decode()
    assert "13812345678" not in body and "查看完整号码" in body


def test_sample_is_reproducible_and_tops_up(city):
    month = timezone.localdate().replace(day=1)
    orders = [_in_callback(city) for _ in range(12)]
    expected = {o.pk for o in orders if in_sample(month=month, number=o.number, rate=Decimal("0.5"))}
    added = draw_callback_sample(month=month, actor=city.user("callback"), rate="0.5")
    assert added == len(expected) and set(CallbackSample.objects.values_list("order_id", flat=True)) == expected
    assert draw_callback_sample(month=month, actor=city.user("callback"), rate="0.5") == 0  # again: same sample
    more = [_in_callback(city) for _ in range(6)]
    new = {o.pk for o in more if in_sample(month=month, number=o.number, rate=Decimal("0.5"))}
    assert draw_callback_sample(month=month, actor=city.user("callback"), rate="0.5") == len(new)
    assert 0 < len(expected) < 12  # the hash splits the cases (fixed numbers: deterministic)


def test_sample_rules(city):
    month = timezone.localdate().replace(day=1)
    with pytest.raises(ForbiddenMove):
        draw_callback_sample(month=month, actor=city.user("handler_a"))
    with pytest.raises(DomainError):
        draw_callback_sample(month=month + dt.timedelta(days=1), actor=city.user("callback"))
    with pytest.raises(DomainError):
        draw_callback_sample(month=month, actor=city.user("callback"), rate="2")


def test_sample_drawn_and_worked_through_on_the_desk(client, city, agent, settings):
    settings.CALLBACK_SAMPLE_RATE = "1"
    orders = [_in_callback(city) for _ in range(3)]
    resp = client.post(f"{URL}sample/")
    assert resp.status_code == 302
    body = client.get(resp.url).content.decode()
    assert all(o.number in body for o in orders) and "已抽取 <strong>3</strong> 件，已回访 <strong>0</strong> 件" in body
    _act(client, orders[0].number, version=orders[0].version, result="basic")
    body = client.get(resp.url).content.decode()
    assert "已回访 <strong>1</strong> 件" in body and "基本满意" in body


def test_unit_handler_cannot_open_act_or_draw(client, city):
    order = _in_callback(city)
    client.force_login(city.user("handler_a"))
    assert client.get(URL).status_code == 403
    assert _act(client, order.number, version=order.version, result="satisfied").status_code == 403
    assert client.post(f"{URL}sample/").status_code == 403
    client.force_login(city.user("handler_b"))
    assert _act(client, order.number, version=order.version, result="satisfied").status_code == 403
    order.refresh_from_db()
    assert order.status == "callback"


def test_queries_bounded(client, city, agent, django_assert_max_num_queries):
    for _ in range(8):
        _in_callback(city)
    order = _in_callback(city)
    with django_assert_max_num_queries(29):  # incl. the list's and the panel's audit rows (constant)
        client.get(f"{URL}?case={order.number}")
