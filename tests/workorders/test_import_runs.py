"""Import runs: a load records itself; a month touched by an unfinished load is incomplete and the
assessment refuses it; a simulation's temporary case files have no name on disk (nothing to leave behind)."""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.utils import timezone

from hotline.assessment.services import AssessmentError, compute_month
from hotline.workorders.models import ImportRun
from hotline.workorders.runs import month_gaps, month_status


def run(**fields) -> ImportRun:
    return ImportRun.objects.create(kind="import", label="x.jsonl", digest="d", started_at=timezone.now(), **fields)


MAY = dt.date(2024, 5, 1)


def test_a_running_load_makes_its_months_incomplete(db):
    run(status="running", touches=["2024-05"], months=["2024-05"], cases_loaded=4000, cases_total=14034)
    [reason] = month_gaps(MAY)
    assert "4000/14034" in reason
    assert month_gaps(dt.date(2024, 4, 1)) == []


def test_cases_carried_in_by_a_neighbouring_month_s_load_do_not_make_a_month(db):
    run(status="complete", touches=["2024-04", "2024-05"], months=["2024-05"])
    assert month_status(dt.date(2024, 4, 1))[0] == "incomplete"
    assert month_gaps(MAY) == []


def test_a_month_without_cases_is_missing(db):
    assert month_status(MAY)[0] == "missing"


def test_assessment_refuses_a_half_loaded_month(db):
    run(status="running", touches=["2024-05"], months=["2024-05"], cases_loaded=1, cases_total=2)
    with pytest.raises(AssessmentError, match="数据不完整"):
        compute_month(scheme="yueyang-2024", month=MAY)


@pytest.mark.django_db
def test_simulation_case_files_are_anonymous_and_the_run_is_recorded(monkeypatch):
    from hotline.simulate import runner

    seen = []
    real = runner.import_cases

    def spy(part, **kwargs):
        seen.append(os.fstat(part.fileno()).st_nlink)  # 0: no directory entry, gone when the process dies
        return real(part, **kwargs)

    monkeypatch.setattr(runner, "import_cases", spy)
    runner.run(city="yueyang", month="2024-05", scale=Decimal("0.005"), seed=1, history=1, chunk=200)
    assert seen and set(seen) == {0}
    recorded = ImportRun.objects.get(kind="simulate")
    assert (recorded.status, recorded.months) == ("complete", ["2024-04", "2024-05"])
    assert month_gaps(MAY) == [] and month_gaps(dt.date(2024, 4, 1)) == []
