"""`hotline bench replies`: reply quality flags on 2,796 real replies vs the hand labels.

Reads messages_with_replies.csv and reply_quality_labels.csv (package data). A reply is "weak" when it
is too short or boilerplate, or has both no_action and off_topic (replies.weak); a hand label 0 (not interpretable,
not complete) means weak. Prints, per hand-labelled column, agreement and Cohen's kappa, and how often
each flag fires. No database is used.
"""
from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import Any

from hotline.bench.harness import Output, machine_line, package_csv

COLUMNS = ("syu_可解释性_人工标注", "rollbear_完整性指标_人工", "rollbear_可解释性指标_人工")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=0, help="only the first N replies (default all)")


def run(options: dict[str, Any], out: Output) -> None:
    from hotline.intelligence.replies import content_of, flags, weak

    out.write(machine_line() + "\n")
    messages = {r["留言编号"]: r for r in package_csv("messages_with_replies.csv.gz")}
    labels = package_csv("reply_quality_labels.csv.gz")
    if options.get("limit"):
        labels = labels[: options["limit"]]
    same = Counter(content_of(m["答复意见"]) for m in messages.values())
    clock = time.perf_counter()
    verdict: dict[str, bool] = {}
    fired: Counter[str] = Counter()
    for row in labels:
        m = messages.get(row["留言编号"])
        if m is None:
            continue
        found = flags(appeal=f"{m['留言主题']} {m['留言详情']}", reply=m["答复意见"],
                      same_text_elsewhere=same[content_of(m["答复意见"])] - 1)
        fired.update(f.code for f in found)
        verdict[row["留言编号"]] = weak(found)
    seconds = time.perf_counter() - clock
    out.write(f"{len(verdict)} replies checked in {seconds:.1f} s; flagged weak {sum(verdict.values())}; "
              f"flags: {', '.join(f'{k} {v}' for k, v in fired.most_common())}\n")
    for column in COLUMNS:
        pairs = [(verdict[r["留言编号"]], float(r[column]) < 0.5) for r in labels
                 if r[column].strip() and r["留言编号"] in verdict]
        if pairs:
            out.write(_agreement(column, pairs) + "\n")


def _agreement(column: str, pairs: list[tuple[bool, bool]]) -> str:
    n = len(pairs)
    agree = sum(a == b for a, b in pairs) / n
    ours, theirs = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
    expected = ours * theirs + (1 - ours) * (1 - theirs)
    kappa = (agree - expected) / (1 - expected) if expected < 1 else 0.0
    both = sum(a and b for a, b in pairs)
    recall = both / max(sum(b for _, b in pairs), 1)
    precision = both / max(sum(a for a, _ in pairs), 1)
    return (f"{column}: {n} labelled ({sum(b for _, b in pairs)} weak by hand): agreement {agree:.4f}, "
            f"Cohen's kappa {kappa:.4f}; of the hand-weak we flag {recall:.4f}, of ours the hand calls weak "
            f"{precision:.4f}")
