"""领导驾驶舱: the month's figures link to their cases, charts are inline SVG, special reports get an
instruction recorded on the report and the case, and cases a leader takes carry the leader-day tag."""
import datetime as dt
import re

import pytest
from django.core.cache import cache

from hotline.directory.models import Role
from hotline.workorders.models import Action, Event, SpecialReport, WorkOrder
from hotline.workorders.reports import instruct, raise_report
from hotline.workorders.services import DomainError, ForbiddenMove, create_order, transition
from tests.desks.helpers import to_unsatisfied

URL = "/desk/leader/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def leader(client, city):
    client.force_login(city.user(Role.LEADER))
    return client


def _month(order: WorkOrder) -> str:
    from django.utils import timezone
    return timezone.localtime(order.received_at).strftime("%Y-%m")


def test_month_at_a_glance_counts_link_to_their_cases(leader, city):
    orders = [city.dispatched() for _ in range(3)]
    WorkOrder.objects.filter(pk=orders[0].pk).update(overdue=True)
    body = leader.get(URL + f"?month={_month(orders[0])}").content.decode()
    assert "<svg" in body and "<script" not in body.split("</head>", 1)[1]
    tiles = re.findall(r'<a href="([^"]+)"><span class="ld-num">([^<]+)</span><span class="ld-label">([^<]+)', body)
    values = {label: (value, url) for url, value, label in tiles}
    assert values["受理总量"][0] == "3" and values["超期未办结"][0] == "1"
    drill = leader.get(values["超期未办结"][1].replace("&amp;", "&")).content.decode()
    assert orders[0].number in drill and orders[1].number not in drill and "超期未办结" in drill


def test_day_bars_link_to_that_days_cases(leader, city):
    order = city.dispatched()
    body = leader.get(URL + f"?month={_month(order)}").content.decode()
    link = re.search(r'<a href="(/figures/cases/\?[^"]*figure=day[^"]*)"><rect', body).group(1).replace("&amp;", "&")
    assert order.number in leader.get(link).content.decode()


def test_figures_move_after_a_new_case_despite_the_cache(leader, city):
    first = city.dispatched()
    month = _month(first)
    before = leader.get(URL + f"?month={month}").content.decode()
    city.dispatched()
    after = leader.get(URL + f"?month={month}").content.decode()
    count = re.compile(r'<span class="ld-num">(\d+)</span><span class="ld-label">受理总量')
    assert count.search(before).group(1) == "1" and count.search(after).group(1) == "2"


def test_supervised_count_follows_supervision(leader, city):
    order = to_unsatisfied(city)
    transition(order=order, action="supervise", actor=city.user(Role.SUPERVISOR), reason="整改")
    body = leader.get(URL + f"?month={_month(order)}").content.decode()
    assert re.search(r'<span class="ld-num">1</span><span class="ld-label">本月督办', body)


def test_instruction_on_a_special_report_is_recorded_and_followed_on_the_case(leader, city):
    order = city.dispatched()
    report = raise_report(order=order, actor=city.user(Role.SUPERVISOR), leader=city.user(Role.LEADER), note="请关注")
    body = leader.get(URL).content.decode()
    assert "待批示专报" in body and order.number in body
    resp = leader.post(f"{URL}reports/{report.pk}/instruct/", {"instruction": "请市乙局三日内办结并回复"})
    assert resp.status_code == 302
    report.refresh_from_db()
    assert report.instruction == "请市乙局三日内办结并回复" and report.instructed_by == city.user(Role.LEADER)
    assert Event.objects.filter(order=order, kind=Action.INSTRUCT, reason=report.instruction).exists()
    assert "待批示专报" not in leader.get(URL).content.decode()


def test_empty_or_too_long_instruction_is_a_chinese_field_error(leader, city):
    order = city.dispatched()
    report = raise_report(order=order, actor=city.user(Role.SUPERVISOR), leader=city.user(Role.LEADER), note="请关注")
    resp = leader.post(f"{URL}reports/{report.pk}/instruct/", {"instruction": "字" * 2001})
    body = resp.content.decode()
    assert resp.status_code == 400 and "批示内容不能超过 2000 字" in body and "字" * 2001 in body
    report.refresh_from_db()
    assert report.instructed_at is None


def test_only_the_leader_reported_to_may_instruct(client, city):
    from tests.factories import UserFactory
    other = UserFactory(role=Role.LEADER)
    report = raise_report(order=city.dispatched(), actor=city.user(Role.SUPERVISOR), leader=city.user(Role.LEADER),
                          note="请关注")
    client.force_login(other)
    assert client.post(f"{URL}reports/{report.pk}/instruct/", {"instruction": "同意"}).status_code == 404
    with pytest.raises(ForbiddenMove):
        instruct(report=report, actor=other, text="同意")


def test_a_report_is_instructed_once(city):
    report = raise_report(order=city.dispatched(), actor=city.user(Role.SUPERVISOR), leader=city.user(Role.LEADER),
                          note="请关注")
    instruct(report=report, actor=city.user(Role.LEADER), text="同意")
    with pytest.raises(DomainError):
        instruct(report=report, actor=city.user(Role.LEADER), text="再批")


def test_only_a_supervisor_raises_a_report(city):
    with pytest.raises(ForbiddenMove):
        raise_report(order=city.dispatched(), actor=city.user(Role.OPERATOR), leader=city.user(Role.LEADER), note="x")
    assert not SpecialReport.objects.exists()


def test_cases_a_leader_takes_carry_the_leader_day_tag(city):
    fields = {"channel": city.channel, "citizen_name": "李四", "citizen_phone": "13800000000", "content": "咨询"}
    by_leader, _ = create_order(actor=city.user(Role.LEADER), fields=fields)
    by_operator, _ = create_order(actor=city.user(Role.OPERATOR), fields=fields)
    assert list(by_leader.tags.values_list("code", flat=True)) == ["leader_day"]
    assert not by_operator.tags.exists()


def test_leader_day_entry_leads_to_the_intake_desk(leader):
    body = leader.get(URL).content.decode()
    assert 'href="/desk/operator/"' in body and leader.get("/desk/operator/").status_code == 200


def test_other_roles_get_403_and_units_cannot_drill_into_other_units(client, city):
    order = city.dispatched(unit=city.unit_b)
    client.force_login(city.user("handler_a"))
    assert client.get(URL).status_code == 403
    resp = client.get(f"/figures/cases/?month={_month(order)}&box=hotline&figure=received")
    assert order.number not in resp.content.decode()


def test_bad_month_is_a_message_not_a_500(leader):
    resp = leader.get(URL + "?month=2024-13", follow=True)
    assert resp.status_code == 200 and "月份格式应为" in resp.content.decode()


def test_leader_page_queries_do_not_grow_with_reports(leader, city, django_assert_max_num_queries):
    for _ in range(4):
        raise_report(order=city.dispatched(), actor=city.user(Role.SUPERVISOR), leader=city.user(Role.LEADER),
                     note="请关注")
    leader.get(URL)
    with django_assert_max_num_queries(12):
        assert leader.get(URL).status_code == 200


def _total(client, month: str) -> str:
    body = client.get(URL + f"?month={month}").content.decode()
    return re.search(r'<span class="ld-num">(\d+)</span><span class="ld-label">受理总量', body).group(1)


def test_a_month_slow_to_compute_is_served_from_a_recent_snapshot_with_its_time(leader, city, settings):
    from hotline.bulletin import dashboard

    settings.HOTLINE_DASHBOARD_MAX_AGE = 120
    first = city.dispatched()
    month = _month(first)
    assert _total(leader, month) == "1"
    key = dashboard._key(dashboard.Month.parse(month), "hotline")
    snap = cache.get(key)
    snap.data.seconds = dashboard.SLOW_SECONDS + 5  # as if the month took seconds to scan
    cache.set(key, snap)
    city.dispatched()
    body = leader.get(URL + f"?month={month}").content.decode()
    assert "数据截至" in body and _total(leader, month) == "1"  # the snapshot, not a new scan
    snap = cache.get(key)
    snap.data.as_of -= dt.timedelta(seconds=121)
    cache.set(key, snap)
    assert _total(leader, month) == "2"  # too old: recomputed


def test_the_worker_refreshes_only_watched_snapshots_that_writes_made_stale(leader, city):
    from django.utils import timezone

    from hotline.bulletin import dashboard
    from hotline.bulletin.tasks import refresh_dashboards

    today = timezone.localdate()
    current = dashboard.Month(today.year, today.month)
    assert refresh_dashboards.call() == []  # nobody looked: nothing computed
    city.dispatched()
    _total(leader, str(current))
    assert refresh_dashboards.call() == []  # nothing written since
    city.dispatched()
    assert refresh_dashboards.call() == [f"{current}:hotline"]
