"""派单台 in a real browser: bad input in the bulk form, per-row results, re-dispatch with the return reason."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hotline.directory.models import Category, Channel, DispatchRule, Region, Role, Unit
from hotline.directory.seeds import seed_city
from hotline.workorders.models import Status, WorkOrder
from hotline.workorders.services import create_order, transition
from tests.desks.browser_fixtures import chromium, desk_page, login, shot  # noqa: F401
from tests.factories import UserFactory

TEXTS = [
    ("路灯不亮", "小区门口的路灯坏了一周，晚上很黑。", "路灯照明"),
    ("占道经营", "菜市场外面流动摊贩占道，早上堵得走不动。", "占道经营"),
    ("噪音扰民", "楼下烧烤店每天营业到凌晨两点，噪音太大。", "生活噪音"),
    ("停水无通知", "自来水停了一整天，没有任何通知。", "供水服务"),
    ("垃圾清运", "垃圾站三天没有清运，气味很大。", "市容环境卫生"),
]


@pytest.fixture
def queue(calendar):
    seed_city(city="yueyang")
    operator = UserFactory(username="op1", first_name="王话务", role=Role.OPERATOR)
    dispatcher = UserFactory(username="disp1", first_name="赵派单", role=Role.DISPATCHER)
    district = Unit.objects.get(city="yueyang", name__startswith="岳阳楼区", parent__isnull=True)
    handler = UserFactory(username="h1", role=Role.UNIT_HANDLER, unit=district)
    region = Region.objects.get(name="岳阳楼区")
    phone = Channel.objects.get(code="phone")
    water = Unit.objects.filter(city="yueyang", name__contains="水务").first()
    lamp = Category.objects.get(taxonomy="yueyang", name="路灯照明")
    DispatchRule.objects.create(category=lamp, region=region, unit=district)
    orders = []
    start = timezone.now() - dt.timedelta(days=2)
    for i in range(12):
        title, text, item = TEXTS[i % len(TEXTS)]
        order, _ = create_order(actor=operator, at=start + dt.timedelta(minutes=37 * i), fields={
            "channel": phone, "citizen_name": f"市民{i}", "citizen_phone": f"1390730{i:04d}", "title": title,
            "content": text, "region": region, "category": Category.objects.get(taxonomy="yueyang", name=item),
        })
        orders.append(order)
    # One case bounced three times: a disputed case (争议工单); one returned once.
    for order, times in ((orders[0], 3), (orders[1], 1)):
        transition(order=order, action="dispatch", actor=dispatcher, data={"unit": district.pk})
        for n in range(times):
            transition(order=order, action="return", actor=handler, reason=f"该路段不属于本区管辖（第{n + 1}次）")
            if n < times - 1:
                transition(order=order, action="redispatch", actor=dispatcher, reason="请核实后办理",
                           data={"unit": district.pk})
    return {"dispatcher": dispatcher, "orders": orders, "district": district, "water": water}


def test_dispatcher_bad_input_and_per_row_results(desk_page, live_server, queue):
    page, q = desk_page, queue
    disputed, returned = q["orders"][0], q["orders"][1]
    login(page, live_server, q["dispatcher"])
    assert "/desk/dispatch/" in page.url and "派单台" in page.title()
    row = page.locator("tr", has=page.locator(f"a:text-is('{disputed.number}')"))
    assert "争议工单" in row.inner_text() and "退回 3 次" in row.inner_text()
    shot(page, "dispatch-queue")
    # Nothing picked: the error is shown, nothing changes.
    with page.expect_navigation():
        page.click("button:has-text('派单所选')")
    assert "请先勾选要派单的工单" in page.locator(".msg.error").inner_text()
    # A returned case without a reason, and a new one: the new one goes, the returned one is reported.
    new = q["orders"][5]
    page.check(f"input[name=picks][value='{returned.number}']")
    page.check(f"input[name=picks][value='{new.number}']")
    page.fill("#id_unit ~ .unit-filter, .bulk-bar .unit-filter", "水务")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    results = page.locator(".results").inner_text()
    assert "成功 1 / 2" in results and "必须填写理由" in results
    shot(page, "dispatch-results")
    new.refresh_from_db()
    returned.refresh_from_db()
    assert new.status == Status.DISPATCHED and new.unit == q["water"] and returned.status == Status.RETURNED
    # Re-dispatch from the case page, with the return reasons in view.
    page.click(f"a:text-is('{returned.number}')")
    assert "该路段不属于本区管辖（第1次）" in page.locator("main").inner_text()
    page.locator(".unit-filter").fill("水务")
    with page.expect_navigation():
        page.click("button:has-text('改派')")
    assert "必须填写理由" in page.locator(".field.has-error").inner_text()
    shot(page, "dispatch-case-error")
    page.fill("#id_reason", "停水问题属水务集团")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    returned.refresh_from_db()
    assert returned.status == Status.DISPATCHED and returned.unit == q["water"]
    assert "已改派至" in page.locator(".msg").first.inner_text()
    assert WorkOrder.objects.filter(status=Status.DISPATCHED).count() == 2
