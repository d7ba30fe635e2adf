"""`hotline calendar ...` management command."""
import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from hotline.workcalendar.models import CalendarDay, CalendarYear


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def drop_year(year):
    CalendarYear.objects.filter(year=year).delete()
    CalendarDay.objects.filter(date__year=year).delete()


def test_due_prints_exactly_the_date(calendar):
    assert run("due", "--from", "2024-04-30", "--working-days", "5") == ("2024-05-10\n", "")
    assert run("due", "--from", "2024-02-09", "--working-days", "1") == ("2024-02-18\n", "")


def test_due_into_unloaded_year_prints_date_and_warns(calendar):
    drop_year(2027)
    out, err = run("due", "--from", "2026-12-31", "--working-days", "1")
    assert out == "2027-01-01\n"
    assert err.count("\n") == 1 and "warning" in err and "2027" in err


@pytest.mark.parametrize("args, option", [
    (["due", "--from", "2024-04-30", "--working-days", "-1"], "--working-days"),
    (["due", "--from", "2024-04-30", "--working-days", "five"], "--working-days"),
    (["due", "--from", "2024-4-30", "--working-days", "1"], "--from"),
    (["due", "--from", "2024-02-30", "--working-days", "1"], "--from"),
    (["due", "--working-days", "1"], "--from"),
    (["due", "--from", "9999-12-30", "--working-days", "3"], "--from"),
    (["load", "--year", "20x4"], "--year"),
    (["load", "--year", "2099"], "--year"),
    (["set", "--date", "2027-02-08", "--holiday", "--name", "  "], "--name"),
    (["set", "--date", "1900-01-01", "--holiday", "--name", "元旦"], "--date"),
    (["set", "--date", "2027-02-08", "--name", "春节"], "--holiday"),
    (["set", "--date", "2027-02-08", "--holiday", "--workday", "--name", "春节"], "--workday"),
    (["mark-loaded", "--year", "2099"], "--year"),
])
def test_bad_arguments_raise_command_error_naming_the_argument(calendar, args, option):
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert option in str(exc.value)


def test_load_names_an_unknown_year(calendar):
    with pytest.raises(CommandError, match="2099"):
        run("load", "--year", "2099")


def test_load_restores_a_year_from_the_library(calendar):
    drop_year(2024)
    out, _ = run("load", "--year", "2024")
    assert out.startswith("loaded 2024: 27 exception day(s)")
    assert CalendarYear.objects.filter(year=2024).exists()
    assert CalendarDay.objects.get(date=dt.date(2024, 5, 11)).is_workday is True


def test_set_and_mark_loaded_enter_a_new_year_by_hand(calendar):
    drop_year(2027)
    out, _ = run("set", "--date", "2027-02-08", "--holiday", "--name", "春节")
    assert "mark-loaded --year 2027" in out
    run("set", "--date", "2027-02-20", "--workday", "--name", "春节调休上班")
    assert run("mark-loaded", "--year", "2027")[0] == "marked 2027 loaded (管理员手工录入)\n"
    assert run("due", "--from", "2027-02-05", "--working-days", "1") == ("2027-02-09\n", "")
    assert run("due", "--from", "2027-02-19", "--working-days", "1") == ("2027-02-20\n", "")


def test_status_lists_years_and_warns_about_missing_soon(calendar, time_machine):
    drop_year(2027)
    time_machine.move_to(dt.datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    out, err = run("status")
    assert "years loaded: 2020-2026" in out.splitlines()[0]
    assert "2027" in err and "60 days" in err
    time_machine.move_to(dt.datetime(2026, 6, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    assert run("status")[1] == ""
