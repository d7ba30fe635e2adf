"""受理台: taking a call through the page; hints, repeat calls, direct answers, dispatch, leader answering day."""
import datetime as dt

import pytest
from django.utils import timezone

from hotline.directory.models import Category, Region, Role, Tag
from hotline.workorders.models import Action, Event, Status, WorkOrder

URL = "/desk/operator/"


@pytest.fixture
def intake(city):
    region = Region.objects.create(name="甲区", code="R-A", level=Region.Level.COUNTY)
    child = Category.objects.create(taxonomy="test", name="路灯照明", parent=city.category, depth=2)
    return {"region": region, "child": child}


def _post(city, intake, **over):
    data = {
        "citizen_phone": "138 1234 5678", "citizen_name": "李四", "channel": city.channel.pk,
        "appeal_type": city.appeal_type.pk, "category_parent": city.category.pk, "category": intake["child"].pk,
        "region": intake["region"].pk, "address": "甲区某路 1 号", "urgency": "normal", "title": "路灯不亮",
        "content": "某路口路灯已经连续三天不亮，夜间出行不便，请尽快修复。",
    }
    data.update(over)
    return data


def _field_block(body, field):
    """The page from the field's widget to the next field: where its errors must be."""
    return body.split(f'name="{field}"', 1)[1].split('<div class="field', 1)[0]


def test_desk_page_has_the_form_and_the_knowledge_slot(client, city, intake):
    client.force_login(city.user(Role.OPERATOR))
    body = client.get(URL).content.decode()
    assert '<aside id="kb-slot" class="panel">' in body
    for name in ('name="kb_article"', 'name="kb_query"', 'name="kb_missing"', "知识库未覆盖", 'id="caller-hints"'):
        assert name in body
    assert 'data-default-submit' in body and 'data-hotkey="a"' in body and 'data-hotkey="d"' in body


def test_creating_an_order_shows_its_number_and_an_empty_form(client, city, intake):
    client.force_login(city.user(Role.OPERATOR))
    resp = client.post(URL, _post(city, intake, outcome="order"), follow=True)
    order = WorkOrder.objects.get()
    assert order.status == Status.NEW and order.citizen_phone == "13812345678"
    assert order.category == intake["child"] and order.region == intake["region"]
    body = resp.content.decode()
    assert order.number in body and "已受理，待派单" in body
    assert "某路口路灯" not in body  # the form is empty for the next call


def test_direct_answer_closes_at_intake(client, city, intake):
    client.force_login(city.user(Role.OPERATOR))
    client.post(URL, _post(city, intake, outcome="answer", answer="已告知维修电话"))
    order = WorkOrder.objects.get()
    assert order.status == Status.ANSWERED
    assert order.events.get(kind=Action.ANSWER).reason == "已告知维修电话"


def test_direct_answer_without_text_is_refused_next_to_the_field_and_nothing_is_written(client, city, intake):
    client.force_login(city.user(Role.OPERATOR))
    resp = client.post(URL, _post(city, intake, outcome="answer"))
    body = resp.content.decode()
    assert resp.status_code == 400
    assert "直接答复必须填写答复内容" in _field_block(body, "answer")
    assert "某路口路灯已经连续三天不亮" in body  # typed input kept
    assert not WorkOrder.objects.exists() and not Event.objects.exists()


def test_dispatch_at_intake_to_the_picked_unit(client, city, intake):
    client.force_login(city.user(Role.OPERATOR))
    resp = client.post(URL, _post(city, intake, outcome="dispatch", unit=city.unit_b.pk), follow=True)
    order = WorkOrder.objects.get()
    assert order.status == Status.DISPATCHED and order.unit == city.unit_b and order.deadline is not None
    assert "已受理并派单至市乙局" in resp.content.decode()


def test_dispatch_without_unit_names_the_unit_field(client, city, intake):
    client.force_login(city.user(Role.OPERATOR))
    resp = client.post(URL, _post(city, intake, outcome="dispatch"))
    assert resp.status_code == 400 and "立即派单必须选择承办单位" in resp.content.decode()
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("field,value,message", [
    ("content", "字" * 4001, "最多 4000 个字"),
    ("content", "", "此项必填"),
    ("citizen_phone", "abc12", "号码只能包含数字"),
    ("region", "999999", "所选区域不存在"),
    ("category", "999999", "所选二级分类不属于该一级分类"),
    ("unit", "abc", "所选承办单位不存在或已停用"),
    ("channel", "", "此项必填"),
])
def test_bad_input_is_named_next_to_its_field(client, city, intake, field, value, message):
    client.force_login(city.user(Role.OPERATOR))
    resp = client.post(URL, _post(city, intake, **{field: value}))
    body = resp.content.decode()
    assert resp.status_code == 400
    assert message in _field_block(body, field)
    assert not WorkOrder.objects.exists()


def test_a_category_with_children_needs_the_second_level(client, city, intake):
    client.force_login(city.user(Role.OPERATOR))
    resp = client.post(URL, _post(city, intake, category=""))
    assert resp.status_code == 400 and "请选择二级分类" in resp.content.decode()


def test_categories_endpoint_lists_the_children(client, city, intake):
    client.force_login(city.user(Role.OPERATOR))
    body = client.get(URL + "categories/", {"category_parent": city.category.pk}).content.decode()
    assert f'<option value="{intake["child"].pk}">路灯照明</option>' in body
    assert client.get(URL + "categories/", {"category_parent": "x"}).status_code == 200


def test_hints_show_the_callers_open_and_earlier_cases_of_12_months(client, city, intake):
    open_case = city.dispatched(citizen_phone="13812345678")
    answered = city.new_order(citizen_phone="13812345678")
    from hotline.workorders.services import transition
    transition(order=answered, action="answer", actor=city.user(Role.OPERATOR))
    long_ago = timezone.now() - dt.timedelta(days=400)
    old = city.new_order(citizen_phone="13812345678", at=long_ago)
    transition(order=old, action="answer", actor=city.user(Role.OPERATOR), at=long_ago)
    other = city.new_order(citizen_phone="13900000000")
    client.force_login(city.user(Role.OPERATOR))
    body = client.get(URL + "hints/", {"citizen_phone": "138-1234-5678"}).content.decode()
    assert open_case.number in body and answered.number in body
    assert old.number not in body and other.number not in body
    assert "138****5678" in body and "13812345678" not in body
    # The open case is offered as a duplicate, with the one-click repeat button.
    assert f'name="repeat_of" value="{open_case.number}"' in body


def test_hints_offer_near_identical_text_in_the_same_region(client, city, intake):
    text = "某路口路灯已经连续三天不亮，夜间出行不便，请尽快修复。"
    similar = city.new_order(citizen_phone="13700000000", content=text + "谢谢", region=intake["region"])
    elsewhere = city.new_order(citizen_phone="13700000001", content=text, region=None)
    client.force_login(city.user(Role.OPERATOR))
    body = client.get(URL + "hints/", {"content": text, "region": intake["region"].pk}).content.decode()
    assert similar.number in body and elsewhere.number not in body and "内容相近" in body


def test_repeat_call_is_recorded_into_the_open_case(client, city, intake):
    target = city.dispatched(citizen_phone="13812345678")
    client.force_login(city.user(Role.OPERATOR))
    resp = client.post(URL, _post(city, intake, repeat_of=target.number), follow=True)
    repeat = WorkOrder.objects.exclude(pk=target.pk).get()
    assert repeat.status == Status.MERGED and repeat.merged_into == target
    assert target.events.filter(kind=Action.ABSORB, data__repeat=repeat.number).exists()
    assert f"已记为重复来电，并入 {target.number}" in resp.content.decode()


def test_repeat_call_into_an_unknown_case_is_refused_whole(client, city, intake):
    client.force_login(city.user(Role.OPERATOR))
    resp = client.post(URL, _post(city, intake, repeat_of="RX000"))
    assert resp.status_code == 400 and "RX000 不存在" in resp.content.decode()
    assert not WorkOrder.objects.exists()


def test_leader_answering_day_cases_carry_the_special_line_tag(client, city, intake):
    leader = city.user(Role.LEADER)
    client.force_login(leader)
    assert "领导接听日" in client.get(URL).content.decode()
    client.post(URL, _post(city, intake, outcome="order"))
    order = WorkOrder.objects.get()
    assert list(order.tags.values_list("code", flat=True)) == ["leader_day"]
    assert Tag.objects.filter(code="leader_day").count() == 1


def test_operator_cases_carry_no_leader_tag(client, city, intake):
    client.force_login(city.user(Role.OPERATOR))
    client.post(URL, _post(city, intake))
    assert not WorkOrder.objects.get().tags.exists()


@pytest.mark.parametrize("path", ["", "hints/?citizen_phone=13812345678", "categories/"])
def test_unit_handler_cannot_open_the_operator_desk(client, city, intake, path):
    city.dispatched(unit=city.unit_b, citizen_phone="13812345678")
    client.force_login(city.user("handler_a"))
    resp = client.get(URL + path)
    assert resp.status_code == 403 and "13812345678"[-4:] not in resp.content.decode().replace("无权访问", "")


def test_unit_handler_cannot_take_a_call(client, city, intake):
    client.force_login(city.user("handler_a"))
    assert client.post(URL, _post(city, intake)).status_code == 403
    assert not WorkOrder.objects.exists()


def test_caller_history_is_scoped_to_the_users_unit(city):
    from hotline.workorders.selectors import caller_history
    mine = city.dispatched(unit=city.unit_a1, citizen_phone="13812345678")
    theirs = city.dispatched(unit=city.unit_b, citizen_phone="13812345678")
    seen = caller_history(city.user("handler_a"), phone="13812345678")["open"]
    assert mine in seen and theirs not in seen
