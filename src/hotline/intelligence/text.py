"""Text normalisation shared by the classifier, duplicates, hotspots and reply checks.

Raw messages (the board's whitespace padding, punctuation, full-width characters) and text that
is already segmented (space-separated words, as in the shared labelled set) both end up as the same
two views: a list of words and a compact character string.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

_CJK = "\u4e00-\u9fff"
_SEGMENTED_GAP = re.compile(f"[{_CJK}] [{_CJK}]")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_SPACE = re.compile(r"\s+")
# Punctuation and symbols: not words (kept out of the word view; the char view drops them too).
_NOT_WORD = re.compile(r"^[\W_]+$")
_PUNCT = re.compile(r"[^\w]+")

# Function words the shared labelled set had already removed; removing them from raw text too keeps
# raw and pre-segmented input in the same feature space.
STOP_WORDS = frozenset(
    "的 了 是 在 和 与 及 或 也 就 都 而 但 并 被 把 让 给 对 向 从 到 为 以 于 之 其 这 那 这个 那个 这些 那些 "
    "我 你 他 她 它 我们 你们 他们 您 自己 啊 吧 呢 吗 呀 哦 嗯 么 着 过 个 又 还 很 非常 已经 一个 一些 什么 怎么 "
    "如何 因为 所以 如果 虽然 但是 而且 可以 没有 有 不 能 会 要 将 等 等等 及其 此 该 每".split()
)

_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    """jieba, loaded once per process (its dictionary takes about a second to build)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = _cache_dir()  # its dictionary cache goes with our data, not into the system temp dir
    with _jieba_lock:
        jieba.initialize()
    return jieba


def _cache_dir() -> str | None:
    """$HOTLINE_DATA_DIR/cache when Django is configured (created if need be); None: jieba's default."""
    import os

    try:
        from django.conf import settings

        path = os.path.join(str(settings.DATA_DIR), "cache")
        os.makedirs(path, exist_ok=True)
        return path
    except Exception:  # no settings (a plain script) or an unwritable data dir: jieba's own default
        return None


@lru_cache(maxsize=1)
def _cutter():  # type: ignore[no-untyped-def]
    """The word cutter: rjieba (jieba's algorithm and dictionary in Rust, about 15x faster; on 28,245
    messages and replies its HMM-free cut equals jieba's word for word), else jieba itself."""
    try:
        import rjieba

        return lambda text: rjieba.cut(text, hmm=False)
    except ImportError:  # pragma: no cover - rjieba ships wheels for the usual platforms only
        jieba = _jieba()
        return lambda text: jieba.lcut(text, HMM=False)


def words_dictionary() -> None:
    """Load the segmentation dictionary now (e.g. before timing), not at the first raw message."""
    _cutter()("预热")


def clean(text: str) -> str:
    """NFKC (full-width -> half-width), whitespace runs collapsed to one space, ends stripped."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def is_segmented(text: str) -> bool:
    """True for text whose Chinese is already cut into space-separated words.

    Raw Chinese has spaces only at paragraph breaks and padding; segmented text has one between most words.
    """
    cjk = len(_CJK_CHAR.findall(text))
    return cjk > 0 and len(_SEGMENTED_GAP.findall(text)) * 8 >= cjk


def words(text: str) -> list[str]:
    """The word view: jieba words of raw text, or the given words of segmented text; no stop words or punctuation."""
    text = clean(text)
    tokens = text.split(" ") if is_segmented(text) else _cutter()(text)
    out = []
    for token in tokens:
        token = token.strip()
        if token and token not in STOP_WORDS and not _NOT_WORD.match(token):
            out.append(token.lower())
    return out


def compact(text: str) -> str:
    """The character view: no whitespace, no punctuation (so padding and segmentation do not matter)."""
    return _PUNCT.sub("", clean(text)).lower()


def joined_words(text: str) -> str:
    """Words joined by single spaces (what the word vectorizer splits again)."""
    return " ".join(words(text))
