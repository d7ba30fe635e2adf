"""`hotline bench duplicates`: repeat calls and planted duplicates in a simulated month, precision and recall.

Throwaway SQLite: simulate Yueyang 2024-05. Three query sets go through duplicate_candidates as the
operator would ask at intake:
- the simulator's own repeat calls (same phone, merged into an open case): the case they repeat must be found;
- planted repeats: N cases of the month retold by another phone 1-10 days later (part of the text only,
  a clause dropped, an opening added, punctuation changed), in the same region: the original must be found;
- new appeals: N real messages the simulator never uses, in a random region: any candidate is a false alarm.
A planted query counts as found when the top candidate is its original or a case with the very same text
(the simulator reuses message texts, so such a twin is indistinguishable). The retold text keeps a
contiguous 60 % of the original's clauses less one.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import random
import re
import time
from importlib import resources
from typing import Any

from hotline.bench.bulletin import _scale
from hotline.bench.harness import Output, in_throwaway_process, respawn_in_throwaway, start_throwaway
from hotline.bench.routing import simulate_with_history

CLAUSE = re.compile(r"[，。！？；,.!?;]")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", default="0.05", help="simulation scale (default 0.05)")
    parser.add_argument("--seed", type=int, default=1, help="simulation and planting seed (default 1)")
    parser.add_argument("--n", type=int, default=200, help="planted repeats and new appeals each (default 200)")


def run(options: dict[str, Any], out: Output) -> None:
    scale = _scale(str(options["scale"]))
    if not in_throwaway_process():
        respawn_in_throwaway(["bench", "duplicates", "--scale", str(scale), "--seed", str(options["seed"]),
                              "--n", str(options["n"])], out)
        return
    start_throwaway(out)
    simulate_with_history(scale=scale, seed=options["seed"], history=0, out=out)
    rng = random.Random(options["seed"])
    repeats(out)
    found, wrong = planted(rng, options["n"], out)
    alarms = new_appeals(rng, options["n"], out)
    precision = found / (found + wrong + alarms) if found + wrong + alarms else 0.0
    out.write(f"overall content duplicates: precision {precision:.4f} (top candidate right / all shown), "
              f"recall {found / options['n']:.4f}\n")


def _operator() -> Any:
    from hotline.directory.models import Role, User

    return User.objects.filter(role=Role.OPERATOR, is_active=True).first()


def repeats(out: Output) -> None:
    from hotline.intelligence.selectors import duplicate_candidates
    from hotline.workorders.models import Status, WorkOrder

    user = _operator()
    rows = list(WorkOrder.objects.filter(status=Status.MERGED, merged_into__isnull=False).values(
        "id", "citizen_phone", "title", "content", "address", "region_id", "received_at", "merged_into__number"))
    clock, top1, top3 = time.perf_counter(), 0, 0
    for r in rows:
        found = [c.number for c in duplicate_candidates(
            user, phone=r["citizen_phone"], title=r["title"], text=r["content"], address=r["address"],
            region=r["region_id"], at=r["received_at"], exclude=r["id"], limit=3)]
        top1 += bool(found) and found[0] == r["merged_into__number"]
        top3 += r["merged_into__number"] in found
    n = max(len(rows), 1)
    out.write(f"simulator's repeat calls: {len(rows)}; original found top-1 {top1 / n:.4f}, top-3 {top3 / n:.4f} "
              f"({len(rows) / max(time.perf_counter() - clock, 1e-9):.0f} queries/s)\n")


def retell(rng: random.Random, content: str) -> str:
    """Another caller's version of the same matter: a clause dropped, an opening added, punctuation changed."""
    clauses = [c for c in CLAUSE.split(content) if c.strip()]
    if len(clauses) > 3:  # a contiguous 60 % of the clauses, one of them dropped
        keep = max(3, round(len(clauses) * 0.6))
        start = rng.randrange(0, len(clauses) - keep + 1)
        clauses = clauses[start:start + keep]
        del clauses[rng.randrange(1, len(clauses))]
    opening = rng.choice(["我要反映一个问题，", "你好，", "之前有人反映过，", "再次反映：", "投诉："])
    return opening + rng.choice(["，", "。", " "]).join(clauses)


def planted(rng: random.Random, n: int, out: Output) -> tuple[int, int]:
    import datetime as dt

    from hotline.intelligence.selectors import duplicate_candidates
    from hotline.workorders.models import Status, WorkOrder

    user = _operator()
    ids = list(WorkOrder.objects.exclude(status__in=[Status.MERGED, Status.INVALID]).exclude(content="")
               .values_list("id", flat=True))
    chosen = WorkOrder.objects.filter(id__in=rng.sample(ids, min(n, len(ids)))).values(
        "id", "number", "title", "content", "address", "region_id", "received_at")
    found = wrong = top3 = 0
    for r in chosen:
        at = r["received_at"] + dt.timedelta(days=rng.uniform(1, 10))
        candidates = duplicate_candidates(user, phone=f"139{rng.randrange(10**8):08d}", title=r["title"],
                                          text=retell(rng, r["content"]), address=r["address"],
                                          region=r["region_id"], at=at, limit=3)
        twins = set(WorkOrder.objects.filter(content=r["content"]).values_list("number", flat=True))
        if candidates and candidates[0].number in twins:
            found += 1
        elif candidates:
            wrong += 1
        top3 += any(c.number in twins for c in candidates)
    out.write(f"planted repeats: {n}; original (or same-text twin) top-1 {found}, wrong top-1 {wrong}, "
              f"missed {n - found - wrong}; recall top-1 {found / n:.4f}, top-3 {top3 / n:.4f}\n")
    return found, wrong


def new_appeals(rng: random.Random, n: int, out: Output) -> int:
    from hotline.directory.models import Region
    from hotline.intelligence.selectors import duplicate_candidates

    used = _simulator_texts()
    data = resources.files("hotline.intelligence") / "data" / "messages_for_hotspots.csv.gz"
    with gzip.open(io.BytesIO(data.read_bytes()), "rt", encoding="utf-8") as handle:
        fresh = [r for r in csv.DictReader(handle) if _plain(r["留言主题"]) not in used]
    regions: list[int | None] = [*Region.objects.values_list("id", flat=True)] or [None]
    user = _operator()
    alarms = 0
    for r in rng.sample(fresh, min(n, len(fresh))):
        alarms += bool(duplicate_candidates(user, title=r["留言主题"], text=r["留言详情"],
                                            region=rng.choice(regions), limit=1))
    out.write(f"new appeals (never simulated): {n}; with a candidate shown (false alarm) {alarms} "
              f"= {alarms / n:.4f}\n")
    return alarms


def _plain(title: str) -> str:
    """A title without its place codes or placeholders ("A市A3区", "{city}{county}"), to compare sources."""
    return re.sub(r"\{\w+\}|[A-Z]\d*[市区县]|\s", "", title)


def _simulator_texts() -> set[str]:
    data = resources.files("hotline.simulate") / "data" / "messages.csv.gz"
    with gzip.open(io.BytesIO(data.read_bytes()), "rt", encoding="utf-8") as handle:
        return {_plain(r["title"]) for r in csv.DictReader(handle)}
