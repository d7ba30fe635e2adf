"""Every desk page that shows citizens' data writes its audit row (PIPL): a list page one VIEW_LIST row
naming the cases shown, an opened case one VIEW_CASE row, a step taken one TRANSITION row with the address."""
import pytest
from django.test import Client

from hotline.audit.models import AuditAction, AuditEntry
from hotline.directory.models import Role
from tests.desks.helpers import to_verifying


def client_for(user) -> Client:
    client = Client(REMOTE_ADDR="10.9.8.7")
    client.force_login(user)
    return client


def listed(via: str) -> list[list[str]]:
    return [r.detail["numbers"] for r in AuditEntry.objects.filter(action=AuditAction.VIEW_LIST, detail__via=via)]


def opened(via: str) -> list[str]:
    return [r.object_repr for r in AuditEntry.objects.filter(action=AuditAction.VIEW_CASE, detail__via=via)]


@pytest.mark.parametrize("desk, role", [("dispatch", Role.DISPATCHER)])
def test_queue_page_lists_the_cases_it_showed(city, desk, role):
    order = city.new_order()
    assert client_for(city.user(role)).get(f"/desk/{desk}/").status_code == 200
    assert listed(f"desk:{desk}") == [[order.number]]


def test_unit_inbox_and_its_case_panel_are_audited(city):
    order = city.dispatched()
    client_for(city.user("handler_a")).get(f"/desk/unit/?case={order.number}")
    assert listed("desk:unit") == [[order.number]] and opened("desk:unit") == [order.number]
    row = AuditEntry.objects.get(action=AuditAction.VIEW_CASE)
    assert row.ip == "10.9.8.7" and row.citizen_phone == order.citizen_phone


def test_another_unit_s_inbox_writes_no_row_about_the_case(city):
    city.dispatched()
    client_for(city.user("handler_b")).get("/desk/unit/")
    assert listed("desk:unit") == [] and opened("desk:unit") == []


def test_dispatch_case_page_and_the_dispatch_are_audited(city):
    order = city.new_order()
    client = client_for(city.user(Role.DISPATCHER))
    client.post(f"/desk/dispatch/{order.number}/", {"unit": city.unit_a.pk, "version": order.version, "reason": ""})
    steps = AuditEntry.objects.filter(action=AuditAction.TRANSITION)
    assert [(r.detail["kind"], r.detail["via"], r.ip) for r in steps] == [("dispatch", "desk:dispatch", "10.9.8.7")]
    assert opened("desk:dispatch") == []  # a dispatch that succeeded redirects without showing the case again
    client.get(f"/desk/dispatch/{order.number}/")
    assert opened("desk:dispatch") == [order.number]


def test_supervisor_case_page_and_verification_are_audited(city):
    order = to_verifying(city)
    client = client_for(city.user(Role.SUPERVISOR))
    client.get(f"/desk/supervise/case/{order.number}/")
    order.refresh_from_db()
    client.post(f"/desk/supervise/case/{order.number}/", {"action": "verify", "upheld": "false", "reason": "经核实已解决",
                                                          "version": order.version})
    assert opened("desk:supervise") == [order.number]
    assert [r.detail["kind"] for r in AuditEntry.objects.filter(action=AuditAction.TRANSITION)] == ["verify"]


def test_operator_hints_list_the_caller_s_cases_shown(city):
    earlier = city.new_order()
    client = client_for(city.user(Role.OPERATOR))
    client.get("/desk/operator/hints/", {"citizen_phone": earlier.citizen_phone})
    assert listed("desk:operator") == [[earlier.number]]
    client.get("/desk/operator/hints/", {"citizen_phone": "13900000000"})
    assert len(listed("desk:operator")) == 1  # nothing shown, nothing written
