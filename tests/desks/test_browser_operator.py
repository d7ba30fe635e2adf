"""受理台 in a real browser: keyboard-only intake, bad input shown next to its field, htmx hints, repeat call."""
from __future__ import annotations

import pytest

from hotline.directory.models import Category, Channel, Region, Role, Unit
from hotline.directory.seeds import seed_city
from hotline.workorders.models import Status, WorkOrder
from tests.desks.browser_fixtures import chromium, desk_page, login, shot  # noqa: F401
from tests.factories import UserFactory


@pytest.fixture
def yueyang(calendar):
    seed_city(city="yueyang")
    operator = UserFactory(username="op1", first_name="王话务", role=Role.OPERATOR)
    dispatcher = UserFactory(username="disp1", first_name="赵派单", role=Role.DISPATCHER)
    parent = Category.objects.get(taxonomy="yueyang", parent__isnull=True, name="城市管理类")
    return {
        "operator": operator, "dispatcher": dispatcher, "parent": parent,
        "child": parent.children.get(name="路灯照明"),
        "region": Region.objects.get(name="岳阳楼区"), "phone": Channel.objects.get(code="phone"),
    }


def _earlier_case(y, **over):
    from hotline.workorders.services import create_order
    fields = {"channel": y["phone"], "citizen_name": "刘先生", "citizen_phone": "13907301234",
              "content": "巷子里的路灯坏了一个多星期，晚上很黑，老人出门不安全。", "title": "路灯坏了",
              "region": y["region"], "category": y["child"]}
    fields.update(over)
    return create_order(actor=y["operator"], fields=fields)[0]


def test_operator_takes_calls_with_the_keyboard_and_sees_bad_input_next_to_fields(desk_page, live_server, yueyang):
    page, y = desk_page, yueyang
    earlier = _earlier_case(y)
    login(page, live_server, y["operator"])
    assert "/desk/operator/" in page.url and "受理台" in page.title()
    # The phone field has the focus: the operator types the caller's number, the hints come by htmx.
    page.keyboard.type("139 0730 1234")
    hints = page.locator("#caller-hints")
    hints.get_by_text("同一来电号码的未办结工单").wait_for()
    assert earlier.number in hints.inner_text()
    page.keyboard.press("Tab")
    page.keyboard.type("刘先生")
    # Two-level category: the child list is filled by htmx once the parent is chosen.
    page.select_option("#id_category_parent", str(y["parent"].pk))
    page.locator(f"#id_category option[value='{y['child'].pk}']").wait_for(state="attached")
    page.select_option("#id_category", str(y["child"].pk))
    page.select_option("#id_region", str(y["region"].pk))
    page.select_option("#id_appeal_type", label="投诉")
    shot(page, "operator-hints")
    # Bad input: no content, then Ctrl+Enter. The error sits under the content field; typed input is kept.
    page.focus("#id_address")
    page.keyboard.type("岳阳楼区某巷 3 号")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert page.locator("#id_content-errors, .field.has-error").first.inner_text().strip()
    assert "此项必填" in page.locator(".field.has-error").filter(has=page.locator("#id_content")).inner_text()
    assert page.input_value("#id_citizen_name") == "刘先生"
    assert page.input_value("#id_category") == str(y["child"].pk)
    # A direct answer without its text: refused next to the answer field.
    page.fill("#id_content", "问路灯报修电话是多少。")
    with page.expect_navigation():
        page.keyboard.press("Alt+a")
    answer_field = page.locator(".field.has-error").filter(has=page.locator("#id_answer"))
    assert "直接答复必须填写答复内容" in answer_field.inner_text()
    shot(page, "operator-bad-input")
    assert WorkOrder.objects.count() == 1
    # Fixed: answer directly with the keyboard; the new number shows and the form is empty again.
    page.fill("#id_answer", "已告知城管路灯报修电话。")
    with page.expect_navigation():
        page.keyboard.press("Alt+a")
    new = WorkOrder.objects.exclude(pk=earlier.pk).get()
    assert new.status == Status.ANSWERED
    assert new.number in page.locator(".saved-number").inner_text()
    assert page.input_value("#id_content") == "" and page.input_value("#id_citizen_phone") == ""
    assert page.evaluate("document.activeElement.id") == "id_citizen_phone"
    shot(page, "operator-saved")


def test_repeat_call_and_dispatch_through_the_unit_picker(desk_page, live_server, yueyang):
    page, y = desk_page, yueyang
    earlier = _earlier_case(y)
    login(page, live_server, y["operator"])
    page.fill("#id_citizen_phone", "13907301234")
    button = page.locator(f"button[name=repeat_of][value='{earlier.number}']")
    button.wait_for()
    page.fill("#id_content", "又打来催路灯的事。")
    page.select_option("#id_category_parent", str(y["parent"].pk))
    page.locator(f"#id_category option[value='{y['child'].pk}']").wait_for(state="attached")
    page.select_option("#id_category", str(y["child"].pk))
    page.select_option("#id_region", str(y["region"].pk))
    page.select_option("#id_appeal_type", label="投诉")
    with page.expect_navigation():
        button.click()
    assert f"已记为重复来电，并入 {earlier.number}" in page.content()
    repeat = WorkOrder.objects.get(status=Status.MERGED)
    assert repeat.merged_into_id == earlier.pk
    # The unit picker filters by typed text and picks the first match.
    page.fill("#id_citizen_phone", "13800000000")
    page.fill("#id_content", "自来水停了一整天，没有任何通知。")
    page.select_option("#id_category_parent", str(y["parent"].pk))
    page.locator(f"#id_category option[value='{y['child'].pk}']").wait_for(state="attached")
    page.select_option("#id_category", str(y["child"].pk))
    page.select_option("#id_region", str(y["region"].pk))
    page.select_option("#id_appeal_type", label="求助")
    page.fill(".unit-filter", "水务")
    picked = page.eval_on_selector("#id_unit", "s => s.options[s.selectedIndex].text")
    assert "水务" in picked
    visible = page.eval_on_selector_all("#id_unit option", "os => os.filter(o => !o.hidden && o.value).length")
    assert visible < Unit.objects.filter(active=True).count()
    page.fill(".unit-filter", "不存在的单位名")
    assert "no-match" in (page.get_attribute(".unit-filter", "class") or "")
    page.fill(".unit-filter", "水务")
    shot(page, "operator-unit-picker")
    with page.expect_navigation():
        page.keyboard.press("Alt+d")
    order = WorkOrder.objects.get(citizen_phone="13800000000")
    assert order.status == Status.DISPATCHED and "水务" in order.unit.name
