"""The routing table blended with the text model: category x county decides which units can take a case."""
from __future__ import annotations

from hotline.intelligence.prior import Prior, blend

# County governments "A" (county 1) and "B" (county 2) take many subjects in their own county;
# bureau "W" takes subject 7 (water) in both counties.
ROWS = ([("A", s, 1) for s in (5, 6, 7, 8)] * 5 + [("B", s, 2) for s in (5, 6, 7, 8)] * 5
        + [("W", 7, 1)] * 6 + [("W", 7, 2)] * 6)
LABELS = ["A", "B", "W"]


def _best(p: list[float]) -> list[str]:
    return [label for _, label in sorted(zip(p, LABELS), reverse=True)]


def test_a_subject_in_a_county_goes_to_that_county_or_the_subjects_bureau_never_another_county():
    table = Prior.count(ROWS).probabilities(LABELS, category_id=7, county_id=1)
    assert _best(table)[:2] in (["W", "A"], ["A", "W"]) and table[LABELS.index("B")] < 0.05


def test_the_table_outweighs_a_text_model_that_names_another_county():
    table = Prior.count(ROWS).probabilities(LABELS, category_id=7, county_id=1)
    blended = blend([0.1, 0.8, 0.1], table)  # the text mentions county B
    assert _best(blended)[-1] == "B" and abs(sum(blended) - 1) < 1e-9


def test_without_category_or_county_the_table_is_the_overall_share_and_survives_json():
    prior = Prior.from_json(Prior.count(ROWS).to_json())
    assert prior is not None
    p = prior.probabilities(LABELS, category_id=None, county_id=None)
    assert _best(p)[0] in ("A", "B") and abs(sum(p) - 1) < 1e-9
    assert Prior.from_json("garbage") is None
