"""Deduplication and stratified splits keep identical texts on one side."""
from __future__ import annotations

import gzip

import pytest

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


def _csv(tmp_path, text: str):
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shared_sets_text_seg_column_is_read_as_text(tmp_path):
    path = _csv(tmp_path, "text_seg,label,dup_group\n小区 物业 收费,城乡建设,-1\n")
    [row] = labelled.read_rows(path, need=["text", "label"])
    assert (row.text, row.label) == ("小区 物业 收费", "城乡建设")


def test_the_message_boards_own_columns_are_read_as_id_title_text_and_label(tmp_path):
    path = _csv(tmp_path, "留言编号,留言用户,留言主题,留言时间,留言详情,一级标签\n"
                          "24,A000,路灯不亮,2020/1/6,\"\n\t小区路灯坏了\n\",城乡建设\n")
    [row] = labelled.read_rows(path, need=["id", "text", "label"])
    assert (row.key, row.title, row.text.strip(), row.label) == ("24", "路灯不亮", "小区路灯坏了", "城乡建设")


def test_a_canonical_column_wins_over_its_alias(tmp_path):
    path = _csv(tmp_path, "text,text_seg,label\n原文,分词 文本,甲\n")
    [row] = labelled.read_rows(path, need=["text", "label"])
    assert row.text == "原文"


def test_a_gzip_compressed_file_is_read_and_a_damaged_one_is_named(tmp_path):
    good = tmp_path / "in.csv.gz"
    good.write_bytes(gzip.compress("text,label\n小区 物业,城乡建设\n".encode()))
    assert [r.label for r in labelled.read_rows(good, need=["text", "label"])] == ["城乡建设"]
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(gzip.compress("text,label\n小区 物业,城乡建设\n".encode())[:20])
    with pytest.raises(labelled.InputFileError, match="bad.csv.gz: cannot read"):
        labelled.read_rows(bad, need=["text", "label"])
