"""承办台 in a real browser: bad input is shown in Chinese next to its field, the typed text kept."""
import datetime as dt

from django.utils import timezone

from hotline.workorders.services import transition
from tests.browser.conftest import desk_login as login, shot


def test_unit_desk_bad_input(page, live_server, city):
    handler = city.user("handler_a")
    late = city.dispatched(at=timezone.now() - dt.timedelta(days=20), content="河堤护栏缺失存在安全隐患")
    order = city.dispatched(content="小区路灯不亮已经一周")
    transition(order=order, action="accept", actor=handler)
    for i in range(6):
        city.dispatched(content=f"第{i}件：噪音扰民，夜间施工")
    login(page, live_server, handler)
    assert "承办台" in page.title()
    rows = page.locator("table.inbox tbody tr")
    assert late.number in rows.first.inner_text() and "超期" in rows.first.inner_text()
    page.click(f"text={order.number}")
    page.click("#act-request_extension summary")
    page.fill("#id_request_extension-days", "45")
    page.fill("#id_request_extension-reason", "需要协调住建部门")
    page.click("#act-request_extension button[type=submit]")
    page.wait_for_selector("#id_request_extension-days-errors")
    assert "不能大于 30" in page.inner_text("#id_request_extension-days-errors")
    assert page.input_value("#id_request_extension-reason") == "需要协调住建部门"
    shot(page, "desk-unit-error")
    page.fill("#id_request_extension-days", "5")
    page.click("#act-request_extension button[type=submit]")
    page.wait_for_selector(".msg.success")
    order.refresh_from_db()
    assert order.extension_pending
    page.click("#act-reply summary")
    page.fill("#id_reply-text", "")
    page.click("#act-reply button[type=submit]")
    page.wait_for_selector("#id_reply-text-errors")
    assert "请填写此项" in page.inner_text("#id_reply-text-errors")
    shot(page, "desk-unit")
