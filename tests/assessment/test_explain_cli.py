"""`hotline assess explain`: the case numbers (or ledger entries) behind one number."""
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.assessment.ledger import add_entry
from hotline.assessment.services import run_month
from tests.assessment.conftest import MAY, at, local_scheme


def explain(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("assess", "explain", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_lists_the_cases_behind_due_including_sub_units(city, history):
    local_scheme("yueyang-hotline")
    own = history.case(city.unit_a, at(5, 6, 9), replied=at(5, 7))
    sub = history.case(city.unit_a1, at(5, 8, 9), replied=at(5, 9))
    history.case(city.unit_b, at(5, 8, 9), replied=at(5, 9))
    run_month(scheme="t-yueyang-hotline", month=MAY)
    out, err = explain("--scheme", "t-yueyang-hotline", "--month", "2024-05", "--unit", "甲区人民政府", "--input", "due")
    assert out.split() == sorted([own.number, sub.number])
    assert "due = 2" in err and "第 1 版" in err


def test_percent_input_lists_numerator_and_denominator_cases(city, history):
    local_scheme("xiangtan-hotline")
    good = history.case(city.unit_b, at(5, 6, 9), replied=at(5, 7))
    bad = history.case(city.unit_b, at(5, 6, 9), replied=at(5, 7), result="unsatisfied")
    out, _ = explain("--scheme", "t-xiangtan-hotline", "--month", "2024-05", "--unit", "市乙局",
                     "--input", "system_satisfaction")
    assert out.splitlines() == ["# system_satisfied", good.number, "# system_callbacks",
                                *sorted([good.number, bad.number])]


def test_ledger_input_lists_entries(city):
    local_scheme("xiangtan-hotline")
    add_entry(unit=city.unit_b, month=MAY, box="hotline", indicator="知识库建设", points="-0.5",
              reason="知识库更新逾期", actor=None, case_numbers=["ZS-1"])
    out, _ = explain("--scheme", "t-xiangtan-hotline", "--month", "2024-05", "--unit", "市乙局", "--input", "knowledge")
    assert out.strip() == "-0.50\t知识库建设\t知识库更新逾期\tZS-1"


def test_unknown_unit_and_input_are_named(city):
    local_scheme("yueyang-hotline")
    with pytest.raises(CommandError, match="没有名为“市丁局”的单位"):
        explain("--scheme", "t-yueyang-hotline", "--month", "2024-05", "--unit", "市丁局", "--input", "due")
    with pytest.raises(CommandError, match="没有输入项 orders"):
        explain("--scheme", "t-yueyang-hotline", "--month", "2024-05", "--unit", "市乙局", "--input", "orders")
