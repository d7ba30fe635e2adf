"""The case page in a real browser: the Chinese history, and a refused action shown next to its field."""
from hotline.workorders.services import transition
from tests.browser.conftest import desk_login as login, shot


def test_case_page_history_and_bad_input(page, live_server, city):
    h = city.user("handler_a")
    h.last_name, h.first_name = "王", "小明"
    h.save()
    order = city.dispatched(content="小区路灯不亮已经一周，夜间出行不便")
    transition(order=order, action="accept", actor=h)
    transition(order=order, action="contact", actor=h, data={"how": "phone", "outcome": "已电话联系，约定上门"})
    transition(order=order, action="request_extension", actor=h, reason="需协调供电公司", data={"days": 3})
    transition(order=order, action="approve_extension", actor=city.user("reviewer"))
    transition(order=order, action="reply", actor=h, data={"text": "已更换路灯，恢复照明。"})
    transition(order=order, action="accept_reply", actor=city.user("reviewer"))
    transition(order=order, action="callback", actor=city.user("callback"), data={"result": "unsatisfied"})
    login(page, live_server, city.user("supervisor"))
    page.goto(f"{live_server.url}/cases/{order.number}/")
    history = page.inner_text("table.history")
    assert "王小明" in history and "批准延期 3 个工作日" in history and "回访结果：不满意" in history
    page.check("input[name=verify-upheld][value=true]")
    page.fill("#id_verify-reason", "核实属实")
    page.fill("#id_verify-reason", "长" * 600)  # the browser's maxlength stops at 500; the server checks too
    assert len(page.input_value("#id_verify-reason")) == 500
    page.evaluate("document.querySelector('#id_verify-reason').removeAttribute('maxlength')")
    page.fill("#id_verify-reason", "长" * 600)
    page.click("#act-verify button[type=submit]")
    page.wait_for_selector("#id_verify-reason-errors")
    assert "不能超过 500 字" in page.inner_text("#id_verify-reason-errors")
    assert page.is_checked("input[name=verify-upheld][value=true]")
    shot(page, "case-page")
    page.fill("#id_verify-reason", "核实属实")
    page.click("#act-verify button[type=submit]")
    page.wait_for_selector(".msg.success")
    order.refresh_from_db()
    assert order.status == "unsatisfied"
