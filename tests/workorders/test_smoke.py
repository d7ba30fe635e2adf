import datetime as dt

import pytest
from django.utils import timezone

from hotline.workorders.models import Event, Status
from hotline.workorders.services import DomainError, ForbiddenMove, transition


def test_full_path(city):
    at = dt.datetime(2024, 4, 30, 10, 0, tzinfo=timezone.get_current_timezone())
    order = city.dispatched(at=at)
    assert order.deadline.date() == dt.date(2024, 5, 10)
    h = city.user("handler_a")
    transition(order=order, action="accept", actor=h)
    transition(order=order, action="contact", actor=h)
    transition(order=order, action="reply", actor=h, data={"text": "已修复"})
    transition(order=order, action="accept_reply", actor=city.user("reviewer"))
    transition(order=order, action="callback", actor=None, data={"result": "satisfied"})
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    assert list(Event.objects.filter(order=order).values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6, 7]


def test_other_unit_cannot_accept(city):
    order = city.dispatched()
    with pytest.raises(ForbiddenMove):
        transition(order=order, action="accept", actor=city.user("handler_b"))


def test_illegal_move(city):
    order = city.new_order()
    with pytest.raises(DomainError):
        transition(order=order, action="reply", actor=city.user("handler_a"), data={"text": "x"})
