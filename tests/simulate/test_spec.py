"""Targets of a simulated month: published figures scaled into whole, consistent counts."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest

from hotline.simulate.pools import Urn
from hotline.simulate.spec import SimulationError, largest_remainder, load_spec, satisfaction_counts


def test_satisfaction_counts_reproduce_the_assessment_specs_full_precision_rates() -> None:
    # assessment.md: 岳塘区 55.072464 (system), 韶山市 67.142857 (system), 市住房公积金中心 77.777778 (spot)
    assert satisfaction_counts(Decimal("55.07"), target=70, limit=1488) == (69, 38)
    assert satisfaction_counts(Decimal("67.14"), target=38, limit=382) == (70, 47)
    assert satisfaction_counts(Decimal("77.78"), target=9, limit=9) == (9, 7)


def test_a_zero_rate_with_no_natural_denominator_means_nobody_answered() -> None:
    assert satisfaction_counts(Decimal("0.0"), target=1, limit=1) == (0, 0)


def test_xiangtan_targets_print_as_the_published_rates() -> None:
    spec = load_spec(city="xiangtan", month="2023-09", scale=Decimal(1))
    by_name = {t.name: t for t in spec.units["hotline"]}
    yuetang = by_name["岳塘区人民政府"]
    assert (yuetang.due, yuetang.extended, yuetang.contacted, yuetang.returned) == (1488, 166, 1488, 6)
    assert yuetang.system == (69, 38)
    assert Decimal(100 * yuetang.spot[1]) / yuetang.spot[0] == Decimal(80)  # type: ignore[index]


@pytest.mark.parametrize("scale", ["0.02", "0.37", "3"])
def test_scaled_unit_targets_stay_consistent(scale: str) -> None:
    spec = load_spec(city="yueyang", month="2024-05", scale=Decimal(scale))
    for targets in spec.units.values():
        for t in targets:
            assert 0 <= t.on_time <= t.done <= t.due
            assert 0 <= t.satisfied <= t.callbacks
            assert t.reworked <= t.done


def test_a_unit_listed_in_two_groups_is_planned_once() -> None:
    spec = load_spec(city="yueyang", month="2024-05", scale=Decimal(1))
    names = [t.name for t in spec.units["hotline"]]
    assert names.count("城陵矶新港区") == 1
    assert sum(t.due for t in spec.units["hotline"]) == 17836


def test_a_month_without_published_figures_is_refused_naming_the_field() -> None:
    with pytest.raises(SimulationError) as err:
        load_spec(city="yueyang", month="2024-06", scale=Decimal(1))
    assert err.value.field == "month"
    assert "yueyang" in err.value.message and "2024-05" in err.value.message


def test_scale_must_be_positive() -> None:
    with pytest.raises(SimulationError) as err:
        load_spec(city="yueyang", month="2024-05", scale=Decimal(0))
    assert err.value.field == "scale"


def test_largest_remainder_splits_exactly() -> None:
    parts = largest_remainder(10, {"a": 1, "b": 1, "c": 1})
    assert sum(parts.values()) == 10 and sorted(parts.values()) == [3, 3, 4]
    assert largest_remainder(5, {"a": 0, "b": 2}) == {"a": 0, "b": 5}


def test_an_urn_hands_out_each_key_exactly_its_count() -> None:
    counts = {"x": 5, "y": 1, None: 7, ("a", "b"): 3}
    urn = Urn(counts)
    rng = random.Random(3)
    drawn = [urn.draw(rng) for _ in range(16)]
    assert {k: drawn.count(k) for k in counts} == counts
    with pytest.raises(LookupError):
        urn.draw(rng)
