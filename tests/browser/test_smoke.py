"""The browser harness itself: log in through the form, land on the desk, screenshot it."""
from hotline.directory.models import Role
from tests.browser.conftest import desk_login, shot


def test_login_form_lands_on_the_desk_and_another_role_gets_403(page, live_server, city):
    desk_login(page, live_server, city.user(Role.SUPERVISOR))
    assert "/desk/supervise/" in page.url
    assert "督办台" in page.title() and "督办台" in page.inner_text("h1")
    assert shot(page, "smoke-supervise").stat().st_size > 0
    resp = page.goto(f"{live_server.url}/desk/dispatch/")
    assert resp is not None and resp.status == 403
    assert "无权访问" in page.content()
