"""`hotline simulate`: a published month, loaded through the import path, reproduces its plan."""
from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from hotline.directory.models import Unit, User
from hotline.simulate.check import compare
from hotline.simulate.runner import run
from hotline.simulate.spec import SimulationError
from hotline.workorders.metrics import unit_month_metrics
from hotline.workorders.models import Event, WorkOrder
from hotline.workorders.rules import MOVES

SYSTEM_KINDS = {"create", "absorb", "remind", "overdue"}


def lines(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in list(fh)[1:]]


@pytest.mark.django_db
def test_a_small_yueyang_month_reproduces_every_units_plan_exactly() -> None:
    result = run(city="yueyang", month="2024-05", scale=Decimal("0.02"), seed=5)
    assert result.plan is not None and result.loaded == result.cases > 1000
    report = compare(result.plan)
    per_unit = [r for r in report.rows if r.exact]
    assert len(per_unit) > 100
    assert [r for r in per_unit if r.actual != r.expected] == []


@pytest.mark.django_db
def test_a_small_xiangtan_month_reproduces_every_units_plan_exactly() -> None:
    result = run(city="xiangtan", month="2023-09", scale=Decimal("0.05"), seed=2)
    assert result.plan is not None
    metrics = unit_month_metrics(box="hotline", month=dt.date(2023, 9, 1))
    ids = dict(Unit.objects.filter(city="xiangtan").values_list("code", "id"))
    for t in result.plan.spec.units["hotline"]:
        m = metrics[ids[t.code]]
        assert (m.due, m.on_time, m.extended, m.contacted, m.returned) == (
            t.due, t.on_time, t.extended, t.contacted, t.returned), t.name
        assert (m.system_callbacks, m.system_satisfied, m.spot_callbacks, m.spot_satisfied) == (
            *t.system, *t.spot), t.name  # type: ignore[misc]


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_ones(tmp_path: Path) -> None:
    paths = [tmp_path / f"{name}.jsonl" for name in ("a", "b", "c")]
    for path, seed in zip(paths, (9, 9, 10)):
        run(city="yueyang", month="2024-05", scale=Decimal("0.01"), seed=seed, out=path, load=False)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()
    assert WorkOrder.objects.count() == 0  # --no-load writes only the file


@pytest.mark.django_db
def test_every_history_is_a_sequence_of_allowed_moves_in_time_order(tmp_path: Path) -> None:
    out = tmp_path / "month.jsonl"
    run(city="xiangtan", month="2023-09", scale=Decimal("0.03"), seed=4, out=out, load=False)
    cutoff = "2023-10-10T00:00:00+08:00"
    for case in lines(out):
        events = case["events"]
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert [e["at"] for e in events] == sorted(e["at"] for e in events) and events[-1]["at"] < cutoff
        assert events[-1]["to_status"] == case["status"]
        for prev, e in zip(events, events[1:]):
            assert e["from_status"] == prev["to_status"]
            if e["kind"] not in SYSTEM_KINDS:
                move = MOVES[e["kind"]]
                assert e["from_status"] in move.sources and e["actor_role"] in move.roles, (case["number"], e)
            if e["kind"] == "reply":
                assert e["data"]["on_time"] == (e["at"] <= e["data"]["deadline"])


@pytest.mark.django_db
def test_the_loaded_month_exports_back_to_the_simulated_lines(tmp_path: Path) -> None:
    out, back = tmp_path / "month.jsonl", tmp_path / "export.jsonl"
    run(city="yueyang", month="2024-05", scale=Decimal("0.01"), seed=3, out=out)
    User.objects.create_superuser("boss", password="pw-12345678", role="admin")
    call_command("export", "--all", "--as", "boss", out=str(back), stderr=io.StringIO())
    simulated = out.read_text(encoding="utf-8").splitlines()[1:]
    exported = back.read_text(encoding="utf-8").splitlines()[1:]
    assert sorted(simulated) == sorted(exported)


@pytest.mark.django_db
def test_a_month_that_already_has_cases_is_refused_and_nothing_is_written() -> None:
    run(city="yueyang", month="2024-05", scale=Decimal("0.005"), seed=1)
    before = (WorkOrder.objects.count(), Event.objects.count())
    with pytest.raises(SimulationError) as err:
        run(city="yueyang", month="2024-05", scale=Decimal("0.005"), seed=2)
    assert err.value.field == "month"
    assert (WorkOrder.objects.count(), Event.objects.count()) == before


@pytest.mark.django_db
def test_the_month_carries_the_stories_the_bulletin_looks_for(tmp_path: Path) -> None:
    out = tmp_path / "month.jsonl"
    run(city="yueyang", month="2024-05", scale=Decimal("0.1"), seed=1, out=out, load=False)
    cases = lines(out)
    by_number = {c["number"]: c for c in cases}
    assigned = {c["number"]: [e["unit"] for e in c["events"] if e["kind"] in ("dispatch", "redispatch")]
                for c in cases}
    assert max(len(u) for u in assigned.values()) >= 3  # bounced back and forth
    old = [c for c in cases if c["received_at"] < "2024-02-01"]
    assert old and all(c["status"] == "accepted" and c["overdue"] for c in old)  # January orders never replied
    merged = [c for c in cases if c["status"] == "merged"]
    assert merged
    for repeat in merged:
        target = by_number[repeat["merged_into"]]
        absorbed = [e["data"]["repeat"] for e in target["events"] if e["kind"] == "absorb"]
        assert repeat["number"] in absorbed
    holiday = Counter(c["received_at"][:10] for c in cases
                      if c["category"] and c["category"]["path"][1] == "旅游市场")
    first_days = sum(holiday[f"2024-05-0{d}"] for d in range(1, 6)) / 5
    later = sum(n for day, n in holiday.items() if "2024-05-10" <= day <= "2024-05-31") / 22
    assert first_days > 2.5 * later  # the May Day crowd at 岳阳楼景区
    assert any("岳阳楼景区" in c["content"] for c in cases)
    texts = [c["content"] for c in cases]
    assert not any("A市" in t or "{county}" in t or "西地省" in t for t in texts)
    tags = Counter(t for c in cases if c["received_at"] >= "2024-05" and c["status"] not in ("merged", "invalid")
                   for t in c["tags"])
    assert tags["npc_deputy"] == 8 and tags["enterprise"] == 100


@pytest.mark.django_db
def test_the_command_loads_and_prints_the_comparison() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("simulate", city="xiangtan", month="2023-09", scale="0.02", seed=1, check=True, stdout=out,
                 stderr=err, verbosity=0)
    assert "exactly as planned" in out.getvalue()
    assert WorkOrder.objects.filter(source="simulate").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("args,message", [
    (["--city", "yueyang", "--month", "2024-05", "--scale", "abc"], "--scale"),
    (["--city", "yueyang", "--month", "2024-05", "--no-load"], "--no-load needs --out"),
    (["--city", "paris", "--month", "2024-05"], "--month"),
])
def test_the_command_names_the_bad_argument(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("simulate", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not WorkOrder.objects.exists()


@pytest.mark.django_db
def test_the_full_yueyang_month_matches_the_bulletin() -> None:
    """Scale 1 (≈70,000 cases): every unit's counts within one case, city figures within 1 %."""
    result = run(city="yueyang", month="2024-05", scale=Decimal(1), seed=1)
    assert result.plan is not None
    report = compare(result.plan)
    assert [r for r in report.rows if not r.ok] == []
    assert all(r.actual == r.expected for r in report.rows if r.exact)


@pytest.mark.django_db
def test_baseline_months_make_only_the_true_hotspots_stand_out(tmp_path: Path) -> None:
    out = tmp_path / "month.jsonl"
    run(city="yueyang", month="2024-05", scale=Decimal("0.1"), seed=6, out=out, load=False, history=3)
    items: Counter[tuple[str, str]] = Counter()
    for case in lines(out):
        if case["category"] and case["status"] not in ("merged", "invalid"):
            items[(case["received_at"][:7], case["category"]["path"][1])] += 1
    usual = {item: sum(items[(m, item)] for m in ("2024-02", "2024-03", "2024-04")) / 3
             for _, item in items}
    surging = {item for (month, item), n in items.items()
               if month == "2024-05" and n >= 20 and n >= 1.5 * usual[item] and item != "其他"}
    assert surging == {"住房公积金", "旅游市场"}


@pytest.mark.django_db
def test_baseline_months_leave_the_simulated_months_metrics_exact() -> None:
    result = run(city="xiangtan", month="2023-09", scale=Decimal("0.03"), seed=8, history=1)
    assert result.plan is not None
    report = compare(result.plan)
    assert all(r.actual == r.expected for r in report.rows if r.exact)
    def received(month: int) -> int:
        return WorkOrder.objects.filter(received_at__year=2023, received_at__month=month).count()

    assert received(8) > 0.8 * received(9)  # a whole baseline month of cases, not only September's carry-over


@pytest.mark.django_db
def test_a_planted_surge_lands_on_its_day_and_road_at_its_size_whatever_the_scale(tmp_path: Path) -> None:
    out = tmp_path / "month.jsonl"
    run(city="yueyang", month="2024-05", scale=Decimal("0.03"), seed=2, out=out, load=False,
        plants=["24:water_cut:15"])
    on_day = [c for c in lines(out) if c["received_at"].startswith("2024-05-24") and "突然停水" in c["title"]]
    assert len(on_day) == 15
    assert len({c["title"] for c in on_day}) == 1  # one road: the place stands out, not only the subject
    assert sum(c["status"] != "answered" for c in on_day) == 4  # 30 % become work orders


@pytest.mark.django_db
def test_a_planted_surge_keeps_the_months_plan_exact() -> None:
    result = run(city="yueyang", month="2024-05", scale=Decimal("0.02"), seed=3, plants=["12:power_cut:9"])
    assert result.plan is not None
    assert all(r.actual == r.expected for r in compare(result.plan).rows if r.exact)


@pytest.mark.django_db
@pytest.mark.parametrize("value,message", [("x:water_cut", "DAY:TOPIC"), ("24:volcano", "choose one of"),
                                           ("32:water_cut", "not in 2024-05")])
def test_a_bad_plant_is_named(value: str, message: str) -> None:
    with pytest.raises(CommandError, match=f"--plant-surge: .*{message}"):
        call_command("simulate", "--city", "yueyang", "--month", "2024-05", "--plant-surge", value,
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert not WorkOrder.objects.exists()
