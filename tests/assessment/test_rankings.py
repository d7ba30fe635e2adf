"""Rankings as data for the bulletin: grade counts, group and tier membership, top lists with floors."""
from pathlib import Path

from hotline.assessment.engine import score_csv
from hotline.assessment.selectors import table_rankings
from tests.assessment.conftest import shipped
from tests.assessment.test_engine import XT, XT_EXAMPLE

CALIBRATION = Path("/work/shared/data/calibration")


def calibration(scheme: str, file: str, extra: str = ""):
    return table_rankings(score_csv(shipped(scheme), (CALIBRATION / file).read_text("utf-8") + extra))


def tops(ranks) -> dict[str, list[str]]:
    return {b.group + (f"/{b.tier}" if b.tier else ""): [r["unit"] for r in b.top] for b in ranks.buckets}


def test_hotline_bulletin_sentence():
    # The 16 units with no orders are not in the calibration file; added here as idle rows.
    idle = "".join(f"idle{n},department,0,0,0,0,0,0\n" for n in range(16))
    ranks = calibration("yueyang-hotline", "yueyang-2024-05-hotline-units.csv", idle)
    assert ranks.units == 79
    assert ranks.summary == "A 类 58 个，B 类 2 个，C 类 1 个，D 类及以下 2 个，工单量为 0 的 16 个"
    assert ranks.grade_counts == {"A": 58, "B": 2, "C": 1, "D": 0, "E": 2, "none": 16}


def test_hotline_top_three_with_floors():
    ranks = calibration("yueyang-hotline", "yueyang-2024-05-hotline-units.csv")
    assert tops(ranks) == {
        "county": ["屈原管理区", "临湘市", "岳阳县"],  # counties: all eligible
        "department": ["市教体局", "市邮政管理局", "市公安交警支队"],  # >= 50 orders (100.0 units have < 50)
        "enterprise": ["市移动公司", "市水务集团公司", "市公交集团公司"],  # >= 100 orders
    }


def test_mailbox_top_three_need_15_letters():
    idle = "".join(f"idle{n},department,0,0,0,0,0,0\n" for n in range(22))
    ranks = calibration("yueyang-mailbox", "yueyang-2024-05-mailbox-units.csv", idle)
    assert (ranks.units, ranks.grade_counts["A"], ranks.grade_counts["B"], ranks.grade_counts["none"]) == (76, 52, 2, 22)
    assert tops(ranks) == {
        "county": ["华容县", "云溪区", "岳阳经开区"],  # 屈原管理区 (100.00, 8 letters) is below the floor
        "department": ["市公安交警支队", "市教体局", "市人社局"],
        "enterprise": ["岳阳华润燃气公司", "市城投集团公司"],  # only two with >= 15 letters
    }


def test_xiangtan_buckets_are_groups_and_tiers():
    text = XT + XT_EXAMPLE + "市人社局,department,302,302,7,302,71.43,60,5,20,5,0\n" \
        "市资规局,department,39,39,5,39,80,80,0,20,5,0\n"
    ranks = table_rankings(score_csv(shipped("xiangtan-hotline"), text))
    members = {(b.group, b.tier): [(r["unit"], r["rank"]) for r in b.rows] for b in ranks.buckets}
    assert members == {
        ("county", None): [("岳塘区人民政府", "1"), ("韶山市人民政府", "2")],
        ("department", "A"): [("市人社局", "1")],
        ("department", "B"): [("市资规局", "1")],
        ("department", "C"): [("市住房公积金中心", "1")],
    }
    assert ranks.grade_counts == {"none": 0} and ranks.summary == "工单量为 0 的 0 个"
