"""Case list: search by number, phone (full or last four), citizen name; filters kept across pages and
honoured by the CSV export; masking unchanged."""
import pytest

from hotline.workorders.models import WorkOrder


def login(client, user):
    client.force_login(user)
    return client


def export(client, query: str) -> str:
    return b"".join(client.get(f"/cases/export.csv?{query}").streaming_content).decode()


@pytest.fixture
def three(city):
    return [city.dispatched(citizen_phone="13911112222", citizen_name="王五"),
            city.dispatched(citizen_phone="13933334444", citizen_name="赵六"),
            city.dispatched(unit=city.unit_b, citizen_phone="13955556666", citizen_name="王五")]


def test_search_by_full_phone_and_by_last_four(client, city, three):
    c = login(client, city.user("supervisor"))
    body = c.get("/cases/?q=13933334444").content.decode()
    assert three[1].number in body and three[0].number not in body
    body = c.get("/cases/?q=2222").content.decode()
    assert three[0].number in body and three[1].number not in body
    assert "139****2222" in body and "13911112222" not in body  # matched, still masked


def test_search_by_number_and_by_name(client, city, three):
    c = login(client, city.user("supervisor"))
    body = c.get(f"/cases/?q={three[1].number}").content.decode()
    assert three[1].number in body and three[0].number not in body
    body = c.get("/cases/?q=王五").content.decode()
    assert three[0].number in body and three[2].number in body and three[1].number not in body


def test_unit_search_stays_in_its_unit_and_cannot_find_confidential_citizens(client, city, three):
    secret = city.dispatched(citizen_phone="13977778888", citizen_name="钱七", confidential=True)
    c = login(client, city.user("handler_a"))
    assert three[2].number not in c.get("/cases/?q=王五").content.decode()
    assert secret.number not in c.get("/cases/?q=8888").content.decode()
    assert secret.number not in c.get("/cases/?q=钱七").content.decode()


def test_overdue_filter_is_kept_on_the_next_page_and_in_the_export(client, city):
    orders = [city.dispatched() for _ in range(52)]
    WorkOrder.objects.filter(pk__in=[o.pk for o in orders[:51]]).update(overdue=True)
    c = login(client, city.user("supervisor"))
    first = c.get("/cases/?overdue=1").content.decode()
    assert "共 51 件" in first and "overdue=1&amp;page=2" in first
    second = c.get("/cases/?overdue=1&page=2").content.decode()
    assert second.count("/cases/RX") == 1 and orders[51].number not in second
    assert "export.csv?overdue=1" in first
    csv = export(c, "overdue=1")
    assert csv.count("\n") == 52 and orders[51].number not in csv


def test_export_honours_search_and_status(client, city, three):
    c = login(client, city.user("supervisor"))
    csv = export(c, "q=2222&status=dispatched")
    assert three[0].number in csv and three[1].number not in csv


def test_unknown_filter_values_are_ignored_not_a_500(client, city, three):
    c = login(client, city.user("supervisor"))
    resp = c.get("/cases/?status=nonsense&unit=abc&q=" + "x" * 500)
    assert resp.status_code == 200


def test_the_last_digits_of_a_case_number_find_it(client, city, three):
    c = login(client, city.user("supervisor"))
    body = c.get(f"/cases/?q={three[1].number[-6:]}").content.decode()
    assert three[1].number in body and three[0].number not in body


@pytest.mark.parametrize("desk, role", [("/desk/unit/", "handler_a"), ("/desk/dispatch/", "dispatcher"),
                                        ("/desk/supervise/?tab=overdue", "supervisor")])
def test_every_desk_searches_by_the_same_rule(client, city, desk, role):
    """Name, phone tail and number tail find the same case on every desk (one search for all)."""
    from django.db.models import F

    from hotline.workorders.models import Status

    wanted = city.dispatched(unit=city.unit_a, citizen_phone="13977778888", citizen_name="孙七")
    other = city.dispatched(unit=city.unit_a, citizen_phone="13900001111", citizen_name="周八")
    if "dispatch" in desk:
        WorkOrder.objects.filter(pk__in=[wanted.pk, other.pk]).update(status=Status.NEW, unit=None)
    if "overdue" in desk:
        WorkOrder.objects.filter(pk__in=[wanted.pk, other.pk]).update(overdue=True, deadline=F("received_at"))
    c = login(client, city.user(role))
    sep = "&" if "?" in desk else "?"
    for q in ("孙七", "8888", wanted.number[-6:], wanted.number):
        body = c.get(f"{desk}{sep}q={q}").content.decode()
        assert wanted.number in body and other.number not in body, (desk, q)
