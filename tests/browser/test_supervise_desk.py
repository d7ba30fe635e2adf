"""督办台 in the browser: bad input is shown next to its field, then the case is verified and supervised."""
from hotline.directory.models import Role
from hotline.workorders.models import Status
from hotline.workorders.reports import raise_report
from tests.browser.conftest import desk_login, shot
from tests.desks.helpers import to_verifying


def test_supervisor_verifies_and_supervises_after_a_bad_submission(page, live_server, city):
    order = to_verifying(city)
    for n in range(3):
        late = city.dispatched(content=f"第{n}件超期工单：道路积水无人处理")
        late.__class__.objects.filter(pk=late.pk).update(overdue=True)
    desk_login(page, live_server, city.user(Role.SUPERVISOR))
    assert "督办台" in page.inner_text("h1") and order.number in page.inner_text("table.grid")
    shot(page, "desk-supervise")
    page.click(f"tr:has-text('{order.number}') >> text=处理")
    page.fill("#verify-form textarea[name=reason]", "核实")
    page.click("#verify-form button[type=submit]")  # no conclusion chosen: the browser refuses to send
    assert page.locator("#verify-form input[name=upheld]:invalid").count() == 2
    # Someone else changes the case meanwhile: the submission is refused plainly, the input kept.
    raise_report(order=order, actor=city.user(Role.SUPERVISOR), leader=city.user(Role.LEADER), note="请关注")
    page.check("#verify-form input[name=upheld][value=true]")
    page.click("#verify-form button[type=submit]")
    assert "该工单已被他人修改，请刷新页面后重试" in page.inner_text("#verify-form")
    assert page.input_value("#verify-form textarea[name=reason]") == "核实"
    page.goto(page.url)
    page.check("#verify-form input[name=upheld][value=true]")
    page.fill("#verify-form textarea[name=reason]", "电话核实：路灯仍不亮")
    page.click("#verify-form button[type=submit]")
    assert "已核实" in page.inner_text("main")
    page.goto(f"{live_server.url}/desk/supervise/case/{order.number}/")
    page.fill("#supervise-form textarea[name=reason]", "限三个工作日内整改到位")
    page.fill("#supervise-form input[name=days]", "3")
    shot(page, "desk-supervise-case")
    page.click("#supervise-form button[type=submit]")
    assert "已督办" in page.inner_text("main")
    order.refresh_from_db()
    assert order.status == Status.SUPERVISED
    page.goto(f"{live_server.url}/desk/supervise/?tab=overdue")
    assert page.locator("table.grid tbody tr").count() == 3
    shot(page, "desk-supervise-overdue")
    page.goto(f"{live_server.url}/desk/supervise/?tab=units&unit={city.unit_a.pk}")
    shot(page, "desk-supervise-units")
