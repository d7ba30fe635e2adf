"""The word view of raw text: rjieba's cut must stay jieba's, or models trained before would drift."""
from __future__ import annotations

import csv
import gzip
import logging
from importlib import resources

import jieba

from hotline.intelligence import text


def _raw_messages(limit: int) -> list[str]:
    data = resources.files("hotline.intelligence") / "data" / "messages_for_hotspots.csv.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8-sig") as handle:
        rows = csv.DictReader(handle)
        return [row["留言详情"] for _, row in zip(range(limit), rows)]


def test_raw_words_equal_jiebas_hmm_free_cut() -> None:
    jieba.setLogLevel(logging.WARNING)
    for message in _raw_messages(200):
        cleaned = text.clean(message)
        expected = [w.strip().lower() for w in jieba.lcut(cleaned, HMM=False)]
        expected = [w for w in expected if w and w not in text.STOP_WORDS and not text._NOT_WORD.match(w)]
        assert text.words(message) == expected


def test_padding_and_segmentation_give_the_same_words() -> None:
    raw = "\n\t\t  A市西湖区路灯不亮，晚上出行很不安全。  "
    segmented = " ".join(text.words(raw))
    assert text.words(segmented) == text.words(raw)
    assert "西湖区" in text.words(raw)
