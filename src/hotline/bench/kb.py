"""`hotline bench kb`: knowledge search over 100,000 articles, the import rate, and retrieval quality.

Quality (the issue's task): one article per row of the packaged taidi2020c replies, the unit's reply as
the body (title: the reply's first words after the greeting, never the message), queried with the
message's title; recall@1 and recall@5 of the row's own article, first on the articles' own text, then with
each article also indexed with the titles of past cases whose reply matched it (hotline.knowledge.learn),
learned k-fold from the other rows only. Scale: synthetic articles made of
sentences of those replies (so the vocabulary and lengths are real), imported through the same import
path as `hotline kb import`, then searched with message titles as the operator's desk does (limit 10,
with snippets). Runs in a throwaway SQLite database and, with --postgres URL (a database whose name
contains "bench"; its knowledge tables are emptied), on PostgreSQL too.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import lzma
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.core.management.base import CommandError

from hotline.bench.harness import CHILD_ENV, Output, in_throwaway_process, machine_line, percentile

GREETING = re.compile(r"^.{0,40}?(?:回复如下|答复如下|您好)[：:！!，,。]*")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--articles", type=int, default=100_000, help="articles in the scale test (default 100,000)")
    parser.add_argument("--queries", type=int, default=300, help="timed queries (default 300)")
    parser.add_argument("--no-quality", action="store_true", help="skip the recall measurement (scale only)")
    parser.add_argument("--postgres", default="", help="postgres://… URL of a database named *bench* to run on too")


def replies() -> list[dict[str, str]]:
    raw = resources.files("hotline.knowledge").joinpath("data/taidi2020c_replies.csv.xz").read_bytes()
    return list(csv.DictReader(io.StringIO(lzma.decompress(raw).decode("utf-8"))))


def reply_title(reply: str) -> str:
    text = GREETING.sub("", " ".join(reply.split()), count=1)
    return (text[:30] or reply[:30]).strip() or "答复"


def run(options: dict[str, Any], out: Output) -> None:
    if options["articles"] < 1 or options["queries"] < 1:
        raise CommandError("--articles and --queries must be >= 1")
    if in_throwaway_process():
        _measure(options, out)
        return
    out.write(machine_line() + "\n")
    directory = Path(tempfile.mkdtemp(prefix="hotline-bench-kb-"))
    targets = [("SQLite", {"HOTLINE_SQLITE_PATH": str(directory / "bench.sqlite3"), "HOTLINE_DATA_DIR": str(directory)})]
    if options["postgres"]:
        if "bench" not in urlparse(options["postgres"]).path:
            raise CommandError("--postgres: the database name must contain 'bench' (the bench empties its knowledge tables)")
        targets.append(("PostgreSQL", {"HOTLINE_DATABASE_URL": options["postgres"]}))
    try:
        for label, extra in targets:
            out.write(f"== {label} ==\n")
            out.flush()
            env = {k: v for k, v in os.environ.items() if k != "HOTLINE_DATABASE_URL"} | extra | {CHILD_ENV: "1"}
            argv = [sys.executable, "-m", "hotline.cli", "bench", "kb", "--articles", str(options["articles"]),
                    "--queries", str(options["queries"])] + (["--no-quality"] if options["no_quality"] else [])
            if subprocess.run(argv, env=env).returncode != 0:
                raise CommandError(f"{label} run failed")
    finally:
        for f in directory.glob("*"):
            f.unlink()
        directory.rmdir()


def _measure(options: dict[str, Any], out: Output) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    _empty()
    rows = replies()
    with tempfile.TemporaryDirectory() as tmp:
        if not options["no_quality"]:
            _quality(rows, Path(tmp), out)
            _empty()
        _scale(rows, Path(tmp), options, out)


def _empty() -> None:
    from hotline.knowledge.models import Article, ArticleVersion, Citation, Gap, IndexState, Posting, Term, UpdateDuty

    for model in (Posting, Term, IndexState, Citation, Gap, UpdateDuty, ArticleVersion):
        model.objects.all().delete()
    Article.categories.through.objects.all().delete()
    Article.objects.all().delete()


def _write_jsonl(path: Path, articles: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for a in articles:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")


def _import(path: Path, count: int, out: Output, label: str) -> None:
    from django.db import connection

    from hotline.knowledge.exchange import import_articles

    started = time.perf_counter()
    import_articles(path=path)
    took = time.perf_counter() - started
    with connection.cursor() as cursor:
        # A bulk import leaves every page without hint bits or visibility-map bits until autovacuum passes
        # (within a minute on a live server); without this, the first queries pay for that on PostgreSQL.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    out.write(f"import ({label}): {count:,} articles in {took:.1f} s = {count / took:,.0f} articles/s\n")
    out.flush()


FOLDS = 5


def training_cases(rows: list[dict[str, str]], fold: int) -> list[Any]:
    """The past cases the bench may learn from when it queries `fold`: the rows of the other folds only."""
    from hotline.knowledge.learn import PastCase

    return [PastCase(title=r["title"], reply=r["reply"]) for i, r in enumerate(rows) if i % FOLDS != fold]


def _recall(rows: list[dict[str, str]], indices: list[int]) -> tuple[int, int]:
    from hotline.knowledge.search import search

    hit1 = hit5 = 0
    for i in indices:
        r = rows[i]
        keys = [h.article.key for h in search(r["title"], limit=5, snippets=False)]
        hit1 += keys[:1] == [f"taidi-{r['id']}"]
        hit5 += f"taidi-{r['id']}" in keys
    return hit1, hit5


def _quality(rows: list[dict[str, str]], tmp: Path, out: Output) -> None:
    from hotline.knowledge.learn import learn_questions

    path = tmp / "real.jsonl"
    _write_jsonl(path, [{"key": f"taidi-{r['id']}", "title": reply_title(r["reply"]), "body": r["reply"]}
                        for r in rows])
    _import(path, len(rows), out, "real replies")
    n = len(rows)
    hit1, hit5 = _recall(rows, list(range(n)))
    out.write(f"retrieval quality over {n:,} real replies (query: the message title), articles' text only: "
              f"recall@1 {hit1 / n:.3f}, recall@5 {hit5 / n:.3f}\n")
    out.flush()
    # Vocabulary bridging, k-fold: the rows of one fold are queried while every article carries the titles of
    # the past cases of the OTHER folds whose reply matched it; a queried row's title is never in the index.
    hit1 = hit5 = 0
    for fold in range(FOLDS):
        learn_questions(cases=training_cases(rows, fold))
        h1, h5 = _recall(rows, [i for i in range(n) if i % FOLDS == fold])
        hit1, hit5 = hit1 + h1, hit5 + h5
    out.write(f"retrieval quality with questions learned from past cases ({FOLDS}-fold: each row queried with "
              f"only the other folds' titles and replies learned): recall@1 {hit1 / n:.3f}, "
              f"recall@5 {hit5 / n:.3f} (goal recall@5 >= 0.75)\n")
    out.flush()


def _synthetic(rows: list[dict[str, str]], count: int) -> list[dict[str, Any]]:
    rng = random.Random(9)
    sentences = [s for r in rows for s in re.split(r"(?<=[。！？])", GREETING.sub("", " ".join(r["reply"].split())))
                 if len(s) >= 8]
    out = []
    for i in range(count):
        body = "".join(rng.choice(sentences) for _ in range(rng.randint(2, 6)))
        out.append({"key": f"syn-{i}", "title": rng.choice(sentences)[:24], "body": body,
                    "public": rng.random() < 0.8})
    return out


def _scale(rows: list[dict[str, str]], tmp: Path, options: dict[str, Any], out: Output) -> None:
    from hotline.knowledge.search import search

    articles = _synthetic(rows, options["articles"])
    mean = sum(len(a["body"]) for a in articles) / len(articles)
    path = tmp / "synthetic.jsonl"
    _write_jsonl(path, articles)
    out.write(f"synthetic base: {len(articles):,} articles, body {mean:.0f} characters on average\n")
    _import(path, len(articles), out, "synthetic")
    rng = random.Random(5)
    queries = [r["title"] for r in rng.sample(rows, min(len(rows), options["queries"]))]
    for q in queries[:20]:  # warm-up: jieba's dictionary, the connection, the database cache
        search(q, limit=10)
    latencies = []
    for q in queries:
        started = time.perf_counter()
        search(q, limit=10)
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    out.write(f"search over {len(articles):,} articles ({len(queries)} message titles, limit 10, with snippets): "
              f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, p95 {percentile(latencies, 0.95) * 1000:.1f} ms, "
              f"max {latencies[-1] * 1000:.1f} ms (goal p95 < 30 ms)\n")
    out.flush()
