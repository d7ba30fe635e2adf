"""The transition and intake services: Chinese errors naming the field, length limits on every text input."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from hotline.workorders.limits import CONTENT_MAX, NOTE_MAX, REASON_MAX, TEXT_MAX
from hotline.workorders.models import Event
from hotline.workorders.services import DomainError, transition

HAN = re.compile(r"[\u4e00-\u9fff]")


def _accepted(city):
    order = city.dispatched()
    transition(order=order, action="accept", actor=city.user("handler_a"))
    return order


def _error(**kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        transition(**kwargs)
    assert HAN.search(info.value.message), info.value.message  # the message is Chinese
    return info.value


@pytest.mark.parametrize("action, data, field", [
    ("dispatch", {}, "unit"),
    ("dispatch", {"unit": "x"}, "unit"),
    ("dispatch", {"unit": 999999}, "unit"),
])
def test_dispatch_errors_are_chinese_and_name_the_field(city, action, data, field):
    err = _error(order=city.new_order(), action=action, actor=city.user("dispatcher"), data=data)
    assert err.field == field and "missing" not in err.message


@pytest.mark.parametrize("days", [0, 31, "abc"])
def test_extension_days_out_of_range_in_chinese(city, days):
    err = _error(order=_accepted(city), action="request_extension", actor=city.user("handler_a"),
                 reason="需要协调", data={"days": days})
    assert err.field == "days" and ("工作日" in err.message or "整数" in err.message)


def test_unknown_action_is_chinese(city):
    assert _error(order=city.new_order(), action="teleport", actor=city.user("dispatcher")).field == "action"


@pytest.mark.parametrize("action, key, limit, extra", [
    ("return", "reason", REASON_MAX, {}),
    ("reply", "text", TEXT_MAX, {}),
    ("contact", "outcome", NOTE_MAX, {}),
    ("request_extension", "reason", REASON_MAX, {"days": 3}),
])
def test_text_over_its_limit_is_refused_naming_the_field_and_nothing_is_written(city, action, key, limit, extra):
    order = _accepted(city)
    events = Event.objects.filter(order=order).count()
    reason = "理由" if key != "reason" else "长" * (limit + 1)
    data = dict(extra)
    if key != "reason":
        data[key] = "长" * (limit + 1)
    err = _error(order=order, action=action, actor=city.user("handler_a"), reason=reason, data=data)
    assert err.field == key and f"{limit}" in err.message and f"{limit + 1}" in err.message
    assert Event.objects.filter(order=order).count() == events


def test_text_at_its_limit_is_accepted(city):
    order = _accepted(city)
    transition(order=order, action="reply", actor=city.user("handler_a"), data={"text": "答" * TEXT_MAX})
    assert order.status == "replied"


def test_intake_content_and_short_fields_are_limited(city):
    with pytest.raises(DomainError) as info:
        city.new_order(content="长" * (CONTENT_MAX + 1))
    assert info.value.field == "content" and "诉求内容" in info.value.message
    with pytest.raises(DomainError) as info:
        city.new_order(citizen_name="名" * 61)
    assert info.value.field == "citizen_name" and "60" in info.value.message


def test_contact_records_how_when_outcome(city):
    order = _accepted(city)
    when = timezone.now()  # after the dispatch, before the contact is recorded
    event = transition(order=order, action="contact", actor=city.user("handler_a"),
                       data={"how": "phone", "when": when, "outcome": "已电话联系，约定周五上门"})
    assert event.data["how"] == "phone" and event.data["outcome"].startswith("已电话")
    assert dt.datetime.fromisoformat(event.data["when"]) == when


@pytest.mark.parametrize("data, field", [
    ({"how": "pigeon"}, "how"),
    ({"when": "yesterday"}, "when"),
    ({"when": (timezone.now() + dt.timedelta(days=1)).isoformat()}, "when"),
    ({"when": "2000-01-01T10:00:00+08:00"}, "when"),
])
def test_contact_bad_details_are_refused(city, data, field):
    err = _error(order=_accepted(city), action="contact", actor=city.user("handler_a"), data=data)
    assert err.field == field


def test_unreachable_callback_keeps_the_attempt_count(city):
    order = _accepted(city)
    transition(order=order, action="reply", actor=city.user("handler_a"), data={"text": "已修复"})
    transition(order=order, action="accept_reply", actor=city.user("reviewer"))
    err = _error(order=order, action="callback", actor=city.user("callback"),
                 data={"result": "unreachable", "attempts": 0})
    assert err.field == "attempts"
    event = transition(order=order, action="callback", actor=city.user("callback"),
                       data={"result": "unreachable", "attempts": 3})
    assert event.data["attempts"] == 3 and order.status == "callback"
