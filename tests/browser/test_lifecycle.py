"""The whole life of a case across the desks, as the people would work it, with a screenshot of every desk."""
from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from hotline.directory.models import Category, Region, Role, Unit
from hotline.directory.seeds import seed_city
from hotline.workorders.models import Action, Event, Status, WorkOrder
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


def step(page: Any, form: str, number: str, fill: dict[str, str] | None = None, check: str = "") -> None:
    """Open one action's form on the case panel, fill it as a person would, submit, and see it succeed."""
    box = page.locator(f"#act-{form}")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    for field, value in (fill or {}).items():
        target = f"#id_{form}-{field}"
        if page.locator(target).evaluate("e => e.tagName") == "SELECT":
            page.select_option(target, value)
        else:
            page.fill(target, value)
    if check:
        page.check(f"input[name={form}-{check}]")
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    assert number in page.inner_text(".msg.success"), page.inner_text("main")


def open_case(page: Any, live_server: Any, desk: str, number: str, query: str = "") -> None:
    page.goto(f"{live_server.url}/desk/{desk}/?case={number}{query}")
    assert number in page.inner_text(".case-panel h2")


def handler_accepts_contacts_and_asks_for_time(page: Any, live_server: Any, t: dict[str, Any],
                                               order: WorkOrder) -> None:
    desk_login(page, live_server, t["handler"])
    assert "承办台" in page.inner_text("h1")
    assert order.number in page.inner_text("table.inbox")
    open_case(page, live_server, "unit", order.number)
    assert re.fullmatch(r"\d+ 个工作日", page.inner_text(".case-panel .countdown"))  # the countdown is in view
    step(page, "accept", order.number)
    step(page, "contact", order.number, {"how": "phone", "outcome": "已电话联系刘女士，约定上门查看"})
    step(page, "request_extension", order.number, {"days": "5", "reason": "需供电部门配合更换线路"})
    assert "延期待审批" in page.inner_text(".case-panel h2")
    shot(page, "lifecycle-3-unit")
    logout(page)


def reviewer_approves_the_extension(page: Any, live_server: Any, t: dict[str, Any], order: WorkOrder) -> None:
    deadline = order.deadline
    desk_login(page, live_server, t["reviewer"])
    assert "审核台" in page.inner_text("h1")
    page.click("nav.tabs >> text=延期申请")
    page.click(f"text={order.number}")
    request = page.inner_text(".side-by-side")
    assert "申请延期 5 个工作日" in request and "需供电部门配合更换线路" in request
    after = re.search(r"批准后 (\d{4}-\d\d-\d\d \d\d:\d\d)", request)
    assert after and after.group(1) > timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
    assert page.input_value("#id_approve_extension-days") == "5"
    shot(page, "lifecycle-4-review-extension")
    step(page, "approve_extension", order.number)
    order.refresh_from_db()
    assert timezone.localtime(order.deadline).strftime("%Y-%m-%d %H:%M") == after.group(1)
    logout(page)


def handler_replies(page: Any, live_server: Any, t: dict[str, Any], order: WorkOrder, text: str) -> None:
    desk_login(page, live_server, t["handler"])
    open_case(page, live_server, "unit", order.number)
    step(page, "reply", order.number, {"text": text})
    logout(page)


def reviewer_decides(page: Any, live_server: Any, t: dict[str, Any], order: WorkOrder, reply: str,
                     rework: str = "") -> None:
    desk_login(page, live_server, t["reviewer"])
    page.click(f"text={order.number}")
    sides = page.locator(".side-by-side > div")
    assert "路灯坏了" in sides.nth(0).inner_text() and reply in sides.nth(1).inner_text()  # reply beside appeal
    if rework:
        shot(page, "lifecycle-5-review-reply")
        step(page, "rework", order.number, {"reason": rework})
    else:
        assert "已返工 1 次" in page.inner_text(".case-panel h2")
        step(page, "accept_reply", order.number)
    logout(page)


def callback_agent_records(page: Any, live_server: Any, t: dict[str, Any], order: WorkOrder, result: str,
                           note: str = "") -> None:
    desk_login(page, live_server, t["callback"])
    assert "回访台" in page.inner_text("h1")
    assert order.number in page.inner_text("table.inbox")
    page.click(f"text={order.number}")
    page.check(f"input[name=callback-result][value={result}]")
    if note:
        page.fill("#id_callback-reason", note)
        shot(page, "lifecycle-6-callback")
    with page.expect_navigation():
        page.click("#act-callback button[type=submit]")
    assert f"{order.number}：已记录回访" in page.inner_text(".msg.success")
    logout(page)


def supervisor_verifies_and_supervises(page: Any, live_server: Any, t: dict[str, Any], order: WorkOrder) -> None:
    desk_login(page, live_server, t["supervisor"])
    assert order.number in page.inner_text("table.grid")
    shot(page, "lifecycle-7-supervise")
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


def handler_rectifies(page: Any, live_server: Any, t: dict[str, Any], order: WorkOrder) -> None:
    desk_login(page, live_server, t["handler"])
    open_case(page, live_server, "unit", order.number)
    assert "督办" in page.inner_text(".case-panel")
    step(page, "rectify", order.number, {"text": "已更换整条线路，路灯恢复正常，并向刘女士说明。"})
    shot(page, "lifecycle-8-unit-rectify")
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
    handler_accepts_contacts_and_asks_for_time(page, live_server, t, order)
    reviewer_approves_the_extension(page, live_server, t, order)
    first = "已安排维修人员更换灯具。"
    handler_replies(page, live_server, t, order, first)
    reviewer_decides(page, live_server, t, order, first, rework="回复未说明修复时间，请补充")
    second = "已于 3 日更换灯具并试亮，经回访现场照明正常。"
    handler_replies(page, live_server, t, order, second)
    reviewer_decides(page, live_server, t, order, second)
    callback_agent_records(page, live_server, t, order, "unsatisfied", "路灯仍然不亮")
    order.refresh_from_db()
    assert order.status == Status.VERIFYING
    supervisor_verifies_and_supervises(page, live_server, t, order)
    handler_rectifies(page, live_server, t, order)
    callback_agent_records(page, live_server, t, order, "satisfied")
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    kinds = list(Event.objects.filter(order=order).order_by("seq").values_list("kind", flat=True))
    assert kinds.count(Action.REPLY) == 2 and Action.ABSORB in kinds and Action.SUPERVISE in kinds
    after = leader_figures(page, live_server, t, "lifecycle-9-leader-after")
    assert int(after["受理总量"]) == int(before["受理总量"]) + 1  # the repeat call is not a new case
    assert int(after["本月督办"]) == int(before["本月督办"]) + 1
    assert after["回访满意率"] != before["回访满意率"]
    other_unit_sees_none_of_it(page, live_server, t, order)
    assert timezone.localtime(order.received_at).month == timezone.localdate().month
    assert re.match(r"RX\d{14}", order.number)
