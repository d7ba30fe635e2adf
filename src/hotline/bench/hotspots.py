"""`hotline bench hotspots`: hot topics on real messages, and surge alerts on a simulated month.

1. Hot topics of the 4,304 real messages (messages_for_hotspots.csv, package data): our top 5 against the
   two published top-5 tables (published_hotspot_top5.csv). A published topic is matched when its place
   (without the anonymised "A市"/"A7县" prefix) or its description shares most of its words with one of our
   top-5 topics' member titles.
2. Surges (throwaway SQLite): simulate Yueyang 2024-05 with one baseline month; run the daily surge check
   for every day of May; for each planted surge or cluster print the day it was first flagged and the day
   its key entered the month-to-date top 10, and count alerts that match nothing planted (false alarms).
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import time
from collections import Counter
from decimal import Decimal
from importlib import resources
from typing import Any

from hotline.bench.bulletin import _scale
from hotline.bench.harness import Output, in_throwaway_process, package_csv, respawn_in_throwaway, start_throwaway
from hotline.bench.routing import CITY, MONTH, simulate_with_history

# One planted surge per topic the month offers, days away from the scenario's own hotspots, of a size that a city
# notices (15 calls in a day on one road) but far below the month's top subjects.
PLANTS = ["6:water_cut:15", "27:power_cut:12", "24:square_dance:10"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", default="0.2", help="simulation scale for the surge part (default 0.2)")
    parser.add_argument("--seed", type=int, default=1, help="simulation seed (default 1)")
    parser.add_argument("--skip-surges", action="store_true", help="only the published-hotspot comparison")
    parser.add_argument("--plant-surge", action="append", default=None, metavar="DAY:TOPIC[:CALLS]",
                        help=f"surges planted by the simulator (default: {' '.join(PLANTS)}); repeatable")


def run(options: dict[str, Any], out: Output) -> None:
    scale = _scale(str(options["scale"]))
    if not in_throwaway_process():
        argv = ["bench", "hotspots", "--scale", str(scale), "--seed", str(options["seed"])]
        argv += [f"--plant-surge={p}" for p in options["plant_surge"] or PLANTS]
        respawn_in_throwaway(argv + (["--skip-surges"] if options["skip_surges"] else []), out)
        return
    start_throwaway(out)
    published(out)
    if not options["skip_surges"]:
        plants = options["plant_surge"] or PLANTS
        simulate_with_history(scale=scale, seed=options["seed"], history=1, out=out, plants=plants)
        planted_surges(out, plants)


def _when(text: str) -> dt.datetime | None:
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            pass
    return None


PREFIX = re.compile(r"^(?:西地省)?(?:A市)?(?:[A-Z]\d+[区县])?")


def published(out: Output) -> None:
    from hotline.intelligence.hotspots import Message, hot_topics
    from hotline.intelligence.text import words

    rows = package_csv("messages_for_hotspots.csv.gz")
    messages = [Message(id=r["留言编号"], title=r["留言主题"], content=r["留言详情"], at=_when(r["留言时间"]),
                        likes=int(r["点赞数"] or 0)) for r in rows]
    clock, cpu = time.perf_counter(), time.process_time()
    topics = hot_topics(messages, limit=10)
    out.write(f"hot topics of {len(messages)} real messages in {time.perf_counter() - clock:.1f} s "
              f"(CPU {time.process_time() - cpu:.1f} s)\n")
    titles = {m.id: m.title for m in messages}
    for rank, t in enumerate(topics, start=1):
        out.write(f"  {rank:2}. {t.name}  ({t.count} messages, {t.likes} likes)\n")
    top5 = [" ".join(titles[i] for i in t.ids) for t in topics[:5]]
    tables: dict[str, list[dict[str, str]]] = {}
    for r in package_csv("published_hotspot_top5.csv.gz"):
        tables.setdefault(r["source"], []).append(r)
    for source, entries in tables.items():
        hits = []
        for e in entries:
            place = PREFIX.sub("", e["地点/人群"].strip())
            wanted = [w for w in words(e["问题描述"]) if len(w) > 1]
            match = next((n for n, text in enumerate(top5, start=1) if (len(place) >= 2 and place in text) or (
                wanted and sum(w in text for w in wanted) >= 0.7 * len(wanted))), None)
            hits.append(f"{e['问题描述']} -> {'ours #' + str(match) if match else 'not in our top 5'}")
        found = sum("ours #" in h for h in hits)
        out.write(f"published top 5 of {source}: {found}/5 in our top 5\n")
        for h in hits:
            out.write(f"    {h}\n")
    out.flush()


def planted_surges(out: Output, planted: list[str]) -> None:
    """Daily surge check over the month; planted surges vs alerts and the month-to-date top 10."""
    import json

    from django.utils import timezone

    from hotline.intelligence import surges
    from hotline.intelligence.selectors import case_keys
    from hotline.workorders.models import Status, WorkOrder

    first = dt.date.fromisoformat(MONTH + "-01")
    start = timezone.make_aware(dt.datetime.combine(first - dt.timedelta(days=surges.BASELINE_DAYS), dt.time.min))
    rows = WorkOrder.objects.filter(received_at__gte=start).exclude(status=Status.INVALID).values_list(
        "received_at", "title", "address", "category__parent__name", "category__name")
    counts = surges.daily_counts(
        (timezone.localtime(at).date(),
         case_keys(title=title, address=address, category="/".join(x for x in (parent, name) if x)))
        for at, title, address, parent, name in rows)
    days = [first + dt.timedelta(days=d) for d in range(31)]
    clock = time.perf_counter()
    alerts = surges.detect(counts, days=days)
    out.write(f"surge check for {len(days)} days over {len(counts)} keys: {time.perf_counter() - clock:.1f} s, "
              f"{len(alerts)} alerts\n")
    raw = json.loads((resources.files("hotline.simulate") / "data" / "months.json").read_text("utf-8"))
    scenario = raw[f"{CITY}:{MONTH}"]
    # An alert matches a plant when it names the plant's subject item or its place (venue, street, road,
    # county) within a day of the plant's days.
    plants = [(s["key"], s["days"][0], s["days"][1],
               [i[1] for i in s["items"]] + [s.get(k, "") for k in ("venue", "street", "road")])
              for s in scenario.get("surges", [])]
    plants += [(c["topic"], c["day"], c["day"] + 2, [c["item"][1], c.get("county", "")])
               for c in scenario.get("clusters", [])]
    plants += _planted(scenario, planted)
    broad = {c.get(k) for c in scenario.get("surges", []) + scenario.get("clusters", []) for k in ("county", "street")}
    matched: set[tuple[dt.date, str]] = set()
    for key, lo, hi, marks in plants:
        marks = [m for m in marks if m]
        hit = [a for a in alerts if any(m in a.key for m in marks) and lo - 1 <= a.day.day <= hi + 1]
        matched |= {(a.day, a.key) for a in hit}
        flagged = min((a.day for a in hit), default=None)
        # Whether the surge itself made the top 10: its subject item or its own road/venue, not the whole
        # county or street it happens in (those are always near the top).
        own = [m for m in marks if m not in broad]
        entered = _entered_top10(counts, days, own)
        out.write(f"planted {key} (days {lo}-{hi}, {'/'.join(marks)}): flagged "
                  f"{flagged.isoformat() if flagged else 'never'}; entered the month's top 10 "
                  f"{entered.isoformat() if entered else 'never'}"
                  f"{'; flagged first' if flagged and (not entered or flagged <= entered) else ''}\n")
    false = [a for a in alerts if (a.day, a.key) not in matched]
    out.write(f"false alarms in {MONTH}: {len(false)} alert-days on {len({a.key for a in false})} keys"
              f"{': ' if false else ''}"
              f"{', '.join(f'{a.key} {a.day:%m-%d} ({a.count} vs {a.baseline}/day)' for a in false[:10])}\n")
    out.flush()


def _planted(scenario: dict[str, Any], planted: list[str]) -> list[tuple[str, int, int, list[str]]]:
    """The surges planted with --plant-surge, as (key, first day, last day, marks) like the scenario's."""
    from hotline.simulate.plant import parse, plant
    from hotline.simulate.spec import load_spec

    spec = load_spec(city=CITY, month=MONTH, scale=Decimal(1))
    plant(spec, [parse(p) for p in planted])
    return [(c["topic"], c["day"], c["day"], [c["item"][1], c["road"], c.get("county", "")])
            for c in spec.raw["clusters"] if "@" in c["topic"]]


def _entered_top10(counts: dict[str, Counter[dt.date]], days: list[dt.date], marks: list[str]) -> dt.date | None:
    for day in days:
        totals = Counter({k: sum(c for d, c in v.items() if days[0] <= d <= day) for k, v in counts.items()})
        if any(any(m in k for m in marks) for k, _ in totals.most_common(10)):
            return day
    return None
