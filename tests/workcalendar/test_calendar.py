"""Working-day arithmetic on the official 2024-2026 schedules (State Council notices, via chinesecalendar)."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.workcalendar.models import CalendarDay, CalendarYear, DeadlineRule
from hotline.workcalendar.services import (
    CalendarError, WorkingCalendar, add_working_days, load_official_year, mark_year_loaded,
    official_schedule, set_day,
)

D = dt.date


def drop_year(year: int) -> None:
    CalendarYear.objects.filter(year=year).delete()
    CalendarDay.objects.filter(date__year=year).delete()


@pytest.mark.django_db
def test_fresh_database_has_2020_to_2026_and_default_rules():
    # No `calendar` fixture: this is what migration 0002_seed_calendar leaves behind.
    assert set(range(2020, 2027)) <= set(CalendarYear.objects.values_list("year", flat=True))
    assert CalendarDay.objects.get(date=D(2024, 2, 18)).is_workday is True  # Spring Festival make-up Sunday
    assert CalendarDay.objects.get(date=D(2020, 1, 1)).is_workday is False
    assert set(DeadlineRule.objects.values_list("box", "urgency", "amount", "unit")) == {
        ("", "", 5, "working_days"), ("", "urgent", 2, "working_days"),
        ("", "very_urgent", 24, "hours"), ("mailbox", "", 10, "working_days"),
    }


@pytest.mark.django_db
def test_migration_and_library_loader_agree():
    before = list(CalendarDay.objects.filter(date__year=2025).values_list("date", "is_workday", "name"))
    result = load_official_year(year=2025)
    after = list(CalendarDay.objects.filter(date__year=2025).values_list("date", "is_workday", "name"))
    assert (result.days, result.removed) == (len(before), 0)
    assert before == after


def test_count_starts_the_day_after_start(calendar):
    assert add_working_days(D(2024, 3, 4), 1).date == D(2024, 3, 5)  # Mon -> Tue
    assert add_working_days(D(2024, 3, 4), 0).date == D(2024, 3, 4)
    assert add_working_days(D(2024, 3, 9), 1).date == D(2024, 3, 11)  # from a Saturday: Monday is day 1


def test_weekends_are_skipped(calendar):
    assert add_working_days(D(2024, 3, 8), 1).date == D(2024, 3, 11)  # Fri -> Mon


def test_labour_day_2024_five_days_from_tuesday_april_30(calendar):
    due = add_working_days(D(2024, 4, 30), 5)
    assert due.date == D(2024, 5, 10)  # 1-5 May off, 6-10 May counted
    assert due.fallback is False


def test_make_up_saturday_counts_2024_05_11(calendar):
    assert add_working_days(D(2024, 5, 9), 2).date == D(2024, 5, 11)


def test_spring_festival_2024_one_day_from_friday_feb_9_is_sunday_feb_18(calendar):
    assert add_working_days(D(2024, 2, 9), 1).date == D(2024, 2, 18)


def test_spring_festival_2025(calendar):
    # 28 Jan - 4 Feb off; Sun 26 Jan and Sat 8 Feb worked.
    assert add_working_days(D(2025, 1, 25), 1).date == D(2025, 1, 26)
    assert add_working_days(D(2025, 1, 27), 1).date == D(2025, 2, 5)
    assert add_working_days(D(2025, 2, 6), 2).date == D(2025, 2, 8)


def test_spring_festival_2026(calendar):
    # 15-23 Feb off; Sat 14 Feb and Sat 28 Feb worked.
    assert add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 14), 1).date == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 27), 1).date == D(2026, 2, 28)


def test_national_day_2024(calendar):
    # 1-7 Oct off; Sun 29 Sep and Sat 12 Oct worked.
    assert add_working_days(D(2024, 9, 27), 3).date == D(2024, 10, 8)  # 29 Sep, 30 Sep, 8 Oct
    assert add_working_days(D(2024, 10, 11), 1).date == D(2024, 10, 12)


def test_national_day_2025_matches_library_and_counts(calendar):
    # 1-8 Oct off (National Day + Mid-autumn); Sun 28 Sep and Sat 11 Oct worked.
    days = dict(CalendarDay.objects.filter(date__range=(D(2025, 9, 27), D(2025, 10, 12)))
                .values_list("date", "is_workday"))
    assert days == {D(2025, 9, 28): True, D(2025, 10, 11): True,
                    **{D(2025, 10, d): False for d in (1, 2, 3, 6, 7, 8)}}
    assert add_working_days(D(2025, 9, 26), 1).date == D(2025, 9, 28)
    assert add_working_days(D(2025, 9, 30), 1).date == D(2025, 10, 9)
    assert add_working_days(D(2025, 10, 10), 1).date == D(2025, 10, 11)


def test_unloaded_year_falls_back_to_weekdays_and_is_flagged(calendar):
    drop_year(2027)
    inside = add_working_days(D(2026, 12, 1), 5)
    assert (inside.fallback, inside.missing_years) == (False, ())
    due = add_working_days(D(2026, 12, 31), 1)
    # 1 Jan 2027 will surely be a holiday, but without a calendar it is an ordinary Friday.
    assert due.date == D(2027, 1, 1)
    assert (due.fallback, due.missing_years) == (True, (2027,))


def test_hand_entered_year_counts_once_marked_loaded(calendar):
    drop_year(2027)
    set_day(date=D(2027, 2, 8), is_workday=False, name="春节")
    set_day(date=D(2027, 2, 20), is_workday=True, name="春节调休上班")
    assert add_working_days(D(2027, 2, 5), 1).fallback is True  # entered but not yet declared complete
    mark_year_loaded(year=2027)
    due = add_working_days(D(2027, 2, 5), 1)
    assert (due.date, due.fallback) == (D(2027, 2, 9), False)
    assert add_working_days(D(2027, 2, 19), 1).date == D(2027, 2, 20)


def test_mark_loaded_refuses_a_year_without_holidays(calendar):
    drop_year(2027)
    with pytest.raises(CalendarError) as exc:
        mark_year_loaded(year=2027)
    assert exc.value.field == "year" and "2027" in exc.value.message
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_library_load_replaces_stale_days_of_that_year(calendar):
    set_day(date=D(2024, 3, 6), is_workday=False, name="误录")
    result = load_official_year(year=2024)
    assert result.removed == 1
    assert not CalendarDay.objects.filter(date=D(2024, 3, 6)).exists()


def test_library_load_of_unknown_year_names_the_year(db):
    with pytest.raises(CalendarError) as exc:
        load_official_year(year=2099)
    assert exc.value.field == "year" and "2099" in exc.value.message


def test_negative_working_days_rejected(calendar):
    with pytest.raises(CalendarError) as exc:
        add_working_days(D(2024, 4, 30), -1)
    assert exc.value.field == "working_days"


OFFLINE = WorkingCalendar(
    {day: kind for year in (2023, 2024, 2025, 2026) for day, (kind, _) in official_schedule(year).items()},
    {2023, 2024, 2025, 2026},
)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(D(2023, 1, 1), D(2026, 6, 30)), days=st.integers(0, 60))
def test_due_date_is_the_nth_working_day_after_start(start, days):
    due = OFFLINE.add_working_days(start, days)
    counted = sum(OFFLINE.is_workday(start + dt.timedelta(n)) for n in range(1, (due.date - start).days + 1))
    assert counted == days
    assert days == 0 or OFFLINE.is_workday(due.date)
    assert due.fallback is False
