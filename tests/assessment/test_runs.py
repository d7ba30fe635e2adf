"""Monthly runs from the case history: reproducible, versioned, frozen once published, with diffs."""
import io

import pytest
from django.core.management import call_command

from hotline.assessment.ledger import add_entry
from hotline.assessment.models import AssessmentRun, FrozenError, RunStatus
from hotline.assessment.selectors import run_rows
from hotline.assessment.services import AssessmentError, compute_month, copy_scheme, run_month, update_scheme
from tests.assessment.conftest import MAY, at, local_scheme

SCHEME = "t-yueyang-hotline"


@pytest.fixture
def may(city, history):
    """A: two good cases (one handled by its sub-unit A1). B: one late reply, called back unsatisfied."""
    local_scheme("yueyang-hotline")
    history.case(city.unit_a, at(5, 6, 9), replied=at(5, 7))
    history.case(city.unit_a1, at(5, 8, 9), replied=at(5, 9))
    late = history.case(city.unit_b, at(5, 6, 9), replied=at(5, 20), result="unsatisfied")
    return late


def table(run: AssessmentRun) -> dict[str, dict[str, str]]:
    return {r["unit"]: r for r in run_rows(run)}


def test_inputs_come_from_case_history_with_sub_units_rolled_up(may, city):
    run = run_month(scheme=SCHEME, month=MAY)
    inputs = {i["unit"]: i["values"] for i in run.inputs}
    assert inputs["甲区人民政府"] == {"due": "2", "done": "2", "on_time": "2", "reworked": "0", "callbacks": "2",
                                      "unsatisfied": "0"}
    assert inputs["市乙局"] == {"due": "1", "done": "1", "on_time": "0", "reworked": "0", "callbacks": "1",
                                "unsatisfied": "1"}
    assert "甲区某街道" not in inputs  # a sub-unit is not assessed on its own
    rows = table(run)
    assert (rows["甲区人民政府"]["score"], rows["甲区人民政府"]["grade"]) == ("100.0", "A")
    assert (rows["市乙局"]["score"], rows["市乙局"]["grade"], rows["市乙局"]["on_time_rate"]) == ("50.0", "E", "0.00")
    assert run.as_of.isoformat() == "2024-06-10T00:00:00+08:00"  # the documented default cut-off
    assert (run.scheme_name, run.scheme_version, run.version, run.status) == (SCHEME, 1, 1, RunStatus.DRAFT)


def test_same_month_twice_gives_the_same_run(may):
    first = compute_month(scheme=SCHEME, month=MAY)
    second = compute_month(scheme=SCHEME, month=MAY)
    assert first.created and not second.created
    assert second.run.pk == first.run.pk and second.run.content_hash == first.run.content_hash
    assert len(first.run.content_hash) == 64
    assert AssessmentRun.objects.count() == 1


def test_published_run_is_frozen(may):
    run = run_month(scheme=SCHEME, month=MAY, publish=True)
    assert run.status == RunStatus.PUBLISHED and run.published_at is not None
    run.outputs = {"columns": [], "rows": []}
    with pytest.raises(FrozenError):
        run.save()
    with pytest.raises(FrozenError):
        run.delete()


def test_late_correction_makes_a_new_visible_version_with_a_diff(may, city, history, time_machine):
    time_machine.move_to(at(6, 2), tick=False)
    v1 = run_month(scheme=SCHEME, month=MAY, publish=True)
    assert v1.as_of == at(6, 2)  # the cut-off (June 10) is still ahead: the run records when it read the data
    # June 3 (before the cut-off): the dissatisfaction is verified as not upheld.
    time_machine.move_to(at(6, 3, 11), tick=False)
    history.do(may, "verify", city.user("callback"), at(6, 3), upheld=False)
    v2 = run_month(scheme=SCHEME, month=MAY)
    assert (v2.version, v2.status, v2.compared_to_id) == (2, RunStatus.DRAFT, v1.pk)
    assert v2.content_hash != v1.content_hash
    changed = {(c["unit"], c["column"]): (c["old"], c["new"]) for c in v2.diff}
    assert changed == {("市乙局", "unsatisfied_rate"): ("100.00", "0.00"), ("市乙局", "score"): ("50.0", "70.0")}
    v1.refresh_from_db()
    assert v1.status == RunStatus.PUBLISHED and table(v1)["市乙局"]["score"] == "50.0"


def test_as_of_replays_the_history_as_it_stood(may, city, history):
    v1 = run_month(scheme=SCHEME, month=MAY)
    history.do(may, "verify", city.user("callback"), at(6, 3), upheld=False)
    replay = run_month(scheme=SCHEME, month=MAY, as_of=at(6, 1, 0))
    assert replay.content_hash == v1.content_hash  # same content, as_of is not part of it
    assert replay.pk == v1.pk


def test_publishing_an_unchanged_month_publishes_the_draft(may):
    draft = run_month(scheme=SCHEME, month=MAY)
    published = compute_month(scheme=SCHEME, month=MAY, publish=True)
    assert published.run.pk == draft.pk and published.published_now and not published.created
    assert AssessmentRun.objects.get().status == RunStatus.PUBLISHED


def test_used_scheme_version_is_frozen_and_a_change_is_a_new_version(may):
    run = run_month(scheme=SCHEME, month=MAY)
    scheme = run.scheme
    scheme.refresh_from_db()
    assert scheme.frozen
    with pytest.raises(AssessmentError, match="冻结"):
        update_scheme(scheme=scheme, definition=scheme.definition, actor=None)
    changed = dict(scheme.definition)
    changed["grades"] = [{"grade": "A", "min": "95"}, {"grade": "B", "min": "40"}, {"grade": "C", "min": "30"},
                         {"grade": "D", "min": "20"}, {"grade": "E", "min": None}]
    v2 = copy_scheme(scheme=scheme, actor=None, definition=changed)
    assert (v2.name, v2.version, v2.frozen) == (SCHEME, 2, False)
    rerun = run_month(scheme=SCHEME, month=MAY)
    assert (rerun.version, rerun.scheme_version) == (2, 2)
    assert table(rerun)["市乙局"]["grade"] == "B"
    assert {(c["unit"], c["column"]) for c in rerun.diff} == {("市乙局", "grade")}


def test_units_without_cases_are_listed_with_no_score(may, city):
    from tests.factories import UnitFactory
    UnitFactory(name="市丙局")
    rows = table(run_month(scheme=SCHEME, month=MAY))
    assert (rows["市丙局"]["score"], rows["市丙局"]["grade"], rows["市丙局"]["rank"]) == ("", "", "")


def test_xiangtan_points_columns_come_from_the_ledger(city, history):
    local_scheme("xiangtan-hotline")
    history.case(city.unit_a, at(5, 6, 9), replied=at(5, 7))
    add_entry(unit=city.unit_a, month=MAY, box="hotline", indicator="知识库建设", points="-1.5",
              reason="知识库更新逾期", actor=city.user("supervisor"))
    add_entry(unit=city.unit_a1, month=MAY, box="hotline", indicator="加分项", points="7",
              reason="典型案例", actor=city.user("supervisor"))  # a sub-unit's entry counts for its unit
    run = run_month(scheme="t-xiangtan-hotline", month=MAY)
    values = {i["unit"]: i["values"] for i in run.inputs}["甲区人民政府"]
    assert (values["knowledge"], values["cooperation"], values["bonus"]) == ("18.5", "5", "5")  # bonus capped
    row = table(run)["甲区人民政府"]
    assert (row["knowledge_score"], row["cooperation_score"], row["bonus_score"]) == ("18.50", "5.00", "5.00")
    assert values["system_satisfaction"] == "100" and values["spot_check_satisfaction"] == "0"


def test_month_command_prints_the_table_and_the_diff(may, city, history):
    out, err = io.StringIO(), io.StringIO()
    call_command("assess", "month", "--scheme", SCHEME, "--month", "2024-05", "--publish", stdout=out, stderr=err)
    assert out.getvalue().splitlines()[0] == "unit,group,done_rate,on_time_rate,rework_rate,unsatisfied_rate,score,grade,rank"
    assert "市乙局,department,100.00,0.00,0.00,100.00,50.0,E,1" in out.getvalue().splitlines()
    assert "第 1 版" in err.getvalue() and "已发布" in err.getvalue()
    history.do(may, "verify", city.user("callback"), at(6, 3), upheld=False)
    err = io.StringIO()
    call_command("assess", "month", "--scheme", SCHEME, "--month", "2024-05", stdout=io.StringIO(), stderr=err)
    assert "第 2 版" in err.getvalue() and "市乙局（department）score: 50.0 -> 70.0" in err.getvalue()
