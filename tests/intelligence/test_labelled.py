"""Deduplication and stratified splits keep identical texts on one side."""
from __future__ import annotations

from hotline.intelligence import labelled
from hotline.intelligence.labelled import Row
from hotline.intelligence.text import is_segmented, words


def _row(i: int, text: str, label: str) -> Row:
    return Row(line=i, key=str(i), title="", text=text, label=label)


def test_copies_differing_only_in_padding_and_punctuation_become_one_row_with_the_majority_label():
    rows = [_row(1, "公交 站台", "交通"), _row(2, "\n\t公交，站台！ ", "交通"), _row(3, "公交站台", "商贸"),
            _row(4, "学校", "教育")]
    out = labelled.deduplicated(rows)
    assert [(r.line, r.label) for r in out] == [(1, "交通"), (4, "教育")]


def test_folds_are_stratified_and_disjoint():
    rows = [_row(i, f"文本{i}", "甲" if i % 3 else "乙") for i in range(60)]
    pairs = labelled.splits(rows, folds=5, holdout=None, seed=0)
    tested = sorted(i for _, test in pairs for i in test)
    assert tested == list(range(60))
    for _, test in pairs:
        assert sum(rows[i].label == "乙" for i in test) == 4


def test_segmented_text_is_split_on_spaces_and_raw_text_by_jieba():
    assert is_segmented("小区 物业 违规 收费")
    assert not is_segmented("小区物业违规收费。 请尽快处理")
    assert words("小区 物业 违规 收费") == ["小区", "物业", "违规", "收费"]
    assert "物业" in words("小区物业违规收费的问题")
    assert "的" not in words("小区物业违规收费的问题")
