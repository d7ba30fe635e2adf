"""Working days left until a due date, on the holiday calendar, for many due dates in one query."""
import datetime as dt

from hotline.workcalendar.selectors import working_days_left

D = dt.date


def test_days_left_count_working_days_only(calendar, django_assert_max_num_queries):
    today = D(2024, 9, 27)  # Friday; 2024-09-29 (Sunday) is a make-up working day, Oct 1-7 National Day
    dues = {D(2024, 9, 27), D(2024, 9, 30), D(2024, 10, 8), D(2024, 9, 25), D(2024, 9, 20)}
    with django_assert_max_num_queries(1):
        left = working_days_left(today=today, dues=dues)
    assert left[D(2024, 9, 27)] == 0  # due today
    assert left[D(2024, 9, 30)] == 2  # Sunday 29th (调休) and Monday 30th
    assert left[D(2024, 10, 8)] == 3  # 29th, 30th and Oct 8, the first day back
    assert left[D(2024, 9, 25)] == -2  # overdue by Thursday and Friday
    assert left[D(2024, 9, 20)] == -5


def test_no_dues_no_query(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert working_days_left(today=D(2024, 1, 1), dues=set()) == {}
