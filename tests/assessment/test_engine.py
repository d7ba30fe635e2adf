"""Scoring exactly as the published tables (docs: /work/shared/spec/assessment.md)."""
from collections import Counter
from pathlib import Path

import pytest

from hotline.assessment.engine import InputError, score_csv
from tests.assessment.conftest import shipped

CALIBRATION = Path("/work/shared/data/calibration")
YY_HOTLINE = "unit,group,due,done,on_time,reworked,callbacks,unsatisfied\n"
YY_MAILBOX = "unit,group,due,done,on_time,reworked,callbacks,satisfied\n"
XT = ("unit,group,orders,on_time,extended,contacted,system_satisfaction,spot_check_satisfaction,rejected,"
      "knowledge,cooperation,bonus\n")
XT_EXAMPLE = (
    "岳塘区人民政府,county,1488,1488,166,1488,55.072464,80,6,20,4,5\n"
    "韶山市人民政府,county,382,382,75,382,67.142857,85,1,19,4,0\n"
    "市住房公积金中心,department,9,9,0,9,0,77.777778,1,20,5,2\n"
)


def rows(scheme: str, text: str) -> dict[str, dict[str, str]]:
    table = score_csv(shipped(scheme), text)
    return {(r.unit, r.group): dict(zip(table.columns, table.cells(r))) for r in table.rows}  # type: ignore[misc]


def one(scheme: str, text: str, unit: str) -> dict[str, str]:
    return next(v for (u, _), v in rows(scheme, text).items() if u == unit)


# --- the spec's example rows -------------------------------------------------------------------

@pytest.mark.parametrize("line, score, grade", [
    ("屈原管理区,county,139,139,139,9,143,4", "98.1", "A"),
    ("市国资委,department,17,17,11,11,17,5", "70.6", "E"),
    ("市农业农村局,department,1,1,1,1,1,0", "80.0", "C"),
])
def test_yueyang_hotline_examples(line, score, grade):
    row = one("yueyang-hotline", YY_HOTLINE + line + "\n", line.split(",")[0])
    assert (row["score"], row["grade"]) == (score, grade)


@pytest.mark.parametrize("line, score, grade", [
    ("岳阳经开区,county,124,124,124,0,124,123", "99.84", "A"),
    ("市工信局,department,18,18,13,0,18,13", "86.11", "B"),
])
def test_yueyang_mailbox_examples(line, score, grade):
    row = one("yueyang-mailbox", YY_MAILBOX + line + "\n", line.split(",")[0])
    assert (row["score"], row["grade"]) == (score, grade)


def test_mailbox_80_is_b_while_hotline_80_is_c():
    assert one("yueyang-mailbox", YY_MAILBOX + "x,department,1,1,1,1,1,1\n", "x")["score"] == "80.00"
    assert one("yueyang-mailbox", YY_MAILBOX + "x,department,1,1,1,1,1,1\n", "x")["grade"] == "B"


def test_hotline_score_is_rounded_once_from_exact_counts():
    # 屈原管理区: 98.14559…; rounding the rates first would not change it, but the rates shown are 2-decimal.
    row = one("yueyang-hotline", YY_HOTLINE + "屈原管理区,county,139,139,139,9,143,4\n", "屈原管理区")
    assert (row["rework_rate"], row["unsatisfied_rate"]) == ("6.47", "2.80")


def test_no_callbacks_means_no_dissatisfaction():
    row = one("yueyang-hotline", YY_HOTLINE + "x,department,2,2,2,0,0,0\n", "x")
    assert (row["unsatisfied_rate"], row["score"]) == ("0.00", "100.0")


def test_xiangtan_example_parts_and_totals():
    table = rows("xiangtan-hotline", XT + XT_EXAMPLE)
    yt, ss, gjj = table[("岳塘区人民政府", "county")], table[("韶山市人民政府", "county")], \
        table[("市住房公积金中心", "department")]
    assert (yt["extension_score"], yt["satisfaction_score"], yt["total"]) == ("10.00", "18.77", "96.57")
    assert (ss["extension_score"], ss["satisfaction_score"], ss["total"]) == ("7.69", "23.04", "93.53")
    assert (gjj["extension_score"], gjj["satisfaction_score"], gjj["total"]) == ("10.00", "1.94", "78.44")
    assert (yt["rank"], ss["rank"]) == ("1", "2")
    assert gjj["tier"] == "C" and yt["tier"] == ""


def test_xiangtan_extension_rate_is_rounded_to_2_decimals_first():
    # 75/382 = 19.6335…%: from 19.63 the part is 7.685 -> 7.69; from the exact rate it would be 7.68.
    row = rows("xiangtan-hotline", XT + XT_EXAMPLE)[("韶山市人民政府", "county")]
    assert (row["extension_rate"], row["extension_score"]) == ("19.63", "7.69")


def test_xiangtan_total_is_the_sum_of_rounded_parts():
    # Parts 3.33 + 3.33 + 3.33 (each 10/3 rounded) sum to 9.99, not round(10) = 10.00.
    line = "x,county,3,1,0,1,80,80,50,0,0,0\n"
    row = one("xiangtan-hotline", XT + line, "x")
    assert (row["on_time_score"], row["contact_score"]) == ("3.33", "6.67")
    assert row["total"] == "45.00"  # 3.33 + 10 + 6.67 + 25 + 0 + 0 + 0 + 0
    line = "x,county,3,1,0,2,80,80,50,0,0,0\n"
    assert one("xiangtan-hotline", XT + line, "x")["total"] == "51.66"  # 3.33 + 10 + 13.33 + 25


def test_xiangtan_parts_clamp():
    # Satisfaction far below target floors at 0; rejections beyond 10/k floor at 0.
    row = one("xiangtan-hotline", XT + "x,department,10,10,10,10,0,0,100,0,0,0\n", "x")
    assert (row["satisfaction_score"], row["rejection_score"], row["extension_score"]) == ("0.00", "0.00", "0.00")


def test_xiangtan_tiers_by_orders():
    text = XT + "".join(f"u{n},department,{n},0,0,0,0,0,0,0,0,0\n" for n in (100, 99, 20, 19, 1))
    tiers = {u: r["tier"] for (u, _), r in rows("xiangtan-hotline", text).items()}
    assert tiers == {"u100": "A", "u99": "B", "u20": "B", "u19": "C", "u1": "C"}


def test_xiangtan_ties_are_broken_by_orders():
    text = XT + "small,county,10,10,0,10,80,80,0,20,5,5\nbig,county,50,50,0,50,80,80,0,20,5,5\n"
    ranked = {u: r["rank"] for (u, _), r in rows("xiangtan-hotline", text).items()}
    assert ranked == {"big": "1", "small": "2"}


def test_xiangtan_rank_17_in_its_tier():
    # 市住房公积金中心 (78.44) in a constructed department tier C: 16 units above it, 3 below, one
    # unit of another tier that must not count, and a tie on total broken by orders.
    above = "".join(f"d{n},department,{10 + n % 9},{10 + n % 9},0,10,100,100,0,20,5,{n % 5}\n" for n in range(16))
    tie_fewer = "tie,department,8,8,0,8,0,77.777778,1,20,5,2\n"  # same total 78.44, fewer orders
    below = "".join(f"low{n},department,5,0,5,0,0,0,20,0,0,0\n" for n in range(2))
    other_tier = "big,department,120,0,0,0,0,0,50,0,0,0\n"
    text = XT + XT_EXAMPLE + above + tie_fewer + below + other_tier
    table = rows("xiangtan-hotline", text)
    gjj = table[("市住房公积金中心", "department")]
    assert (gjj["tier"], gjj["total"], gjj["rank"]) == ("C", "78.44", "17")
    assert table[("tie", "department")]["rank"] == "18"
    assert table[("big", "department")]["rank"] == "1"


def test_zero_volume_gets_no_score_grade_or_rank():
    row = one("yueyang-hotline", YY_HOTLINE + "idle,department,0,0,0,0,0,0\n", "idle")
    assert (row["done_rate"], row["score"], row["grade"], row["rank"]) == ("", "", "", "")


def test_equal_score_and_volume_share_a_rank():
    text = YY_HOTLINE + "a,department,5,5,5,0,5,0\nb,department,5,5,5,0,5,0\nc,department,4,4,4,0,4,0\n"
    assert {u: r["rank"] for (u, _), r in rows("yueyang-hotline", text).items()} == {"a": "1", "b": "1", "c": "3"}


# --- the calibration files ---------------------------------------------------------------------

def calibration(scheme: str, file: str) -> tuple[Counter, int]:
    table = score_csv(shipped(scheme), (CALIBRATION / file).read_text("utf-8"))
    return Counter(r.grade or "none" for r in table.rows), len(table.rows)


def test_calibration_yueyang_hotline_grade_counts():
    # Bulletin: 79 units, A 58, B 2, C 1, D and below 2, zero volume 16. The file lists the 63 units
    # with orders (城陵矶新港区 twice, as published in two groups); the 16 idle units are not in it.
    counts, units = calibration("yueyang-hotline", "yueyang-2024-05-hotline-units.csv")
    assert units == 63 and units + 16 == 79
    assert (counts["A"], counts["B"], counts["C"], counts["D"] + counts["E"], counts["none"]) == (58, 2, 1, 2, 0)


def test_calibration_yueyang_mailbox_grade_counts():
    # Bulletin: 76 units, A 52, B 2, none 22; the file lists the 54 units with letters.
    counts, units = calibration("yueyang-mailbox", "yueyang-2024-05-mailbox-units.csv")
    assert units == 54 and units + 22 == 76
    assert (counts["A"], counts["B"], counts["C"] + counts["D"] + counts["E"]) == (52, 2, 0)


# --- bad input: row and column named, nothing returned -----------------------------------------

@pytest.mark.parametrize("text, row, column", [
    (YY_HOTLINE.replace(",unsatisfied", "") + "x,county,1,1,1,0,1\n", None, "unsatisfied"),
    (YY_HOTLINE + "a,county,1,1,1,0,1,0\nb,county,1,1,x,0,1,0\n", 2, "on_time"),
    (YY_HOTLINE + "a,county,1,1,1,-1,1,0\n", 1, "reworked"),
    (YY_HOTLINE + "a,county,1,1,1,0.5,1,0\n", 1, "reworked"),
    (YY_HOTLINE + "a,county,3,4,1,0,1,0\n", 1, "done"),
    (YY_HOTLINE + "a,county,3,3,4,0,1,0\n", 1, "on_time"),
    (YY_HOTLINE + "a,province,3,3,3,0,1,0\n", 1, "group"),
    (YY_HOTLINE + "a,county,3,3,3,0,1,0\na,county,3,3,3,0,1,0\n", 2, "unit"),
    (YY_HOTLINE.replace("\n", ",extra\n") + "a,county,3,3,3,0,1,0,1\n", None, "extra"),
    (XT + "x,county,10,10,0,10,100.5,80,0,20,5,5\n", 1, "system_satisfaction"),
    (XT + "x,county,10,10,0,10,80,-1,0,20,5,5\n", 1, "spot_check_satisfaction"),
    (XT + "x,county,10,10,0,10,80,80,0,21,5,5\n", 1, "knowledge"),
])
def test_bad_input_names_row_and_column(text, row, column):
    scheme = "xiangtan-hotline" if text.startswith(XT) else "yueyang-hotline"
    with pytest.raises(InputError) as exc:
        score_csv(shipped(scheme), text)
    assert (exc.value.row, exc.value.column) == (row, column)
    if row is not None:
        assert f"第 {row} 行" in str(exc.value)
    assert column in str(exc.value)
