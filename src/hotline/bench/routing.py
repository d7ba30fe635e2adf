"""`hotline bench routing`: unit and category suggestion learnt on one simulated month, tested on the next.

Runs in a throwaway SQLite database: simulate Yueyang 2024-05 with one baseline month (2024-04) before
it, train the unit and category models on the baseline month's closed cases only, then suggest for every
case of May that has a unit (resp. a category) and print top-1 and top-3 accuracy, training time and
suggestions per second.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from django.core.management.base import CommandError

from hotline.bench.bulletin import _scale
from hotline.bench.harness import Output, in_throwaway_process, respawn_in_throwaway, start_throwaway

CITY, MONTH = "yueyang", "2024-05"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", default="0.3", help="simulation scale (default 0.3)")
    parser.add_argument("--seed", type=int, default=1, help="simulation seed (default 1)")


def run(options: dict[str, Any], out: Output) -> None:
    scale = _scale(str(options["scale"]))
    if not in_throwaway_process():
        respawn_in_throwaway(["bench", "routing", "--scale", str(scale), "--seed", str(options["seed"])], out)
        return
    start_throwaway(out)
    simulate_with_history(scale=scale, seed=options["seed"], history=1, out=out)
    for target in ("unit", "category"):
        measure(target, out)


def simulate_with_history(*, scale: Any, seed: int, history: int, out: Output, plants: list[str] | None = None) -> None:
    from hotline.simulate.runner import run as simulate
    from hotline.simulate.spec import SimulationError

    try:
        result = simulate(city=CITY, month=MONTH, scale=scale, seed=seed, history=history, plants=plants)
    except SimulationError as exc:
        raise CommandError(f"--{exc.field}: {exc.message}") from None
    out.write(f"simulate {CITY} {MONTH} scale {scale} seed {seed} history {history}"
              f"{''.join(f' --plant-surge {p}' for p in plants or [])}: {result.loaded} cases loaded "
              f"in {result.seconds:.1f} s\n")
    out.flush()


def month_start() -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.fromisoformat(MONTH + "-01"))


def measure(target: str, out: Output) -> None:
    from hotline.intelligence import routing
    from hotline.intelligence.classifier import TextClassifier
    from hotline.intelligence.services import train_from_cases
    from hotline.workorders.models import Status, WorkOrder

    start = month_start()
    trained = train_from_cases(target=target, until=start.date().isoformat())
    cpu = time.process_time()
    model = TextClassifier.load(trained.path)
    field = f"{target}_id"
    cases = list(WorkOrder.objects.filter(received_at__gte=start, **{f"{target}__isnull": False})
                 .exclude(status__in=[Status.MERGED, Status.INVALID])
                 .values_list(field, "title", "content", "address", "region_id", "category_id"))
    if not cases:
        raise CommandError(f"no {MONTH} cases with a {target} to test on")
    clock = time.perf_counter()
    docs = [routing.case_document(title=t, content=c, address=a, region_id=r,
                                  category_id=cat if target == "unit" else None) for _, t, c, a, r, cat in cases]
    ranked = routing.rank(model, docs, [(cat if target == "unit" else None, r) for _, _, _, _, r, cat in cases], k=3)
    seconds = time.perf_counter() - clock
    truth = [str(row[0]) for row in cases]
    top1 = sum(r[0][0] == t for r, t in zip(ranked, truth)) / len(truth)
    top3 = sum(t in {label for label, _ in r} for r, t in zip(ranked, truth)) / len(truth)
    unseen = sum(t not in model.labels for t in truth)
    out.write(f"{target}: trained on {trained.rows} closed cases of the month before ({trained.labels} labels) "
              f"in {trained.seconds:.1f} s; tested on {len(truth)} {MONTH} cases "
              f"({unseen} with a {target} never seen in training): top-1 {top1:.4f}, top-3 {top3:.4f}; "
              f"{len(truth) / seconds:.0f} suggestions/s (CPU {time.process_time() - cpu:.1f} s)\n")
    out.flush()
