"""Chinese text to index terms: jieba words (prefixed "w:") and character bigrams of every CJK run.

Words alone miss variants (景蓉华苑 / 景蓉花苑, 医保 / 医疗保险 split differently); bigrams alone lose
word boundaries. Both kinds go into one index and one BM25 score (docs/decisions.md, "Knowledge search").
"""
from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

WORD = "w:"
MAX_TERM = 40
_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:\.[0-9]+)?")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Function words that carry no meaning for retrieval (single characters only: bigrams keep phrases).
STOP_WORDS = frozenset("的 了 是 在 和 与 及 或 对 为 我 您 你 他 她 它 们 有 也 就 都 而 等 之 其 这 那 把 被 让 给 向 从 吗 呢 吧 啊".split())


def normalize(text: str) -> str:
    """Full-width to half-width, lower case: what the user types and what the article says meet."""
    return unicodedata.normalize("NFKC", text or "").lower()


@functools.cache
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    """jieba's search-mode words (long words also give their parts), without punctuation or stop words."""
    jieba = _jieba()
    out = []
    for w in jieba.cut_for_search(normalize(text)):  # type: ignore[attr-defined]
        w = w.strip()
        if w and len(w) <= MAX_TERM - 2 and _RUN.fullmatch(w) and w not in STOP_WORDS:
            out.append(WORD + w)
    return out


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs of each CJK run (a lone character stands for itself)."""
    out = []
    for run in _RUN.findall(normalize(text)):
        if not _CJK.match(run):
            continue
        if len(run) == 1:
            if run not in STOP_WORDS:
                out.append(run)
            continue
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def terms(text: str) -> list[str]:
    return words(text) + bigrams(text)


@dataclass(frozen=True)
class DocTerms:
    counts: dict[str, float]  # term -> field-weighted frequency
    length: int  # body terms plus weighted title/keyword terms


TITLE_WEIGHT = 3.0
KEYWORD_WEIGHT = 2.0


def document_terms(*, title: str, body: str, keywords: str = "") -> DocTerms:
    """BM25F-style frequencies: a term in the title counts TITLE_WEIGHT times, in the keywords KEYWORD_WEIGHT."""
    counts: Counter[str] = Counter()
    length = 0.0
    for text, weight in ((title, TITLE_WEIGHT), (keywords, KEYWORD_WEIGHT), (body, 1.0)):
        found = terms(text)
        length += weight * len(found)
        for term in found:
            counts[term] += weight
    return DocTerms(dict(counts), max(1, int(round(length))))
