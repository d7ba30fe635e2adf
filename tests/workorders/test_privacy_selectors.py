"""Who sees which cases, and how much of the citizen they see."""
from __future__ import annotations

import pytest

from hotline.directory.models import Role, User
from hotline.workorders.models import PhoneAccess, WorkOrder
from hotline.workorders.selectors import (
    CITYWIDE_ROLES, citizen_view, get_visible_order, mask_phone, order_events, reveal_phone, visible_orders,
)
from hotline.workorders.services import transition
from tests.factories import City


@pytest.fixture
def cases(city: City) -> dict[str, WorkOrder]:
    """One case per kind of holder: A, its sub-unit A1, B, B co-handled by A and A1, B co-handled by A1, none."""
    dispatcher = city.user("dispatcher")
    made = {"new": city.new_order(), "a": city.dispatched(unit=city.unit_a), "a1": city.dispatched(unit=city.unit_a1),
            "b": city.dispatched(unit=city.unit_b)}
    for key, co_units in (("b_co_a", [city.unit_a.pk, city.unit_a1.pk]), ("b_co_a1", [city.unit_a1.pk])):
        made[key] = city.new_order()
        transition(order=made[key], action="dispatch", actor=dispatcher,
                   data={"unit": city.unit_b.pk, "co_units": co_units})
    return made


def keys_of(cases: dict[str, WorkOrder], user_name: str, city: City) -> list[str]:
    by_pk = {order.pk: key for key, order in cases.items()}
    pks = list(visible_orders(city.user(user_name)).values_list("pk", flat=True))
    assert len(pks) == len(set(pks)), "a case co-handled by two units of the subtree is listed twice"
    return sorted(by_pk[pk] for pk in pks)


@pytest.mark.parametrize("role", sorted(CITYWIDE_ROLES))
def test_hotline_roles_see_every_case(city: City, cases: dict[str, WorkOrder], role: str) -> None:
    assert keys_of(cases, role, city) == sorted(cases)


@pytest.mark.parametrize(("handler", "expected"), [
    ("handler_a", ["a", "a1", "b_co_a", "b_co_a1"]),  # own unit, its sub-unit, co-handled by either
    ("handler_a1", ["a1", "b_co_a", "b_co_a1"]),  # own unit and co-handled; never the parent's own cases
    ("handler_b", ["b", "b_co_a", "b_co_a1"]),
])
def test_unit_handlers_see_their_subtree_and_co_handled_cases(city: City, cases: dict[str, WorkOrder], handler: str,
                                                              expected: list[str]) -> None:
    assert keys_of(cases, handler, city) == expected


def test_redispatched_case_leaves_the_old_units_view(city: City, cases: dict[str, WorkOrder]) -> None:
    transition(order=cases["a"], action="redispatch", actor=city.user("dispatcher"), reason="职责调整",
               data={"unit": city.unit_b.pk})
    assert "a" not in keys_of(cases, "handler_a", city) and "a" in keys_of(cases, "handler_b", city)
    assert get_visible_order(city.user("handler_a"), number=cases["a"].number) is None


def test_inactive_user_sees_nothing(city: City, cases: dict[str, WorkOrder]) -> None:
    for name in ("operator", "handler_a"):
        user = city.user(name)
        user.is_active = False
        assert not visible_orders(user).exists()


def test_history_is_shown_only_with_the_case(city: City, cases: dict[str, WorkOrder]) -> None:
    order = cases["a"]
    assert [e.kind for e in order_events(city.user("handler_a"), order=order)] == ["create", "dispatch"]
    assert not order_events(city.user("handler_b"), order=order).exists()


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"), (" 13812345678 ", "138****5678"), ("0730-8888123", "073****8123"),
    ("1234567", "123****4567"), ("12345", "****"), ("", ""),
])
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_confidential_citizen_is_hidden_from_units_only(city: City) -> None:
    order = city.dispatched(confidential=True, address="某小区1栋")
    hidden = {"citizen_name": "（保密）", "citizen_phone": "（保密）", "address": "（保密）", "confidential": True}
    assert citizen_view(city.user("handler_a"), order) == hidden
    for role in sorted(CITYWIDE_ROLES):
        assert citizen_view(city.user(role), order) == {
            "citizen_name": "张三", "citizen_phone": "138****5678", "address": "某小区1栋", "confidential": True}


def test_ordinary_citizen_is_shown_to_units_with_a_masked_phone(city: City) -> None:
    assert citizen_view(city.user("handler_a"), city.dispatched()) == {
        "citizen_name": "张三", "citizen_phone": "138****5678", "address": "", "confidential": False}


@pytest.mark.parametrize("who", ["operator", "callback", "handler_a", "handler_a1"])
def test_reveal_phone_gives_the_number_and_audits_it(city: City, who: str) -> None:
    order = city.dispatched(unit=city.unit_a1)
    assert reveal_phone(city.user(who), order=order, via="detail") == "13812345678"
    assert list(PhoneAccess.objects.values_list("order", "user", "via")) == [(order.pk, city.user(who).pk, "detail")]


@pytest.mark.parametrize("who", sorted(CITYWIDE_ROLES - {Role.OPERATOR, Role.CALLBACK}) + ["handler_b"])
def test_reveal_phone_refuses_who_does_not_need_it(city: City, who: str) -> None:
    order = city.dispatched(unit=city.unit_a)
    assert reveal_phone(city.user(who), order=order, via="detail") is None
    assert not PhoneAccess.objects.exists()


def test_reveal_phone_refuses_a_unit_a_confidential_number(city: City) -> None:
    order = city.dispatched(unit=city.unit_a, confidential=True)
    assert reveal_phone(city.user("handler_a"), order=order, via="contact") is None
    assert reveal_phone(city.user("callback"), order=order, via="callback") == "13812345678"
    assert list(PhoneAccess.objects.values_list("user", flat=True)) == [city.user("callback").pk]


def test_reveal_phone_refuses_an_inactive_operator(city: City) -> None:
    order = city.new_order()
    former = User.objects.create(username="former", role=Role.OPERATOR, is_active=False)
    assert reveal_phone(former, order=order, via="detail") is None
    assert not PhoneAccess.objects.exists()


def test_events_cannot_be_bulk_updated_or_deleted(city):
    from hotline.workorders.models import AppendOnlyError, Event

    city.dispatched()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(kind="create").update(reason="x")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    assert Event.objects.count() == 2
