"""派单台: the queue, suggested units from the rule table, bulk and single (re-)dispatch, bounces and disputes."""
import datetime as dt

import pytest
from django.utils import timezone

from hotline.directory.models import Category, DispatchRule, Region, Role
from hotline.directory.selectors import suggest_unit, suggest_units
from hotline.workorders.models import Status, WorkOrder
from hotline.workorders.services import transition

URL = "/desk/dispatch/"


@pytest.fixture
def places(city):
    county = Region.objects.create(name="甲区", code="R-A", level=Region.Level.COUNTY)
    street = Region.objects.create(name="甲区某街道", code="R-A-1", level=Region.Level.STREET, parent=county)
    child = Category.objects.create(taxonomy="test", name="路灯照明", parent=city.category, depth=2)
    return {"county": county, "street": street, "child": child}


def _returned(city, times=1, **fields):
    order = city.dispatched(unit=city.unit_a, **fields)
    for i in range(times):
        transition(order=order, action="return", actor=city.user("handler_a"), reason=f"不属于本单位职责{i + 1}")
        if i < times - 1:
            transition(order=order, action="redispatch", actor=city.user(Role.DISPATCHER), reason="改派",
                       data={"unit": city.unit_a.pk})
    order.refresh_from_db()
    return order


def _login(client, city, who=Role.DISPATCHER):
    client.force_login(city.user(who))


# --- rule table ---------------------------------------------------------------------------------

def test_the_most_specific_rule_suggests_the_unit(city, places):
    order = city.new_order(category=places["child"], region=places["street"])
    assert suggest_unit(order) is None
    DispatchRule.objects.create(category=city.category, unit=city.unit_b)  # parent category, any region
    assert suggest_unit(order) == city.unit_b
    DispatchRule.objects.create(category=places["child"], unit=city.unit_a1)  # own category, any region
    assert suggest_unit(order) == city.unit_a1
    DispatchRule.objects.create(category=places["child"], region=places["county"], unit=city.unit_a)
    assert suggest_unit(order) == city.unit_a  # the street lies in the county


def test_inactive_units_are_never_suggested(city, places):
    DispatchRule.objects.create(category=city.category, unit=city.unit_b)
    city.unit_b.active = False
    city.unit_b.save()
    assert suggest_units([city.new_order()]) == {}


# --- the queue ----------------------------------------------------------------------------------

def test_queue_holds_new_and_returned_cases_oldest_first_with_suggestion(client, city, places):
    now = timezone.now()
    later = city.new_order(at=now - dt.timedelta(hours=1), title="后来的")
    earlier = city.new_order(at=now - dt.timedelta(hours=5), title="先来的")
    returned = _returned(city)
    elsewhere = city.dispatched(unit=city.unit_b)
    DispatchRule.objects.create(category=city.category, unit=city.unit_b)
    _login(client, city)
    body = client.get(URL).content.decode()
    assert body.index(earlier.number) < body.index(later.number)
    assert returned.number in body and elsewhere.number not in body
    assert "市乙局" in body and "退回 1 次" in body and "不属于本单位职责1" in body
    assert "138****5678" in body and "13812345678" not in body


def test_three_bounces_flag_a_disputed_case_and_the_filter_finds_it(client, city, places):
    disputed = _returned(city, times=3)
    once = _returned(city, times=1)
    _login(client, city)
    body = client.get(URL).content.decode()
    assert "退回 3 次" in body and "争议工单" in body.split(disputed.number, 1)[1].split("</tr>", 1)[0]
    body = client.get(URL, {"disputed": "on"}).content.decode()
    assert disputed.number in body and once.number not in body


def test_filters_and_search_by_phone_tail(client, city, places):
    a = city.new_order(citizen_phone="13911112222")
    b = city.new_order(citizen_phone="13833334444")
    _login(client, city)
    body = client.get(URL, {"q": "2222"}).content.decode()
    assert a.number in body and b.number not in body
    body = client.get(URL, {"status": "returned"}).content.decode()
    assert a.number not in body


def test_bad_filters_are_reported_not_a_500(client, city, places):
    order = city.new_order()
    _login(client, city)
    resp = client.get(URL, {"region": "abc", "channel": "999", "status": "x", "page": "zz"})
    body = resp.content.decode()
    assert resp.status_code == 200 and "区域不存在" in body and "渠道不存在" in body and order.number in body


def test_pagination_keeps_the_filters(client, city, places):
    for _ in range(31):
        city.new_order()
    _login(client, city)
    body = client.get(URL, {"status": "new"}).content.decode()
    assert "第 1 / 2 页" in body and "status=new" in body.split('class="pager"', 1)[1]


def test_queue_page_has_no_n_plus_one(client, city, places, django_assert_max_num_queries):
    for _ in range(10):
        _returned(city)
    DispatchRule.objects.create(category=city.category, unit=city.unit_b)
    _login(client, city)
    with django_assert_max_num_queries(16):
        client.get(URL)


# --- dispatching --------------------------------------------------------------------------------

def test_bulk_dispatch_to_the_picked_unit_with_a_result_per_row(client, city, places):
    a, b = city.new_order(), city.new_order()
    _login(client, city)
    resp = client.post(URL, {"picks": [a.number, b.number], f"v-{a.number}": a.version,
                             f"v-{b.number}": b.version, "unit": city.unit_b.pk})
    body = resp.content.decode()
    assert "成功 2 / 2" in body and body.count("已派单至市乙局") == 2
    assert set(WorkOrder.objects.values_list("status", "unit")) == {(Status.DISPATCHED, city.unit_b.pk)}


def test_bulk_dispatch_by_suggestion_leaves_rows_without_one_and_reports_them(client, city, places):
    DispatchRule.objects.create(category=places["child"], unit=city.unit_a)
    ruled = city.new_order(category=places["child"])
    unruled = city.new_order()
    _login(client, city)
    body = client.post(URL, {"picks": [ruled.number, unruled.number]}).content.decode()
    assert "成功 1 / 2" in body and "没有建议单位" in body
    ruled.refresh_from_db()
    unruled.refresh_from_db()
    assert ruled.status == Status.DISPATCHED and ruled.unit == city.unit_a and unruled.status == Status.NEW


def test_bulk_redispatch_of_a_returned_case_needs_a_reason(client, city, places):
    order = _returned(city)
    _login(client, city)
    body = client.post(URL, {"picks": [order.number], "unit": city.unit_b.pk}).content.decode()
    assert "成功 0 / 1" in body and "必须填写理由" in body
    body = client.post(URL, {"picks": [order.number], "unit": city.unit_b.pk, "reason": "属乙局职责"}).content.decode()
    order.refresh_from_db()
    assert "已改派至市乙局" in body and order.status == Status.DISPATCHED and order.unit == city.unit_b


def test_a_row_changed_by_someone_else_is_reported_stale(client, city, places):
    order = city.new_order()
    seen = order.version
    transition(order=order, action="mark_invalid", actor=city.user(Role.OPERATOR), reason="骚扰电话")
    _login(client, city)
    body = client.post(URL, {"picks": [order.number], f"v-{order.number}": seen, "unit": city.unit_b.pk}) \
        .content.decode()
    assert "该工单已被他人修改，请刷新页面后重试" in body


@pytest.mark.parametrize("data,message", [
    ({}, "请先勾选要派单的工单"),
    ({"picks": ["X"], "unit": "abc"}, "所选承办单位不存在或已停用"),
    ({"picks": ["X"], "reason": "理" * 501}, "最多 500 个字"),
])
def test_bulk_form_bad_input(client, city, places, data, message):
    _login(client, city)
    resp = client.post(URL, data)
    assert resp.status_code == 400 and message in resp.content.decode()


def test_case_page_shows_the_return_reasons_and_redispatches(client, city, places):
    order = _returned(city, times=2)
    _login(client, city)
    body = client.get(f"{URL}{order.number}/").content.decode()
    assert "不属于本单位职责1" in body and "不属于本单位职责2" in body and "退回 2 次" in body and "改派" in body
    resp = client.post(f"{URL}{order.number}/", {"unit": city.unit_b.pk, "version": order.version})
    assert resp.status_code == 400 and "必须填写理由" in resp.content.decode().split('name="reason"', 1)[1]
    resp = client.post(f"{URL}{order.number}/", {"unit": city.unit_b.pk, "version": order.version,
                                                  "reason": "属乙局职责"})
    assert resp.status_code == 302
    order.refresh_from_db()
    assert order.unit == city.unit_b and order.status == Status.DISPATCHED


def test_case_page_stale_version_is_shown_plainly(client, city, places):
    order = city.new_order()
    _login(client, city)
    resp = client.post(f"{URL}{order.number}/", {"unit": city.unit_b.pk, "version": order.version - 1})
    assert resp.status_code == 400 and "该工单已被他人修改，请刷新页面后重试" in resp.content.decode()
    assert WorkOrder.objects.get().status == Status.NEW


def test_case_page_unknown_number_is_404(client, city, places):
    _login(client, city)
    assert client.get(f"{URL}RX-NOPE/").status_code == 404


# --- another unit cannot see or act ---------------------------------------------------------------

def test_unit_handler_cannot_see_the_queue_or_a_case(client, city, places):
    order = _returned(city)
    client.force_login(city.user("handler_b"))
    for path in (URL, f"{URL}{order.number}/"):
        resp = client.get(path)
        assert resp.status_code == 403 and order.number not in resp.content.decode()


def test_unit_handler_cannot_dispatch(client, city, places):
    order = city.new_order()
    client.force_login(city.user("handler_b"))
    assert client.post(URL, {"picks": [order.number], "unit": city.unit_b.pk}).status_code == 403
    assert client.post(f"{URL}{order.number}/", {"unit": city.unit_b.pk, "version": order.version}).status_code == 403
    assert WorkOrder.objects.get().status == Status.NEW


def test_administrators_edit_the_rule_table(client, city, places):
    admin = city.user(Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    admin_client = client
    resp = admin_client.post("/admin/directory/dispatchrule/add/", {
        "category": places["child"].pk, "region": places["county"].pk, "unit": city.unit_a.pk, "note": "",
    })
    assert resp.status_code == 302 and DispatchRule.objects.get().unit == city.unit_a
    assert admin_client.get("/admin/directory/dispatchrule/").status_code == 200


# --- the shared unit picker ---------------------------------------------------------------------

def test_unit_picker_groups_units_and_indents_sub_units(city):
    from django.template import Context, Template
    from hotline.directory.models import Unit
    park = Unit.objects.create(name="丙园区", code="P1", city="test", group=Unit.Group.PARK)
    html = Template('{% load desks %}{% unit_picker "unit" selected %}').render(Context({"selected": park.pk}))
    assert 'data-unit-picker' in html and 'name="unit"' in html
    assert html.index('<optgroup label="县市区">') < html.index("甲区人民政府") < html.index("└ 甲区某街道")
    assert html.index('<optgroup label="园区">') < html.index(f'<option value="{park.pk}" selected>丙园区')
    assert html.index('<optgroup label="市直单位">') < html.index("市乙局")
