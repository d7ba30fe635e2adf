"""The admin lists orders and phone-reveal audit rows but never creates them: those come only from the services."""
import pytest

from hotline.directory.models import Role
from hotline.workorders.models import PhoneAccess, WorkOrder
from hotline.workorders.selectors import reveal_phone


@pytest.fixture
def admin_user(city):
    user = city.user(Role.ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.mark.parametrize("model", ["workorder", "phoneaccess"])
def test_admin_cannot_add_orders_or_audit_rows(client, city, admin_user, model):
    client.force_login(admin_user)
    resp = client.get(f"/admin/workorders/{model}/add/")
    assert resp.status_code == 403
    listing = client.get(f"/admin/workorders/{model}/").content.decode()
    assert f"/admin/workorders/{model}/add/" not in listing


def test_admin_cannot_post_a_work_order_without_events(client, city, admin_user):
    client.force_login(admin_user)
    client.post("/admin/workorders/workorder/add/", {
        "number": "RX1", "box": "hotline", "channel": city.channel.pk, "content": "x", "status": "new",
        "received_at_0": "2024-05-01", "received_at_1": "10:00", "urgency": "normal", "version": 1,
    })
    assert not WorkOrder.objects.exists()


def test_admin_reads_the_audit_rows_but_cannot_change_them(client, city, admin_user):
    order = city.new_order()
    reveal_phone(city.user(Role.OPERATOR), order=order, via="page")
    row = PhoneAccess.objects.get()
    client.force_login(admin_user)
    assert client.get("/admin/workorders/phoneaccess/").status_code == 200
    client.post(f"/admin/workorders/phoneaccess/{row.pk}/change/", {"via": "forged"})
    row.refresh_from_db()
    assert row.via == "page"
