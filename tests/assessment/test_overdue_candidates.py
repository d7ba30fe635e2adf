"""The seriously-overdue rule reads only candidate histories: the candidate bounds must never drop a
case that the event-by-event check would count."""
import datetime as dt

import pytest

from hotline.assessment.ledger import _days_before, _deadline_window, _undated_ends, seriously_overdue_cases
from hotline.workcalendar.services import WorkingCalendar
from tests.assessment.conftest import MAY, TZ, at


def when(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


def numbers(month: dt.date, as_of: dt.datetime, days: int = 5) -> dict[str, str]:
    return {c.number: c.crossed_at.isoformat()
            for c in seriously_overdue_cases(box="hotline", month=month, as_of=as_of, working_days=days)}


@pytest.mark.parametrize("n", [0, 1, 2, 5, 10])
@pytest.mark.parametrize("first, last", [
    (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),  # Spring Festival, Feb 10-17
    (dt.date(2024, 10, 1), dt.date(2024, 10, 31)),  # National Day, Oct 1-7
    (dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
    (dt.date(2024, 5, 1), dt.date(2024, 5, 20)),  # a cut-off inside the month
])
def test_days_before_matches_the_calendar_day_by_day(calendar, first, last, n):
    cal = WorkingCalendar.load()
    lo, hi = _days_before(cal, first, last, n)
    day = first - dt.timedelta(days=60)
    while day <= last + dt.timedelta(days=5):
        assert (first <= cal.add_working_days(day, n).date <= last) == (lo <= day <= hi), day
        day += dt.timedelta(days=1)


def test_deadline_window_spans_the_holiday(calendar):
    # Deadline Wed Sep 25 2024: 5 working days later is Oct 8 (Sep 26, 27, 29 make-up Sunday, 30, Oct 8),
    # six calendar days before October starts, so "start − N days" would have missed it.
    start, end = when(2024, 10, 1, 0), when(2024, 11, 1, 0)
    lo, hi = _deadline_window(WorkingCalendar.load(), start=start, horizon=end, working_days=5)
    assert (lo, hi) == (when(2024, 9, 25, 0), when(2024, 10, 25, 0))


def test_undated_ends_are_the_moves_a_running_period_allows():
    assert _undated_ends() == ["redispatch", "request_extension", "return"]


def test_an_open_case_with_a_deadline_before_a_long_holiday_crosses_after_it(city, history):
    order = history.case(city.unit_b, when(2024, 9, 18))  # deadline Sep 25 23:59:59, never replied
    assert order.deadline == dt.datetime(2024, 9, 25, 23, 59, 59, tzinfo=TZ)
    assert numbers(dt.date(2024, 9, 1), when(2024, 10, 10, 0)) == {}
    assert numbers(dt.date(2024, 10, 1), when(2024, 11, 10, 0)) == {order.number: "2024-10-08T23:59:59+08:00"}


def test_an_open_case_long_past_its_line_is_counted_only_in_its_month(city, history):
    order = history.case(city.unit_b, at(4, 1, 9))  # deadline Apr 9 (Qingming), line Apr 16; open in May
    assert numbers(dt.date(2024, 4, 1), at(5, 10, 0)) == {order.number: "2024-04-16T23:59:59+08:00"}
    assert numbers(MAY, at(6, 10, 0)) == {}


def test_a_case_redispatched_after_its_line_counts_for_the_unit_that_held_it(city, history):
    # Deadline May 11 (make-up Saturday), line May 17; taken from B on May 20 and answered in time by A.
    order = history.case(city.unit_b, at(5, 6, 9))
    history.do(order, "redispatch", city.user("dispatcher"), at(5, 20), reason="改派", unit=city.unit_a.pk)
    history.do(order, "accept", city.user("handler_a"), at(5, 20, 11))
    history.do(order, "reply", city.user("handler_a"), at(5, 21), text="已办理")
    [case] = seriously_overdue_cases(box="hotline", month=MAY, as_of=at(6, 10, 0), working_days=5)
    assert (case.number, case.unit_id, case.crossed_at.isoformat()) == (
        order.number, city.unit_b.pk, "2024-05-17T23:59:59+08:00")


def test_an_extension_asked_after_the_line_does_not_excuse_it(city, history):
    h_b = history.handler(city.unit_b)
    late_ask = history.case(city.unit_b, at(5, 6, 9))  # line May 17
    history.do(late_ask, "request_extension", h_b, at(5, 20), reason="需协调", days=10)
    history.do(late_ask, "approve_extension", city.user("dispatcher"), at(5, 20, 11))
    history.do(late_ask, "reply", h_b, at(5, 21), text="已办理")  # in time for the extended deadline
    still_open = history.case(city.unit_b, at(5, 6, 9))
    history.do(still_open, "request_extension", h_b, at(5, 20), reason="需协调", days=30)
    history.do(still_open, "approve_extension", city.user("dispatcher"), at(5, 20, 11))  # deadline now in June
    in_time = history.case(city.unit_b, at(5, 6, 9))
    history.do(in_time, "request_extension", h_b, at(5, 10), reason="需协调", days=10)
    history.do(in_time, "approve_extension", city.user("dispatcher"), at(5, 10, 11))
    assert numbers(MAY, at(6, 10, 0)) == {late_ask.number: "2024-05-17T23:59:59+08:00",
                                          still_open.number: "2024-05-17T23:59:59+08:00"}


def test_a_case_returned_after_its_line_counts(city, history):
    order = history.case(city.unit_b, at(5, 6, 9))  # line May 17 23:59:59
    history.do(order, "return", history.handler(city.unit_b), at(5, 20), reason="非本单位职责")
    assert numbers(MAY, at(6, 10, 0)) == {order.number: "2024-05-17T23:59:59+08:00"}


def test_a_reply_one_second_past_the_line_counts_and_one_at_it_does_not(city, history):
    line = dt.datetime(2024, 5, 17, 23, 59, 59, tzinfo=TZ)
    on_the_line = history.case(city.unit_b, at(5, 6, 9), replied=line)
    past_it = history.case(city.unit_b, at(5, 6, 9), replied=line + dt.timedelta(seconds=1))
    assert numbers(MAY, at(6, 10, 0)) == {past_it.number: "2024-05-17T23:59:59+08:00"}
    assert set(numbers(MAY, at(6, 10, 0), days=4)) == {on_the_line.number, past_it.number}  # line May 16
