"""Offline classifier experiments (issue 10, stop 7). Not part of the package.

Reads the labelled set as `hotline classify evaluate` does (deduplicated, `labelled.splits`), caches each
count block on disk, and reports per variant: holdout 0.1 seeds 0-9 (mean, min) and 5-fold seed 0.
The temperature fit is skipped (it does not change the argmax).

usage: zcat src/hotline/intelligence/data/taidi_labelled.csv.gz > /tmp/intel4_labelled.csv
       nice .venv/bin/python experiments/clf_exp.py VARIANT [VARIANT ...]   (results appended to results.jsonl)
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

from hotline.intelligence import labelled
from hotline.intelligence.classifier import _idf, document

DATA = Path("/tmp/intel4_labelled.csv")
CACHE = Path("/tmp/intel4_cache")
RESULTS = Path(__file__).with_name("results.jsonl")


def rows_and_docs():
    rows = labelled.deduplicated(labelled.read_rows(DATA, need=["text", "label"]))
    return rows, [document(r.text, r.title) for r in rows]


def block(docs, kind, ngram, bits, max_chars=None, lead=None):
    """One count block (cached): kind word|char over the full text or the first `lead` words."""
    key = hashlib.sha1(json.dumps([kind, ngram, bits, max_chars, lead]).encode()).hexdigest()[:16]
    path = CACHE / f"{key}.npz"
    if path.exists():
        return sparse.load_npz(path).tocsr()
    if kind == "word":
        vec = HashingVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, ngram_range=ngram,
                                n_features=2 ** bits, alternate_sign=False, norm=None)
        texts = [d[0] if lead is None else " ".join(d[0].split(" ")[:lead]) for d in docs]
    else:
        vec = HashingVectorizer(analyzer="char", lowercase=False, ngram_range=ngram,
                                n_features=2 ** bits, alternate_sign=False, norm=None)
        texts = [(d[1][:max_chars] if lead is None else "".join(d[0].split(" ")[:lead])) for d in docs]
    m = vec.transform(texts).tocsr()
    CACHE.mkdir(exist_ok=True)
    sparse.save_npz(path, m)
    return m


def tfidf(counts, idf, sublinear=True, norm="l2"):
    m = counts.astype(np.float32).tocsr(copy=True)
    if sublinear:
        np.log(m.data, out=m.data)
        m.data += 1
    m = m @ sparse.diags(idf)
    if norm == "l2":
        n = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    else:
        n = np.asarray(abs(m).sum(axis=1)).ravel()
    n[n == 0] = 1
    return sparse.diags(1 / n) @ m


BASE = dict(word=(1, 2), char=(1, 3), max_chars=3000, lead=12, lead_char=(1, 3), lead_word=(1, 2),
            weights=(1.0, 1.0, 0.5, 0.5), min_df=2, sublinear=(True, True, True, True), norm="l2",
            clf="svc", C=1.0, loss="squared_hinge", word_bits=20, char_bits=20, lead_bits=18)

VARIANTS = {
    "base": {},
    "char14": dict(char=(1, 4)),
    "char24": dict(char=(2, 4)),
    "char14_b21": dict(char=(1, 4), char_bits=21),
    "word13": dict(word=(1, 3)),
    "crammer": dict(clf="crammer"),
    "hinge": dict(loss="hinge"),
    "lr": dict(clf="lr", C=20.0),
    "svc_lr": dict(clf="svc+lr", C=1.0, lr_C=20.0),
    "C0.5": dict(C=0.5), "C0.7": dict(C=0.7), "C1.4": dict(C=1.4),
    "maxc1500": dict(max_chars=1500), "maxc6000": dict(max_chars=6000),
    "mindf1": dict(min_df=1), "mindf3": dict(min_df=3), "mindf4": dict(min_df=4), "mindf5": dict(min_df=5), "mindf7": dict(min_df=7), "mindf10": dict(min_df=10),
    "word_lin": dict(sublinear=(False, True, True, True)),
    "l1norm": dict(norm="l1"),
    "char12": dict(char=(1, 2)),
    "char_b21": dict(char_bits=21), "word_b21": dict(word_bits=21),
    "char_b21_word_b21": dict(char_bits=21, word_bits=21),
}


def counts_for(docs, v):
    return [
        block(docs, "word", v["word"], v["word_bits"]),
        block(docs, "char", v["char"], v["char_bits"], max_chars=v["max_chars"]),
        block(docs, "word", v["lead_word"], v["lead_bits"], lead=v["lead"]),
        block(docs, "char", v["lead_char"], v["lead_bits"], lead=v["lead"]),
    ]


def features(counts, idfs, v, rows):
    return sparse.hstack([w * tfidf(c[rows], idf, s, v["norm"])
                          for c, idf, w, s in zip(counts, idfs, v["weights"], v["sublinear"])]).tocsr()


def fit_decide(v, x, y, xt):
    """Decision matrices of the test rows: {name: scores}."""
    out = {}
    if v["clf"] in ("svc", "svc+lr"):
        svc = LinearSVC(C=v["C"], class_weight="balanced", loss=v["loss"]).fit(x, y)
        out["svc"] = svc.decision_function(xt)
        svc_std = float(np.std(svc.decision_function(x)))
    if v["clf"] == "crammer":
        svc = LinearSVC(C=v["C"], class_weight="balanced", multi_class="crammer_singer").fit(x, y)
        out["svc"] = svc.decision_function(xt)
    if v["clf"] in ("lr", "svc+lr"):
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=v.get("lr_C", v["C"]), class_weight="balanced", max_iter=300).fit(x, y)
        out["lr"] = lr.decision_function(xt)
        if "svc" in out:
            lr_std = float(np.std(lr.decision_function(x)))
            for a in (0.3, 0.5, 0.7):
                out[f"avg{a}"] = (1 - a) * out["svc"] / svc_std + a * out["lr"] / lr_std
    return out


def run(name, rows, docs):
    v = {**BASE, **VARIANTS[name]}
    y = np.array([r.label for r in rows])
    classes, yi = np.unique(y, return_inverse=True)
    counts = counts_for(docs, v)
    splits = [("h", s, p) for s in range(10) for p in labelled.splits(rows, folds=5, holdout=0.1, seed=s)]
    splits += [("f", 0, p) for p in labelled.splits(rows, folds=5, holdout=None, seed=0)]
    per: dict[str, dict[str, list]] = {}
    fit_seconds = []
    for kind, seed, (tr, te) in splits:
        started = time.process_time()
        idfs = [_idf(c[tr], v["min_df"]) for c in counts]
        x, xt = features(counts, idfs, v, tr), features(counts, idfs, v, te)
        decided = fit_decide(v, x, yi[tr], xt)
        fit_seconds.append(time.process_time() - started)
        for model, scores in decided.items():
            pred = scores.argmax(axis=1)
            acc = accuracy_score(yi[te], pred)
            f1 = f1_score(yi[te], pred, average="macro")
            per.setdefault(model, {"h": [], "f": []})[kind].append((acc, f1))
    for model, res in per.items():
        h, f = np.array(res["h"]), np.array(res["f"])
        out = dict(variant=name if model == "svc" and v["clf"] != "svc+lr" else f"{name}:{model}",
                   h_acc=h[:, 0].mean(), h_acc_min=h[:, 0].min(), h_f1=h[:, 1].mean(), h_f1_min=h[:, 1].min(),
                   f_acc=f[:, 0].mean(), f_f1=f[:, 1].mean(), h_accs=[round(a, 4) for a in h[:, 0]],
                   fit_cpu=float(np.mean(fit_seconds)))
        print(json.dumps(out), flush=True)
        with RESULTS.open("a") as fh:
            fh.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    rows, docs = rows_and_docs()
    print(f"{len(rows)} distinct texts", flush=True)
    for name in sys.argv[1:]:
        run(name, rows, docs)
