"""The bulletin's figures, read from the cases and their event history.

Every selector is a function of the month (and the box or boxes: 'hotline', 'mailbox') plus a
cut-off `as_of` (default: the end of the month): only events before the cut-off count, so the
same month computed twice gives the same figures whatever happened to the cases since.
Definitions (docs: bulletin figures):

- received (受理, valid): orders received in the month, less those merged as repeats or
  marked invalid before the cut-off; answered directly = of those, with an `answer` event;
  dispatched = with a `dispatch` event.
- due (应办): orders whose first dispatch falls in the month; done (办结) = of those, with a
  unit reply before the cut-off; on time = the latest reply before the cut-off was on time
  (the reply event's own verdict). closure rate = done/due, on-time rate = on_time/due.
- satisfaction rate: over the month's callback events, (satisfied + basically satisfied) /
  (satisfied + basically satisfied + unsatisfied); unreachable callbacks are left out.
- county: the order's region's county-level ancestor, else the county-group unit at the top
  of its responsible unit's tree, else 未明确区域.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from hotline.bulletin.period import BulletinError, Month, pct
from hotline.directory.models import Category, Region, Tag, Unit, User
from hotline.workorders.models import Action, CallbackResult, Event, Status, WorkOrder
from hotline.workorders.selectors import visible_orders

Box = str | Sequence[str]
UNATTRIBUTED = "未明确区域"
SATISFIED = frozenset({CallbackResult.SATISFIED, CallbackResult.BASIC})


def boxes(box: Box) -> list[str]:
    values = [box] if isinstance(box, str) else list(box)
    unknown = [b for b in values if b not in ("hotline", "mailbox")]
    if not values or unknown:
        raise BulletinError(f"未知业务：{unknown or values}", field="box")
    return values


def cutoff(month: Month, as_of: dt.datetime | None) -> dt.datetime:
    return as_of or month.end


def _event(kind: str, before: dt.datetime, since: dt.datetime | None = None) -> Exists:
    q = Q(order=OuterRef("pk"), kind=kind, at__lt=before)
    if since is not None:
        q &= Q(at__gte=since)
    return Exists(Event.objects.filter(q))


# --- cohorts -------------------------------------------------------------------------------------

def intake_orders(month: Month, box: Box) -> QuerySet[WorkOrder]:
    """Every order registered in the month, repeats and invalid ones included."""
    return WorkOrder.objects.filter(box__in=boxes(box), received_at__gte=month.start, received_at__lt=month.end)


def received_orders(month: Month, box: Box, *, as_of: dt.datetime | None = None) -> QuerySet[WorkOrder]:
    """Valid orders received in the month."""
    end = cutoff(month, as_of)
    return intake_orders(month, box).filter(~_event(Action.MERGE, end), ~_event(Action.MARK_INVALID, end))


def due_orders(month: Month, box: Box) -> QuerySet[WorkOrder]:
    """Orders whose first dispatch falls in the month."""
    return WorkOrder.objects.filter(
        _event(Action.DISPATCH, month.end, since=month.start), ~_event(Action.DISPATCH, month.start),
        box__in=boxes(box),
    )


# --- intake and handling -------------------------------------------------------------------------

def intake_figures(month: Month, box: Box, *, as_of: dt.datetime | None = None) -> dict[str, Any]:
    end = cutoff(month, as_of)
    everything = intake_orders(month, box)
    valid = received_orders(month, box, as_of=end)
    received = valid.count()
    answered = valid.filter(_event(Action.ANSWER, end)).count()
    dispatched = valid.filter(_event(Action.DISPATCH, end)).count()
    return {
        "registered": everything.count(),
        "merged": everything.filter(_event(Action.MERGE, end)).count(),
        "invalid": everything.filter(_event(Action.MARK_INVALID, end)).count(),
        "received": received, "answered_directly": answered, "dispatched": dispatched,
        "pending": received - answered - dispatched, "answered_rate": pct(answered, received),
    }


@dataclass(frozen=True)
class ReplyStats:
    due: int
    done: int
    on_time: int


def reply_stats(orders: QuerySet[WorkOrder], *, as_of: dt.datetime) -> ReplyStats:
    """Due = the orders given; done = with a reply before the cut-off; on time = latest such reply on time."""
    ids = set(orders.values_list("pk", flat=True))
    latest: dict[int, tuple[int, bool]] = {}
    replies = Event.objects.filter(order_id__in=ids, kind__in=(Action.REPLY, Action.RECTIFY), at__lt=as_of)
    for order_id, seq, kind, data in replies.values_list("order_id", "seq", "kind", "data").iterator():
        if kind != Action.REPLY:
            continue  # a rectification answers a supervision, not the first-round deadline
        if order_id not in latest or seq > latest[order_id][0]:
            latest[order_id] = (seq, bool((data or {}).get("on_time")))
    return ReplyStats(due=len(ids), done=len(latest), on_time=sum(1 for _, ok in latest.values() if ok))


def handling_figures(month: Month, box: Box, *, as_of: dt.datetime | None = None) -> dict[str, Any]:
    stats = reply_stats(due_orders(month, box), as_of=cutoff(month, as_of))
    return {
        "due": stats.due, "done": stats.done, "on_time": stats.on_time,
        "closure_rate": pct(stats.done, stats.due), "on_time_rate": pct(stats.on_time, stats.due),
    }


def _callbacks(month: Month, box: Box, orders: QuerySet[WorkOrder] | None = None) -> QuerySet[Event]:
    events = Event.objects.filter(
        kind=Action.CALLBACK, at__gte=month.start, at__lt=month.end, order__box__in=boxes(box),
    )
    return events.filter(order__in=orders) if orders is not None else events


def satisfaction(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    results = Counter((data or {}).get("result") for data in events)
    satisfied = results[CallbackResult.SATISFIED] + results[CallbackResult.BASIC]
    reached = satisfied + results[CallbackResult.UNSATISFIED]
    return {
        "callbacks": sum(results.values()), "reached": reached, "satisfied": satisfied,
        "unsatisfied": results[CallbackResult.UNSATISFIED], "unreachable": results[CallbackResult.UNREACHABLE],
        "satisfaction_rate": pct(satisfied, reached),
    }


def callback_figures(month: Month, box: Box) -> dict[str, Any]:
    """Callbacks, verification, supervision and rectification in the month (回访督办)."""
    callbacks = list(_callbacks(month, box).values_list("order_id", "seq", "data"))
    figures = satisfaction(data for _, _, data in callbacks)
    in_month = Event.objects.filter(at__gte=month.start, at__lt=month.end, order__box__in=boxes(box))
    verified = in_month.filter(kind=Action.VERIFY).values_list("data", flat=True)
    supervised = in_month.filter(kind=Action.SUPERVISE)
    first_rectified: dict[int, int] = {}
    orders = {order_id for order_id, _, _ in callbacks}
    for order_id, seq in Event.objects.filter(order_id__in=orders, kind=Action.RECTIFY).values_list("order_id", "seq"):
        first_rectified[order_id] = min(seq, first_rectified.get(order_id, seq))
    figures.update(
        manual=sum(1 for _, _, data in callbacks if (data or {}).get("method") == "manual"),
        verified_unsatisfied=sum(1 for data in verified if (data or {}).get("upheld") is True),
        supervised=supervised.filter(from_status=Status.UNSATISFIED).count(),
        overdue_supervised=supervised.exclude(from_status=Status.UNSATISFIED).count(),
        rectified=in_month.filter(kind=Action.RECTIFY).count(),
        resatisfied=sum(
            1 for order_id, seq, data in callbacks
            if (data or {}).get("result") in SATISFIED and first_rectified.get(order_id, seq) < seq
        ),
    )
    return figures


def headline(month: Month, box: Box, *, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """The summary line: received, answered directly, dispatched, closure, on-time and satisfaction rates."""
    end = cutoff(month, as_of)
    figures = intake_figures(month, box, as_of=end)
    figures.update(handling_figures(month, box, as_of=end))
    callbacks = satisfaction(_callbacks(month, box).values_list("data", flat=True))
    figures.update(satisfied=callbacks["satisfied"], reached=callbacks["reached"],
                   satisfaction_rate=callbacks["satisfaction_rate"])
    return figures


# --- breakdowns ----------------------------------------------------------------------------------

def _rows(counts: Counter[tuple[str, str]], total: int | None = None) -> list[dict[str, Any]]:
    """[(key, name)] -> rows sorted by count (desc), then name; shares of `total` (default: the sum)."""
    base = sum(counts.values()) if total is None else total
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][1]))
    return [{"key": key, "name": name, "count": n, "share": pct(n, base)} for (key, name), n in ordered]


def by_channel(month: Month, box: Box, *, as_of: dt.datetime | None = None) -> list[dict[str, Any]]:
    rows = received_orders(month, box, as_of=as_of).values_list("channel__code", "channel__name")
    return _rows(Counter(rows))


def by_appeal_type(month: Month, box: Box, *, as_of: dt.datetime | None = None) -> list[dict[str, Any]]:
    rows = received_orders(month, box, as_of=as_of).values_list("appeal_type__code", "appeal_type__name")
    return _rows(Counter((code or "", name or "未分类") for code, name in rows))


class _Tree:
    """Parents of regions, units and categories, loaded once per computation."""

    def __init__(self) -> None:
        self.regions = {r[0]: r[1:] for r in Region.objects.values_list("id", "name", "level", "parent_id")}
        self.units = {u[0]: u[1:] for u in Unit.objects.values_list("id", "name", "group", "parent_id", "region_id")}
        self.categories = {c[0]: c[1:] for c in Category.objects.values_list("id", "name", "parent_id")}

    def county_region(self, region_id: int | None) -> tuple[str, str] | None:
        while region_id is not None and region_id in self.regions:
            name, level, parent = self.regions[region_id]
            if level == Region.Level.COUNTY:
                return f"region:{region_id}", name
            region_id = parent
        return None

    def top_unit(self, unit_id: int) -> int:
        seen = set()
        while self.units[unit_id][2] is not None and unit_id not in seen:
            seen.add(unit_id)
            unit_id = self.units[unit_id][2]
        return unit_id

    def county_of(self, region_id: int | None, unit_id: int | None) -> tuple[str, str]:
        found = self.county_region(region_id)
        if found is None and unit_id in self.units:
            top = self.top_unit(unit_id)
            found = self.county_region(self.units[top][3])
            if found is None and self.units[top][1] == Unit.Group.COUNTY:
                found = (f"unit:{top}", self.units[top][0])
        return found or ("", UNATTRIBUTED)

    def lineage(self, category_id: int) -> list[tuple[int, str]]:
        """Root first."""
        chain: list[tuple[int, str]] = []
        while category_id is not None and category_id in self.categories and len(chain) < 20:
            name, parent = self.categories[category_id]
            chain.append((category_id, name))
            category_id = parent
        return chain[::-1]


def by_county(month: Month, box: Box, *, as_of: dt.datetime | None = None) -> list[dict[str, Any]]:
    tree = _Tree()
    rows = received_orders(month, box, as_of=as_of).values_list("region_id", "unit_id")
    return _rows(Counter(tree.county_of(region, unit) for region, unit in rows))


def _subject_counts(orders: QuerySet[WorkOrder], level: int) -> tuple[Counter[tuple[str, str]], int]:
    tree = _Tree()
    counts: Counter[tuple[str, str]] = Counter()
    categorised = 0
    for category_id, n in Counter(orders.exclude(category=None).values_list("category_id", flat=True)).items():
        categorised += n
        chain = tree.lineage(category_id)
        if len(chain) >= level:
            node_id, name = chain[level - 1]
            counts[(str(node_id), name)] += n
    return counts, categorised


def by_subject(month: Month, box: Box, *, as_of: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Top-level subject categories, shares of the categorised cases."""
    counts, categorised = _subject_counts(received_orders(month, box, as_of=as_of), 1)
    return _rows(counts, categorised)


def hot_subjects(month: Month, box: Box, *, as_of: dt.datetime | None = None, limit: int = 11) -> list[dict[str, Any]]:
    """Second-level subject categories with their counts, the largest first."""
    counts, categorised = _subject_counts(received_orders(month, box, as_of=as_of), 2)
    return _rows(counts, categorised)[:limit]


def subject_surges(
    month: Month, box: Box, *, as_of: dt.datetime | None = None, lookback: int = 3,
    ratio: Decimal = Decimal("1.5"), minimum: int = 5,
) -> list[dict[str, Any]]:
    """Second-level subjects whose count reached `ratio` times their mean over the previous months."""
    current, _ = _subject_counts(received_orders(month, box, as_of=as_of), 2)
    history: Counter[tuple[str, str]] = Counter()
    past = month
    for _ in range(lookback):
        past = past.previous()
        history.update(_subject_counts(received_orders(past, box), 2)[0])
    surges = []
    for key, n in current.items():
        usual = (Decimal(history[key]) / lookback).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if n >= minimum and Decimal(n) >= ratio * usual:
            surges.append({"key": key[0], "name": key[1], "count": n, "usual": usual,
                           "increase": pct(n - history[key] / lookback, history[key] / lookback) if usual else None})
    return sorted(surges, key=lambda s: (-s["count"], s["name"]))


# --- special lines -------------------------------------------------------------------------------

def special_line(month: Month, box: Box, tag_code: str, *, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """One special line (专线): calls, answered directly, orders, on-time rate, callback satisfaction."""
    end = cutoff(month, as_of)
    tag = Tag.objects.filter(code=tag_code).first()
    name = tag.name if tag else tag_code
    tagged = received_orders(month, box, as_of=end).filter(tags__code=tag_code).distinct()
    dispatched = tagged.filter(_event(Action.DISPATCH, end))
    stats = reply_stats(dispatched, as_of=end)
    callbacks = satisfaction(
        _callbacks(month, box).filter(order__tags__code=tag_code).distinct().values_list("data", flat=True)
    )
    counts, categorised = _subject_counts(tagged, 1)
    return {
        "tag": tag_code, "name": name, "calls": tagged.count(),
        "answered_directly": tagged.filter(_event(Action.ANSWER, end)).count(), "orders": stats.due,
        "done": stats.done, "on_time": stats.on_time, "on_time_rate": pct(stats.on_time, stats.due),
        "satisfied": callbacks["satisfied"], "reached": callbacks["reached"],
        "satisfaction_rate": callbacks["satisfaction_rate"], "top_subjects": _rows(counts, categorised)[:3],
    }


def campaign(month: Month, box: Box, tag_code: str, *, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """A special campaign (e.g. 文明创建) by theme: the subject item each of its cases was filed under."""
    tagged = received_orders(month, box, as_of=as_of).filter(tags__code=tag_code).distinct()
    counts = Counter(
        (str(cid or ""), name or "未分类") for cid, name in tagged.values_list("category_id", "category__name")
    )
    tag = Tag.objects.filter(code=tag_code).first()
    return {"tag": tag_code, "name": tag.name if tag else tag_code, "total": sum(counts.values()),
            "themes": _rows(counts)}


# --- drill-down ----------------------------------------------------------------------------------

FIGURES = ("received", "answered_directly", "dispatched", "due", "done", "on_time", "channel", "appeal_type",
           "county", "subject", "hot_subject", "tag")


def figure_orders(
    user: User, *, month: Month, box: Box, figure: str, key: str = "", as_of: dt.datetime | None = None,
) -> QuerySet[WorkOrder]:
    """The cases behind one figure (or one row of a breakdown), as far as this user may see them."""
    end = cutoff(month, as_of)
    valid = received_orders(month, box, as_of=end)
    if figure not in FIGURES:
        raise BulletinError(f"未知指标：{figure}", field="figure")
    if figure in ("due", "done", "on_time"):
        orders = due_orders(month, box)
        if figure != "due":
            replied = {oid for oid, _ in _latest_replies(orders, end).items()}
            if figure == "on_time":
                replied = {oid for oid, ok in _latest_replies(orders, end).items() if ok}
            orders = orders.filter(pk__in=replied)
    elif figure == "received":
        orders = valid
    elif figure == "answered_directly":
        orders = valid.filter(_event(Action.ANSWER, end))
    elif figure == "dispatched":
        orders = valid.filter(_event(Action.DISPATCH, end))
    elif figure == "channel":
        orders = valid.filter(channel__code=key)
    elif figure == "appeal_type":
        orders = valid.filter(appeal_type__code=key) if key else valid.filter(appeal_type=None)
    elif figure == "tag":
        orders = valid.filter(tags__code=key).distinct()
    elif figure == "county":
        tree = _Tree()
        ids = [pk for pk, region, unit in valid.values_list("pk", "region_id", "unit_id")
               if tree.county_of(region, unit)[0] == key]
        orders = valid.filter(pk__in=ids)
    else:
        tree, level = _Tree(), 1 if figure == "subject" else 2
        ids = [pk for pk, cid in valid.exclude(category=None).values_list("pk", "category_id")
               if len(chain := tree.lineage(cid)) >= level and str(chain[level - 1][0]) == key]
        orders = valid.filter(pk__in=ids)
    return orders.filter(pk__in=visible_orders(user).values("pk")).order_by("received_at", "pk")


def _latest_replies(orders: QuerySet[WorkOrder], as_of: dt.datetime) -> dict[int, bool]:
    latest: dict[int, tuple[int, bool]] = {}
    events = Event.objects.filter(order__in=orders, kind=Action.REPLY, at__lt=as_of)
    for order_id, seq, data in events.values_list("order_id", "seq", "data"):
        if order_id not in latest or seq > latest[order_id][0]:
            latest[order_id] = (seq, bool((data or {}).get("on_time")))
    return {oid: ok for oid, (_, ok) in latest.items()}
