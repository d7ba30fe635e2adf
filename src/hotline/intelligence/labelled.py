"""Labelled CSV files for `hotline classify`: reading with line-numbered errors, deduplication, evaluation."""
from __future__ import annotations

import csv
import gzip
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

from hotline.intelligence import text as textmod
from hotline.intelligence.classifier import Settings, TextClassifier, document

csv.field_size_limit(10_000_000)  # long letters exceed the module's 128 kB default


class InputFileError(Exception):
    """A CSV that cannot be used; the message names the file, the line and the reason."""


@dataclass(frozen=True)
class Row:
    line: int
    key: str  # `id` for prediction input, the line number otherwise
    title: str
    text: str
    label: str


def read_rows(path: Path, *, need: Sequence[str]) -> list[Row]:
    """Rows of a UTF-8 CSV (gzip-compressed when the name ends in .gz) with a header holding the columns
    `need` (and optionally `title`)."""
    try:
        opened = (gzip.open(path, "rt", encoding="utf-8-sig", newline="") if path.suffix == ".gz"
                  else path.open(encoding="utf-8-sig", newline=""))
        with opened as handle:
            return list(_rows(path, handle, need))
    except (OSError, EOFError) as exc:  # gzip: BadGzipFile is an OSError, a cut-off file an EOFError
        raise InputFileError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    except UnicodeDecodeError:
        raise InputFileError(f"{path}: not UTF-8 text") from None
    except csv.Error as exc:
        raise InputFileError(f"{path}: not a readable CSV ({exc})") from None


# Other names a column goes by: the shared labelled set's `text_seg`, and the message board's own export
# (留言编号, 留言主题, 留言详情, 一级标签), so those files are read as they come. The canonical name wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("留言编号",),
    "title": ("留言主题",),
    "text": ("text_seg", "留言详情"),
    "label": ("一级标签", "一级分类"),
}


def _canonical(header: list[str]) -> list[str]:
    """The header with each column's first present alias renamed to its canonical name."""
    out = list(header)
    for name, aliases in ALIASES.items():
        if name in header:
            continue
        alias = next((a for a in aliases if a in header), None)
        if alias is not None:
            out[header.index(alias)] = name
    return out


def _rows(path: Path, handle: Iterable[str], need: Sequence[str]) -> Iterator[Row]:
    reader = csv.DictReader(handle)
    given = [h.strip() for h in (reader.fieldnames or [])]
    header = _canonical(given)
    missing = [c for c in need if c not in header]
    if missing:
        raise InputFileError(f"{path} line 1: missing column(s) {', '.join(missing)} (header: {','.join(given)})")
    reader.fieldnames = header
    # A record exported twice (the board's own sample repeats one) is predicted twice, a row each; one id
    # naming two different messages is an error, since the output could not say which is which.
    seen: dict[str, bytes] = {}
    for record in reader:
        line = reader.line_num
        text = (record.get("text") or "").strip()
        if not textmod.compact(text) and not textmod.compact(record.get("title") or ""):
            raise InputFileError(f"{path} line {line}: column text is empty")
        label = (record.get("label") or "").strip()
        if "label" in need and not label:
            raise InputFileError(f"{path} line {line}: column label is empty")
        key = (record.get("id") or "").strip() if "id" in need else str(line)
        title = (record.get("title") or "").strip()
        if "id" in need:
            if not key:
                raise InputFileError(f"{path} line {line}: column id is empty")
            digest = hashlib.sha1(f"{title}\n{text}".encode()).digest()  # not the text twice in memory
            if seen.setdefault(key, digest) != digest:
                raise InputFileError(f"{path} line {line}: id {key!r} appears twice with different text")
        yield Row(line=line, key=key, title=title, text=text, label=label)


def deduplicated(rows: Sequence[Row]) -> list[Row]:
    """One row per identical text (same characters once padding, spaces and punctuation are gone).

    Copies of one message must not sit on both sides of a split; a text labelled differently in its
    copies keeps its most frequent label (ties: the first seen).
    """
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        digest = hashlib.sha1(textmod.compact(f"{row.title} {row.text}").encode()).hexdigest()
        groups[digest].append(row)
    out = []
    for copies in groups.values():
        label = Counter(r.label for r in copies).most_common(1)[0][0]
        first = copies[0]
        out.append(Row(line=first.line, key=first.key, title=first.title, text=first.text, label=label))
    return out


def train(rows: Sequence[Row], *, settings: Settings | None = None, meta: dict[str, object] | None = None
          ) -> TextClassifier:
    docs = [document(r.text, r.title) for r in rows]
    return TextClassifier.train(docs, [r.label for r in rows], settings=settings, meta=meta)


def _rate(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Score:
    accuracy: Decimal
    macro_f1: Decimal
    test_rows: int


def score(truth: Sequence[str], predicted: Sequence[str]) -> Score:
    from sklearn.metrics import accuracy_score, f1_score

    return Score(accuracy=_rate(accuracy_score(truth, predicted)),
                 macro_f1=_rate(f1_score(truth, predicted, average="macro", zero_division=0)),
                 test_rows=len(truth))


def mean(scores: Sequence[Score]) -> tuple[Decimal, Decimal]:
    """Mean accuracy and macro-F1 over several splits, rounded as each split's figures are."""
    return (_rate(sum(float(s.accuracy) for s in scores) / len(scores)),
            _rate(sum(float(s.macro_f1) for s in scores) / len(scores)))


def splits(rows: Sequence[Row], *, folds: int, holdout: float | None, seed: int
           ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified train/test index pairs over deduplicated rows: k folds, or one held-out share."""
    from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit

    labels = np.array([r.label for r in rows])
    smallest = min(Counter(labels.tolist()).values())
    if holdout is not None:
        if smallest < 2:
            raise InputFileError("every label needs at least 2 distinct texts for a held-out split")
        return list(StratifiedShuffleSplit(1, test_size=holdout, random_state=seed).split(labels, labels))
    if smallest < folds:
        raise InputFileError(f"--folds {folds}: a label has only {smallest} distinct text(s)")
    return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(labels, labels))


def evaluate(rows: Sequence[Row], train_idx: np.ndarray, test_idx: np.ndarray,
             settings: Settings | None = None) -> Score:
    model = train([rows[i] for i in train_idx], settings=settings)
    test = [rows[i] for i in test_idx]
    predicted = [top[0][0] for top in model.top([document(r.text, r.title) for r in test], k=1)]
    return score([r.label for r in test], predicted)
