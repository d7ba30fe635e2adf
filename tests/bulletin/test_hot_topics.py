"""热点焦点: the bulletin names the month's hot topics detected from the cases' text, with their counts."""
from __future__ import annotations

import io

from docx import Document as open_docx

from hotline.bulletin import selectors
from hotline.bulletin.services import build
from tests.bulletin.conftest import at
from tests.bulletin.test_documents import ISSUED, MAY

NOISE = ["A2区丽发新城附近搅拌站噪音扰民", "投诉丽发新城小区旁边搅拌站噪音扰民", "丽发新城搅拌站夜间施工噪音扰民",
         "丽发新城搅拌站噪音扰民严重"]


def _plant(may) -> list[str]:
    return [may.city.new_order(at=at(5, 10 + i), title=t, content=t + "，请尽快处理。").number
            for i, t in enumerate(NOISE)]


def test_hot_topics_of_the_month_have_place_problem_count_and_cases(may) -> None:
    numbers = _plant(may)
    may.city.new_order(at=at(4, 12), title=NOISE[0], content=NOISE[0])  # April: another month
    topics = selectors.hot_topics(MAY, ["hotline"])
    top = next(t for t in topics if "丽发新城" in t["name"])
    assert top["count"] == 4 and top["place"] == "丽发新城" and "搅拌站" in top["problem"]
    assert top["name"].startswith("丽发新城搅拌站") and sorted(top["numbers"]) == sorted(numbers)


def test_yueyang_hotspot_section_drafts_the_hot_topics(yueyang_runs, may) -> None:
    _plant(may)
    built = build(month=MAY, style="yueyang", issued_on=ISSUED, formats=("docx",))
    texts = [p.text for p in open_docx(io.BytesIO(built.files[f"{built.base_name()}.docx"])).paragraphs]
    line = next(t for t in texts if t.startswith("本月群众集中反映的热点问题："))
    assert "丽发新城搅拌站" in line and "（4件）" in line
