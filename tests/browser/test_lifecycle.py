"""The whole life of a case across the desks, as the people would work it, with a screenshot of every desk.

Steps on a desk that is not in this branch yet (承办台, 审核台, 回访台: desks-b) are taken through the same
services those desks call, each in one helper below marked NOT YET IN THE BROWSER, so that swapping in the
desk's page is local to that helper.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from hotline.directory.models import Category, Region, Role, Unit
from hotline.directory.seeds import seed_city
from hotline.workorders.models import Action, Event, Status, WorkOrder
from hotline.workorders.rules import MOVES
from hotline.workorders.services import transition
from tests.browser.conftest import desk_login, logout, shot
from tests.factories import UserFactory

PHONE = "13907305555"
TEXT = "我家楼下的路灯坏了半个多月，晚上一片漆黑，老人孩子出门很危险，请尽快修好。"


@pytest.fixture
def town(calendar) -> dict[str, Any]:
    seed_city(city="yueyang")
    district = Unit.objects.get(city="yueyang", name__startswith="岳阳楼区", parent__isnull=True)
    water = Unit.objects.filter(city="yueyang", name__contains="水务").first()
    people = {
        "operator": UserFactory(username="op", first_name="王话务", role=Role.OPERATOR),
        "dispatcher": UserFactory(username="disp", first_name="赵派单", role=Role.DISPATCHER),
        "handler": UserFactory(username="h_district", first_name="李承办", role=Role.UNIT_HANDLER, unit=district),
        "other": UserFactory(username="h_water", first_name="周水务", role=Role.UNIT_HANDLER, unit=water),
        "reviewer": UserFactory(username="rev", first_name="孙审核", role=Role.REVIEWER),
        "callback": UserFactory(username="cb", first_name="吴回访", role=Role.CALLBACK),
        "supervisor": UserFactory(username="sup", first_name="郑督办", role=Role.SUPERVISOR),
        "leader": UserFactory(username="lead", first_name="陈市长", role=Role.LEADER),
    }
    parent = Category.objects.get(taxonomy="yueyang", parent__isnull=True, name="城市管理类")
    return {**people, "district": district, "parent": parent, "child": parent.children.get(name="路灯照明"),
            "region": Region.objects.get(name="岳阳楼区")}


def leader_figures(page: Any, live_server: Any, town: dict[str, Any], name: str) -> dict[str, str]:
    desk_login(page, live_server, town["leader"])
    page.goto(f"{live_server.url}/desk/leader/")
    shot(page, name)
    tiles = page.locator(".ld-tiles li")
    figures = {tiles.nth(i).locator(".ld-label").inner_text(): tiles.nth(i).locator(".ld-num").inner_text()
               for i in range(tiles.count())}
    logout(page)
    return figures


def intake(page: Any, t: dict[str, Any], content: str) -> None:
    page.fill("#id_citizen_phone", PHONE)
    page.fill("#id_citizen_name", "刘女士")
    page.select_option("#id_appeal_type", label="投诉")
    page.select_option("#id_category_parent", str(t["parent"].pk))
    page.locator(f"#id_category option[value='{t['child'].pk}']").wait_for(state="attached")
    page.select_option("#id_category", str(t["child"].pk))
    page.select_option("#id_region", str(t["region"].pk))
    page.fill("#id_content", content)


def operator_takes_the_call_and_a_repeat(page: Any, live_server: Any, t: dict[str, Any]) -> WorkOrder:
    desk_login(page, live_server, t["operator"])
    assert "受理台" in page.inner_text("h1")
    intake(page, t, TEXT)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    order = WorkOrder.objects.get(citizen_phone=PHONE)
    assert order.number in page.locator(".saved-number").inner_text() and order.status == Status.NEW
    # The same caller rings again: the open case is offered, and the call is merged into it.
    intake(page, t, "又打电话来催路灯的事，还是没人来修。")
    button = page.locator(f"button[name=repeat_of][value='{order.number}']")
    button.wait_for()
    shot(page, "lifecycle-1-operator")
    with page.expect_navigation():
        button.click()
    assert f"并入 {order.number}" in page.content()
    assert WorkOrder.objects.get(citizen_phone=PHONE, status=Status.MERGED).merged_into_id == order.pk
    logout(page)
    return order


def dispatcher_dispatches(page: Any, live_server: Any, t: dict[str, Any], order: WorkOrder) -> None:
    desk_login(page, live_server, t["dispatcher"])
    row = page.locator("tr", has=page.locator(f"a:text-is('{order.number}')"))
    assert "路灯" in row.inner_text()
    page.check(f"input[name=picks][value='{order.number}']")
    page.select_option(".bulk-bar select[name=unit]", str(t["district"].pk))
    shot(page, "lifecycle-2-dispatch")
    with page.expect_navigation():
        page.click("button:has-text('派单所选')")
    assert "成功 1 / 1" in page.locator(".results").inner_text()
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.unit == t["district"]
    logout(page)


def unit_desk_shot(page: Any, live_server: Any, t: dict[str, Any], name: str) -> None:
    desk_login(page, live_server, t["handler"])
    assert "承办台" in page.inner_text("h1")
    shot(page, name)
    logout(page)


def act(order: WorkOrder, action: str, actor: Any, reason: str = "", **data: Any) -> None:
    """NOT YET IN THE BROWSER: the 承办台/审核台/回访台 step, through the service those desks call."""
    transition(order=order, action=action, actor=actor, reason=reason, data=data)


def supervisor_verifies_and_supervises(page: Any, live_server: Any, t: dict[str, Any], order: WorkOrder) -> None:
    desk_login(page, live_server, t["supervisor"])
    assert order.number in page.inner_text("table.grid")
    shot(page, "lifecycle-6-supervise")
    page.click(f"tr:has-text('{order.number}') >> text=处理")
    assert "仍然不亮" in page.inner_text("main")  # the callback note is in view
    page.check("#verify-form input[name=upheld][value=true]")
    page.fill("#verify-form textarea[name=reason]", "电话回访核实：路灯仍未修复，不满意属实。")
    page.click("#verify-form button[type=submit]")
    assert "已核实" in page.inner_text("main")
    page.goto(f"{live_server.url}/desk/supervise/?tab=supervise")
    page.click(f"tr:has-text('{order.number}') >> text=处理")
    page.fill("#supervise-form textarea[name=reason]", "请三个工作日内修复并回复群众。")
    page.fill("#supervise-form input[name=days]", "3")
    page.click("#supervise-form button[type=submit]")
    assert "已督办" in page.inner_text("main")
    order.refresh_from_db()
    assert order.status == Status.SUPERVISED
    logout(page)


def other_unit_sees_none_of_it(page: Any, live_server: Any, t: dict[str, Any], order: WorkOrder) -> None:
    desk_login(page, live_server, t["other"])
    assert order.number not in page.content()
    page.goto(f"{live_server.url}/cases/?q={PHONE}")
    assert order.number not in page.content()
    page.goto(f"{live_server.url}/cases/?q={order.number}")
    assert order.number not in page.inner_text("main table")
    assert page.goto(f"{live_server.url}/cases/{order.number}/").status == 404
    assert page.goto(f"{live_server.url}/desk/supervise/case/{order.number}/").status == 403
    logout(page)


def test_a_case_from_the_call_to_the_archive(page, live_server, town):
    t = town
    before = leader_figures(page, live_server, t, "lifecycle-0-leader-before")
    order = operator_takes_the_call_and_a_repeat(page, live_server, t)
    dispatcher_dispatches(page, live_server, t, order)
    h, r = t["handler"], t["reviewer"]
    act(order, "accept", h)
    act(order, "contact", h, "已电话联系刘女士，约定上门查看", how="phone")
    act(order, "request_extension", h, "需供电部门配合更换线路", days=5)
    unit_desk_shot(page, live_server, t, "lifecycle-3-unit")
    # The reviewer decides extensions once desks-b's rule change is in; until then the hotline desk does.
    act(order, "approve_extension", r if Role.REVIEWER in MOVES[Action.APPROVE_EXTENSION].roles else t["dispatcher"])
    act(order, "reply", h, text="已安排维修人员更换灯具。")
    act(order, "rework", r, "回复未说明修复时间，请补充")
    act(order, "reply", h, text="已于 3 日更换灯具并试亮，经回访现场照明正常。")
    act(order, "accept_reply", r)
    act(order, "callback", t["callback"], "路灯仍然不亮", result="unsatisfied")
    order.refresh_from_db()
    assert order.status == Status.VERIFYING
    supervisor_verifies_and_supervises(page, live_server, t, order)
    act(order, "rectify", h, text="已更换整条线路，路灯恢复正常，并向刘女士说明。")
    act(order, "callback", t["callback"], result="satisfied")
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    kinds = list(Event.objects.filter(order=order).order_by("seq").values_list("kind", flat=True))
    assert kinds.count(Action.REPLY) == 2 and Action.ABSORB in kinds and Action.SUPERVISE in kinds
    after = leader_figures(page, live_server, t, "lifecycle-7-leader-after")
    assert int(after["受理总量"]) == int(before["受理总量"]) + 1  # the repeat call is not a new case
    assert int(after["本月督办"]) == int(before["本月督办"]) + 1
    assert after["回访满意率"] != before["回访满意率"]
    other_unit_sees_none_of_it(page, live_server, t, order)
    assert timezone.localtime(order.received_at).month == timezone.localdate().month
    assert re.match(r"RX\d{14}", order.number)
