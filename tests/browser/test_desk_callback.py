"""回访台 in a real browser: an unreachable call without the attempt count is refused next to that field."""
from hotline.workorders.services import transition
from tests.browser.conftest import desk_login as login, shot


def test_callback_desk_bad_input(page, live_server, city, settings):
    settings.CALLBACK_SAMPLE_RATE = "1"
    h = city.user("handler_a")
    orders = []
    for text in ("小区路灯不亮已经一周", "楼下餐馆油烟扰民", "公交站台顶棚破损漏雨", "人行道井盖缺失"):
        order = city.dispatched(content=text)
        transition(order=order, action="accept", actor=h)
        transition(order=order, action="reply", actor=h, data={"text": f"关于“{text}”，已安排处理完毕。"})
        transition(order=order, action="accept_reply", actor=city.user("reviewer"))
        orders.append(order)
    login(page, live_server, city.user("callback"))
    assert "回访台" in page.title()
    page.click(f"text={orders[0].number}")
    page.check("input[name=callback-result][value=unreachable]")
    page.click("#act-callback button[type=submit]")
    page.wait_for_selector("#id_callback-attempts-errors")
    assert "未接通时请填写拨打次数" in page.inner_text("#id_callback-attempts-errors")
    assert page.is_checked("input[name=callback-result][value=unreachable]")
    shot(page, "desk-callback")
    page.fill("#id_callback-attempts", "2")
    page.click("#act-callback button[type=submit]")
    page.wait_for_selector(".msg.success")
    page.click("text=本月抽查")
    page.click(".sample-bar button.primary")
    page.wait_for_selector(".msg.success")
    assert "已抽取 4 件，已回访 0 件" in page.inner_text(".sample-bar")
    page.click(f"text={orders[1].number}")
    page.check("input[name=callback-result][value=satisfied]")
    page.click("#act-callback button[type=submit]")
    page.wait_for_selector(".msg.success")
    assert "已抽取 4 件，已回访 1 件" in page.inner_text(".sample-bar")
    shot(page, "desk-callback-sample")
