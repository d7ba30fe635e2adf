"""The server-rendered workbench: scoping, transitions through the page, audited phone reveal."""
import pytest

from hotline.audit.models import AuditEntry
from hotline.workorders.models import Status


@pytest.fixture
def orders(city):
    return city.dispatched(unit=city.unit_a), city.dispatched(unit=city.unit_b)


def login(client, user):
    client.force_login(user)
    return client


def test_home_redirects_to_login_when_anonymous(client, db):
    assert client.get("/").url == "/login/"


def test_list_shows_only_own_unit_cases(client, city, orders):
    a, b = orders
    body = login(client, city.user("handler_a")).get("/cases/").content.decode()
    assert a.number in body and b.number not in body


def test_other_unit_cannot_open_detail(client, city, orders):
    _, b = orders
    assert login(client, city.user("handler_a")).get(f"/cases/{b.number}/").status_code == 404


def test_other_unit_cannot_post_transition(client, city, orders):
    _, b = orders
    resp = login(client, city.user("handler_a")).post(f"/cases/{b.number}/transition/",
                                                      {"action": "accept", "accept-version": b.version})
    assert resp.status_code == 404
    b.refresh_from_db()
    assert b.status == Status.DISPATCHED


def test_handler_accepts_through_the_page(client, city, orders):
    a, _ = orders
    resp = login(client, city.user("handler_a")).post(f"/cases/{a.number}/transition/",
                                                      {"action": "accept", "accept-version": a.version})
    assert resp.status_code == 302
    a.refresh_from_db()
    assert a.status == Status.ACCEPTED


def test_illegal_move_shows_error_and_changes_nothing(client, city, orders):
    a, _ = orders
    c = login(client, city.user("handler_a"))
    resp = c.post(f"/cases/{a.number}/transition/", {"action": "reply", "reply-text": "x", "reply-version": a.version})
    assert resp.status_code == 400 and "不能执行“办结回复”" in resp.content.decode()
    a.refresh_from_db()
    assert a.status == Status.DISPATCHED


def test_detail_masks_phone_and_reveal_is_audited(client, city, orders):
    a, _ = orders
    c = login(client, city.user("handler_a"))
    assert "138****5678" in c.get(f"/cases/{a.number}/").content.decode()
    assert c.post(f"/cases/{a.number}/phone/").content.decode() == "13812345678"
    assert AuditEntry.objects.filter(object_id=str(a.pk), actor=city.user("handler_a"), action="reveal_phone",
                                     detail__via="page").count() == 1


def test_reviewer_cannot_reveal_phone(client, city, orders):
    a, _ = orders
    assert login(client, city.user("reviewer")).post(f"/cases/{a.number}/phone/").status_code == 403
    assert not AuditEntry.objects.filter(action="reveal_phone").exists()


def test_confidential_identity_hidden_from_unit_page(client, city):
    order = city.dispatched(unit=city.unit_a, confidential=True, citizen_name="李四")
    body = login(client, city.user("handler_a")).get(f"/cases/{order.number}/").content.decode()
    assert "李四" not in body and "（保密）" in body


def test_export_is_scoped_and_masked(client, city, orders):
    a, b = orders
    resp = login(client, city.user("handler_a")).get("/cases/export.csv")
    body = b"".join(resp.streaming_content).decode("utf-8-sig")
    assert a.number in body and b.number not in body
    assert "138****5678" in body and "13812345678" not in body


def test_export_hides_confidential_identity_from_units(client, city):
    order = city.dispatched(unit=city.unit_a, confidential=True, citizen_name="李四")
    body = b"".join(login(client, city.user("handler_a")).get("/cases/export.csv").streaming_content).decode()
    assert order.number in body and "李四" not in body
