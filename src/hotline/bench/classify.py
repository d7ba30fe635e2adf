"""`hotline bench classify`: the text classifier's training time, prediction rate and held-out accuracy.

On the shared labelled set (package data, 8,249 segmented messages, 7 first-level classes): training on
every row (wall and CPU seconds), predicting the segmented rows, predicting raw board messages (title +
detail with the board's padding, which go through the word cutter), and accuracy / macro-F1 on held-out
stratified 10 % splits of the deduplicated rows for the seeds asked. No database is used. The issue's
goals: training < 60 s on 2 cores, prediction >= 500 messages/s, accuracy >= 0.93 and macro-F1 >= 0.92.
"""
from __future__ import annotations

import argparse
import time
from importlib import resources
from typing import Any

from django.core.management.base import CommandError

from hotline.bench.harness import Output, machine_line, package_csv

LABELLED = "taidi_labelled.csv.gz"
RAW = "messages_for_hotspots.csv.gz"  # unlabelled raw messages: for the rate only


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", default="0-4",
                        help="held-out split seeds, e.g. 0-4 or 0,3,7; 'none' skips accuracy (default 0-4)")
    parser.add_argument("--holdout", type=float, default=0.1, help="held-out share of distinct texts (default 0.1)")
    parser.add_argument("--raw", type=int, default=2000, help="raw messages to predict for the rate (default 2000)")
    parser.add_argument("--limit", type=int, default=0,
                        help="use only every k-th labelled row, about N rows (a quick run; default all)")


def seeds_of(text: str) -> list[int]:
    """'0-4' -> [0..4], '0,3,7' -> [0, 3, 7], 'none' -> []; a clear error otherwise."""
    text = text.strip().lower()
    if text == "none":
        return []
    try:
        if "-" in text:
            low, high = (int(part) for part in text.split("-", 1))
            seeds = list(range(low, high + 1))
        else:
            seeds = [int(part) for part in text.split(",")]
    except ValueError:
        raise CommandError(f"--seeds {text!r}: expected a range like 0-4, a list like 0,3,7, or none") from None
    if not seeds or min(seeds) < 0:
        raise CommandError(f"--seeds {text!r}: expected non-negative seeds")
    return seeds


def run(options: dict[str, Any], out: Output) -> None:
    from hotline.intelligence import labelled
    from hotline.intelligence.classifier import document

    seeds = seeds_of(options["seeds"])
    if not 0 < options["holdout"] < 1 or options["raw"] < 0 or options["limit"] < 0:
        raise CommandError("--holdout must be between 0 and 1, --raw and --limit >= 0")
    out.write(machine_line() + "\n")
    with resources.as_file(resources.files("hotline.intelligence") / "data" / LABELLED) as path:
        rows = labelled.read_rows(path, need=["text", "label"])
    if options["limit"] and options["limit"] < len(rows):  # every k-th row keeps every class
        rows = rows[:: len(rows) // options["limit"]]
    wall, cpu = time.perf_counter(), time.process_time()
    model = labelled.train(rows)
    out.write(f"training on {len(rows)} rows: {time.perf_counter() - wall:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU (goal < 60 s)\n")
    out.flush()
    # Both rates include turning the text into the model's input (`document`), as `classify predict` times it.
    _rate("prediction, segmented rows", lambda: model.top([document(r.text, r.title) for r in rows], k=3),
          len(rows), out)
    raw = [(m["留言主题"], m["留言详情"]) for m in package_csv(RAW)[: options["raw"]]]
    if raw:
        # A raw message is also cut into words; the cutter's dictionary is loaded first (once per process,
        # as in a server), so the rate is the steady one.
        model.top([document(raw[0][1], raw[0][0])], k=3)
        _rate("prediction, raw messages", lambda: model.top([document(t, title) for title, t in raw], k=3),
              len(raw), out)
    _accuracy(rows, seeds, options["holdout"], out)


def _rate(label: str, work: Any, count: int, out: Output) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    out.write(f"{label}: {count} in {seconds:.2f} s = {count / seconds:.0f} messages/s "
              f"(CPU {cpu_seconds:.2f} s; goal >= 500/s)\n")
    out.flush()


def _accuracy(rows: list[Any], seeds: list[int], holdout: float, out: Output) -> None:
    from hotline.intelligence import labelled

    distinct = labelled.deduplicated(rows)
    results = []
    for seed in seeds:
        [(train_idx, test_idx)] = labelled.splits(distinct, folds=0, holdout=holdout, seed=seed)
        result = labelled.evaluate(distinct, train_idx, test_idx)
        results.append(result)
        out.write(f"  held-out seed {seed}: {result.test_rows} texts, accuracy {result.accuracy}, "
                  f"macro-F1 {result.macro_f1}\n")
        out.flush()
    if results:
        accuracy, macro = labelled.mean(results)
        out.write(f"held-out {holdout:.0%} of {len(distinct)} distinct texts, {len(seeds)} seed(s): "
                  f"accuracy mean {accuracy} (min {min(r.accuracy for r in results)}), macro-F1 mean {macro} "
                  f"(min {min(r.macro_f1 for r in results)}) (goal >= 0.93 / >= 0.92)\n")
