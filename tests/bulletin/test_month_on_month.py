"""Honest month-on-month: the bulletin never prints a percentage against a previous month whose data is
missing or incomplete; `hotline simulate --months FIRST..LAST` gives it complete baseline months."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hotline.bulletin.compose import change_text
from hotline.bulletin.figures import compute_figures
from hotline.bulletin.period import Month
from hotline.bulletin.styles import load_style
from hotline.workorders.models import ImportRun

MAY = Month(2024, 5)


def hotline_change(figures: dict) -> dict:
    name = next(iter(figures["scopes"]))
    return figures[name]["change"]["received"]


def test_an_incomplete_prior_month_yields_no_percentage(may):
    ImportRun.objects.create(kind="import", label="april.jsonl", digest="x", started_at=timezone.now(),
                             status="running", touches=["2024-04"], months=["2024-04"], cases_loaded=4000,
                             cases_total=14034)
    change = hotline_change(compute_figures(style=load_style("yueyang"), month=MAY))
    assert (change["previous"], change["delta"], change["source"]) == (None, None, "incomplete")
    assert change_text(change) == "上月数据不完整，不作环比"


def test_a_complete_prior_month_is_compared(may):
    change = hotline_change(compute_figures(style=load_style("yueyang"), month=MAY))
    assert change["source"] == "computed" and change["previous"] is not None


def test_a_prior_month_without_cases_is_not_compared(may):
    change = hotline_change(compute_figures(style=load_style("yueyang"), month=Month(2024, 7)))
    assert change["source"] == "missing" and change_text(change) == "上月无数据，不作环比"


@pytest.mark.django_db
def test_simulated_month_alone_has_no_month_on_month_and_with_its_baseline_has_one():
    call_command("simulate", "--city", "yueyang", "--months", "2024-04..2024-05", "--scale", "0.005",
                 "--verbosity", "0", stdout=io.StringIO())
    run = ImportRun.objects.get(kind="simulate")
    assert run.months == ["2024-04", "2024-05"] and "--history 1" in run.label
    change = hotline_change(compute_figures(style=load_style("yueyang"), month=MAY))
    assert change["source"] == "computed" and change["delta"] is not None
    # The month before the baseline holds only cases the simulation carried over: not a month to compare with.
    april = hotline_change(compute_figures(style=load_style("yueyang"), month=Month(2024, 4)))
    assert april["source"] == "incomplete"


@pytest.mark.parametrize("args, message", [
    (["--months", "2024-05..2024-02"], "FIRST not after LAST"),
    (["--months", "2024-05"], "is not FIRST..LAST"),
    (["--month", "2024-05", "--months", "2024-04..2024-05"], "either --month"),
    (["--months", "2024-04..2024-05", "--history", "2"], "drop --history"),
])
def test_months_option_is_checked(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("simulate", "--city", "yueyang", *args, stdout=io.StringIO())
