"""审核台 in a real browser: a rework without a reason is refused next to its field; extension days kept."""
from hotline.workorders.services import transition
from tests.browser.conftest import desk_login as login, shot


def test_review_desk_bad_input(page, live_server, city):
    h = city.user("handler_a")
    order = city.dispatched(content="小区路灯不亮已经一周，夜间出行不便")
    transition(order=order, action="accept", actor=h)
    transition(order=order, action="reply", actor=h, data={"text": "经查，路灯线路老化，已于今日更换，恢复照明。"})
    ext = city.dispatched(content="道路破损需要修复")
    transition(order=ext, action="accept", actor=h)
    transition(order=ext, action="request_extension", actor=h, reason="需协调交通部门封路施工", data={"days": 10})
    login(page, live_server, city.user("reviewer"))
    assert "审核台" in page.title()
    page.click(f"text={order.number}")
    assert "路灯线路老化" in page.inner_text(".side-by-side")
    page.click("#act-rework summary")
    page.click("#act-rework button[type=submit]")
    page.wait_for_selector("#id_rework-reason-errors")
    assert "请填写此项" in page.inner_text("#id_rework-reason-errors")
    shot(page, "desk-review")
    page.click("text=延期申请")
    page.click(f"text={ext.number}")
    assert page.input_value("#id_approve_extension-days") == "10"
    page.fill("#id_approve_extension-days", "99")
    page.click("#act-approve_extension button[type=submit]")
    page.wait_for_selector("#id_approve_extension-days-errors")
    assert "不能大于 30" in page.inner_text("#id_approve_extension-days-errors")
    assert page.input_value("#id_approve_extension-days") == "99"
    shot(page, "desk-review-extension")
