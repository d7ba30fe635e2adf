"""领导驾驶舱 in the browser: charts drawn, a bar leads to its cases, an empty instruction is refused
next to its field and a proper one recorded."""
import datetime as dt

from django.utils import timezone

from hotline.directory.models import Channel, Role
from hotline.workorders.models import SpecialReport, WorkOrder
from hotline.workorders.reports import raise_report
from hotline.workorders.services import transition
from tests.browser.conftest import desk_login, shot
from tests.desks.helpers import to_callback


def _month_of_cases(city) -> str:
    now = timezone.localtime()
    start = now.replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    wechat = Channel.objects.create(code="wechat", name="微信公众号")
    for day in range(now.day):
        for n in range(1 + (day * 7) % 5):
            at = start + dt.timedelta(days=day, minutes=n)
            city.dispatched(at=at, channel=wechat if n % 3 == 2 else city.channel, content=f"{day}日第{n}件诉求")
    for result in ("satisfied", "basic", "unsatisfied"):
        done = to_callback(city)
        transition(order=done, action="callback", actor=city.user(Role.CALLBACK), data={"result": result})
    late = WorkOrder.objects.order_by("id").first()
    WorkOrder.objects.filter(pk=late.pk).update(overdue=True)
    return now.strftime("%Y-%m")


def test_leader_sees_the_month_follows_a_bar_and_instructs_a_report(page, live_server, city):
    month = _month_of_cases(city)
    order = WorkOrder.objects.order_by("-id").first()
    raise_report(order=order, actor=city.user(Role.SUPERVISOR), leader=city.user(Role.LEADER),
                 note="群众反复来电，涉及多个部门，请领导协调")
    desk_login(page, live_server, city.user(Role.LEADER))
    assert "领导驾驶舱" in page.inner_text("h1")
    assert page.locator("svg.chart rect").count() > 0 and page.locator("svg.chart circle").count() >= 1
    shot(page, "desk-leader")
    page.click("#instruct-%d button[type=submit]" % SpecialReport.objects.get().pk)
    assert page.locator("textarea[name=instruction]:invalid").count() == 1  # required: not sent
    page.fill("textarea[name=instruction]", "请相关单位三个工作日内联合办理并回复")
    page.click("form.ld-instruct-form button[type=submit]")
    assert "已批示" in page.inner_text("main") and "待批示专报" not in page.inner_text("main")
    assert SpecialReport.objects.get().instruction.startswith("请相关单位")
    page.locator("svg.chart a").first.click()
    assert "当日受理" in page.inner_text("h1") and page.locator("table.grid tbody tr").count() >= 1
    shot(page, "desk-leader-drilldown")
    page.goto(f"{live_server.url}/desk/leader/?month={month}")
    page.click("a:has-text('超期未办结')")
    assert "超期未办结" in page.inner_text("h1") and page.locator("table.grid tbody tr").count() == 1
