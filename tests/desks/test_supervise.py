"""督办台: verify, supervise with its own deadline, overdue across units, a unit's problems, special reports."""
import datetime as dt

import pytest
from django.utils import timezone

from hotline.directory.models import Role
from hotline.workorders.models import Action, Event, SpecialReport, Status, WorkOrder
from tests.desks.helpers import to_unsatisfied, to_verifying

URL = "/desk/supervise/"


def case_url(order: WorkOrder) -> str:
    return f"{URL}case/{order.number}/"


@pytest.fixture
def sup(client, city):
    client.force_login(city.user(Role.SUPERVISOR))
    return client


def test_verify_tab_lists_unsatisfied_callbacks_with_count(sup, city):
    order = to_verifying(city)
    city.dispatched()  # an open case: not in the verify list
    body = sup.get(URL).content.decode()
    assert order.number in body and body.count("/desk/supervise/case/") == 1


def test_verify_upheld_moves_case_to_be_supervised(sup, city):
    order = to_verifying(city)
    resp = sup.post(case_url(order), {"action": "verify", "upheld": "true", "reason": "电话核实，仍不亮",
                                      "version": order.version})
    assert resp.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.UNSATISFIED
    assert order.number in sup.get(URL + "?tab=supervise").content.decode()


def test_verify_not_upheld_closes(sup, city):
    order = to_verifying(city)
    sup.post(case_url(order), {"action": "verify", "upheld": "false", "reason": "诉求已解决",
                               "version": order.version})
    order.refresh_from_db()
    assert order.status == Status.CLOSED


def test_verify_without_conclusion_shows_chinese_errors_next_to_fields_and_keeps_input(sup, city):
    order = to_verifying(city)
    resp = sup.post(case_url(order), {"action": "verify", "reason": "x" * 501, "version": order.version})
    body = resp.content.decode()
    assert resp.status_code == 400 and "请选择核实结论" in body and "核实情况不能超过 500 字" in body
    assert "x" * 501 in body
    order.refresh_from_db()
    assert order.status == Status.VERIFYING


def test_stale_version_is_refused_plainly(sup, city):
    order = to_verifying(city)
    resp = sup.post(case_url(order), {"action": "verify", "upheld": "true", "reason": "属实",
                                      "version": order.version - 1})
    assert resp.status_code == 400 and "该工单已被他人修改，请刷新页面后重试" in resp.content.decode()


def test_supervise_with_own_deadline_in_working_days(sup, city):
    order = to_unsatisfied(city)
    sup.post(case_url(order), {"action": "supervise", "reason": "限期整改", "days": "3", "version": order.version})
    order.refresh_from_db()
    event = Event.objects.get(order=order, kind=Action.SUPERVISE)
    assert order.status == Status.SUPERVISED and event.data["days"] == 3
    assert event.data["deadline"] == timezone.localtime(order.deadline).isoformat()
    assert order.number in sup.get(URL + "?tab=supervised").content.decode()


def test_supervise_deadline_out_of_range_is_a_field_error(sup, city):
    order = to_unsatisfied(city)
    resp = sup.post(case_url(order), {"action": "supervise", "reason": "限期整改", "days": "31",
                                      "version": order.version})
    assert resp.status_code == 400 and "督办时限应为 1 至 30 个工作日" in resp.content.decode()


def test_overdue_tab_lists_overdue_open_cases_of_every_unit(sup, city):
    a, b = city.dispatched(), city.dispatched(unit=city.unit_b)
    fresh = city.dispatched()
    WorkOrder.objects.filter(pk__in=[a.pk, b.pk]).update(overdue=True)
    body = sup.get(URL + "?tab=overdue").content.decode()
    assert a.number in body and b.number in body and fresh.number not in body


def test_supervising_an_overdue_open_case_keeps_its_status_and_deadline(sup, city):
    order = city.dispatched()
    deadline = order.deadline
    sup.post(case_url(order), {"action": "supervise", "reason": "尽快办理", "days": "2", "version": order.version})
    order.refresh_from_db()
    event = Event.objects.get(order=order, kind=Action.SUPERVISE)
    assert order.status == Status.DISPATCHED and order.deadline == deadline and "supervise_deadline" in event.data


def test_units_tab_shows_a_units_open_problems(sup, city):
    late = city.dispatched(unit=city.unit_a1)
    WorkOrder.objects.filter(pk=late.pk).update(overdue=True)
    other = city.dispatched(unit=city.unit_b)
    WorkOrder.objects.filter(pk=other.pk).update(overdue=True)
    glance = sup.get(URL + "?tab=units").content.decode()
    assert city.unit_a1.name in glance and city.unit_b.name in glance
    body = sup.get(URL + f"?tab=units&unit={city.unit_a.pk}").content.decode()
    assert late.number in body and other.number not in body  # the unit's subtree only


def test_search_by_number_and_phone_tail(sup, city):
    one = to_verifying(city, citizen_phone="13900001111")
    two = to_verifying(city, citizen_phone="13900002222")
    body = sup.get(URL + "?q=1111").content.decode()
    assert one.number in body and two.number not in body
    body = sup.get(URL + f"?q={two.number}").content.decode()
    assert two.number in body and one.number not in body


def test_report_to_leader_is_recorded_on_the_case(sup, city):
    order = city.dispatched()
    leader = city.user(Role.LEADER)
    resp = sup.post(case_url(order), {"action": "report", "leader": leader.pk, "note": "反复投诉，请领导关注",
                                      "version": order.version})
    assert resp.status_code == 302
    report = SpecialReport.objects.get(order=order)
    assert report.to_leader == leader and report.instructed_at is None
    assert Event.objects.filter(order=order, kind=Action.REPORT).exists()
    assert order.number in sup.get(URL + "?tab=reports").content.decode()


def test_report_to_a_non_leader_is_refused(sup, city):
    order = city.dispatched()
    resp = sup.post(case_url(order), {"action": "report", "leader": city.user(Role.OPERATOR).pk, "note": "x",
                                      "version": order.version})
    assert resp.status_code == 400 and "请选择列表中的领导" in resp.content.decode()
    assert not SpecialReport.objects.exists()


def test_other_roles_cannot_open_the_desk_or_act(client, city):
    order = to_verifying(city)
    client.force_login(city.user("handler_a"))
    assert client.get(URL).status_code == 403
    resp = client.post(case_url(order), {"action": "verify", "upheld": "false", "reason": "x",
                                         "version": order.version})
    assert resp.status_code == 403
    order.refresh_from_db()
    assert order.status == Status.VERIFYING


def test_desk_page_query_count_does_not_grow_with_rows(sup, city, django_assert_max_num_queries):
    for _ in range(5):
        to_verifying(city)
    with django_assert_max_num_queries(12):
        assert sup.get(URL).status_code == 200
