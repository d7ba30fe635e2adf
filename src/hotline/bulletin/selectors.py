"""The bulletin's figures, read from the cases and their event history.

Every selector is a function of the month (and the box or boxes: 'hotline', 'mailbox') plus a
cut-off `as_of` (default: the assessment's documented cut-off, 00:00 on the 10th of the next
month): only events at or before the cut-off count, so the same month computed twice gives the
same figures whatever happened to the cases since. Definitions:

- received (受理, valid): orders received in the month, less those merged as repeats or
  marked invalid by the cut-off; answered directly = of those, with an `answer` event;
  dispatched = with a `dispatch` event.
- due / done / on time, and the callback counts behind the satisfaction rate, are the sums of
  the per-unit assessment inputs (hotline.workorders.metrics.unit_month_metrics), so the
  headline and the attachment tables cannot disagree. closure rate = done/due, on-time rate
  = on_time/due, satisfaction = (satisfied + basically satisfied) / callbacks reached.
- special lines: the same rules over the tagged orders received in the month (on time = the
  first reply was on time; satisfaction over the month's callbacks on tagged orders).
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

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from hotline.bulletin.period import BulletinError, Month, pct
from hotline.directory.models import AppealType, Category, Channel, Region, Tag, Unit, User
from hotline.workorders.models import OPEN_STATUSES, Action, CallbackMethod, CallbackResult, Event, Status, WorkOrder
from hotline.workorders.selectors import visible_orders

Box = str | Sequence[str]
UNATTRIBUTED = "未明确区域"
# Catch-all subject items ("其他" under every category) name no issue: never a hot subject or a surge.
GENERIC_ITEMS = frozenset({"其他", "其它"})
SATISFIED = frozenset({CallbackResult.SATISFIED, CallbackResult.BASIC})


def boxes(box: Box) -> list[str]:
    values = [box] if isinstance(box, str) else list(box)
    unknown = [b for b in values if b not in ("hotline", "mailbox")]
    if not values or unknown:
        raise BulletinError(f"未知业务：{unknown or values}", field="box")
    return values


def cutoff(month: Month, as_of: dt.datetime | None) -> dt.datetime:
    if as_of is None:
        from hotline.workorders.metrics import default_cutoff

        return default_cutoff(month.first_day)
    if as_of.tzinfo is None:
        raise BulletinError("截止时间必须带时区", field="as_of")
    return as_of


def _grouped(orders: QuerySet[Any], *fields: str) -> Counter[Any]:
    """Rows per distinct value(s) of `fields`, counted by the database (a month can hold millions)."""
    counted = orders.order_by().values_list(*fields).annotate(n=Count("pk"))
    if len(fields) == 1:
        return Counter({value: n for value, n in counted})
    return Counter({tuple(row[:-1]): row[-1] for row in counted})


def _event(kind: str, as_of: dt.datetime) -> Exists:
    """The order has an event of this kind at or before the cut-off."""
    return Exists(Event.objects.filter(order=OuterRef("pk"), kind=kind, at__lte=as_of))


# --- cohorts -------------------------------------------------------------------------------------

def intake_orders(month: Month, box: Box) -> QuerySet[WorkOrder]:
    """Every order registered in the month, repeats and invalid ones included."""
    return WorkOrder.objects.filter(box__in=boxes(box), received_at__gte=month.start, received_at__lt=month.end)


def _reached(status: str, kind: str, end: dt.datetime) -> Q:
    """Brought to a terminal `status` by its one action `kind` at or before the cut-off (merged, invalid,
    answered directly). Terminal statuses never change and only that action leads there, so the status
    test comes first and the event is looked up for those orders only."""
    return Q(status=status) & Q(_event(kind, end))


def received_orders(month: Month, box: Box, *, as_of: dt.datetime | None = None) -> QuerySet[WorkOrder]:
    """Valid orders received in the month."""
    end = cutoff(month, as_of)
    return intake_orders(month, box).exclude(
        _reached(Status.MERGED, Action.MERGE, end) | _reached(Status.INVALID, Action.MARK_INVALID, end))


@dataclass(frozen=True)
class MonthCube:
    """The month's valid orders counted per (channel, appeal type, region, unit, category, answered
    directly, dispatched) ids: one scan of the month, from which every breakdown is summed."""

    counts: Counter[tuple[Any, ...]]
    DIMS = ("channel_id", "appeal_type_id", "region_id", "unit_id", "category_id", "answered", "dispatched")

    def by(self, *dims: str) -> Counter[Any]:
        at = [self.DIMS.index(d) for d in dims]
        out: Counter[Any] = Counter()
        for key, n in self.counts.items():
            out[key[at[0]] if len(at) == 1 else tuple(key[i] for i in at)] += n
        return out


def month_cube(month: Month, box: Box, *, as_of: dt.datetime | None = None) -> MonthCube:
    end = cutoff(month, as_of)
    answered = _reached(Status.ANSWERED, Action.ANSWER, end)
    # dispatched_at is the latest dispatch: at or before the cut-off settles it, otherwise look for an earlier one.
    dispatched = Q(dispatched_at__lte=end) | (Q(dispatched_at__gt=end) & Q(_event(Action.DISPATCH, end)))
    flags = received_orders(month, box, as_of=end).annotate(
        answered=ExpressionWrapper(answered, output_field=BooleanField()),
        dispatched=ExpressionWrapper(dispatched, output_field=BooleanField()),
    )
    counts = _grouped(flags, *MonthCube.DIMS)
    return MonthCube(Counter({(*key[:5], bool(key[5]), bool(key[6])): n for key, n in counts.items()}))


# --- intake and handling -------------------------------------------------------------------------

def intake_figures(month: Month, box: Box, *, as_of: dt.datetime | None = None,
                   cube: MonthCube | None = None) -> dict[str, Any]:
    end = cutoff(month, as_of)
    cube = cube or month_cube(month, box, as_of=end)
    everything = intake_orders(month, box)
    received = sum(cube.counts.values())
    answered, dispatched = cube.by("answered")[True], cube.by("dispatched")[True]
    return {
        "registered": everything.count(),
        "merged": everything.filter(_reached(Status.MERGED, Action.MERGE, end)).count(),
        "invalid": everything.filter(_reached(Status.INVALID, Action.MARK_INVALID, end)).count(),
        "received": received, "answered_directly": answered, "dispatched": dispatched,
        "pending": received - answered - dispatched, "answered_rate": pct(answered, received),
    }


@dataclass(frozen=True)
class ReplyStats:
    due: int
    done: int
    on_time: int


def reply_stats(orders: QuerySet[WorkOrder], *, as_of: dt.datetime) -> ReplyStats:
    """Due = the orders given; done = with a reply by the cut-off; on time = the first reply was on time."""
    first = _first_replies(orders, as_of)
    return ReplyStats(due=orders.count(), done=len(first), on_time=sum(first.values()))


def _first_replies(orders: QuerySet[WorkOrder], as_of: dt.datetime) -> dict[int, bool]:
    """Order id -> whether its first reply (by the cut-off) was on time."""
    first: dict[int, tuple[int, bool]] = {}
    events = Event.objects.filter(order__in=orders.values("pk"), kind=Action.REPLY, at__lte=as_of)
    # on_time is the event's copy of data["on_time"] (docs/metrics.md, "Storage").
    for order_id, seq, on_time in events.values_list("order_id", "seq", "on_time"):
        if order_id not in first or seq < first[order_id][0]:
            first[order_id] = (seq, bool(on_time))
    return {oid: ok for oid, (_, ok) in first.items()}


def unit_metrics(month: Month, box: str, *, as_of: dt.datetime | None = None) -> dict[int, Any]:
    """Per-unit assessment inputs (top-level units, sub-units rolled up), from the metrics module."""
    from hotline.workorders.metrics import unit_month_metrics

    return unit_month_metrics(box=box, month=month.first_day, as_of=cutoff(month, as_of), roll_up=True)


def handling_figures(month: Month, box: Box, *, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """Due, done, on time and the callback counts: sums of the per-unit assessment inputs."""
    totals = dict.fromkeys(("due", "done", "on_time", "callbacks", "satisfied"), 0)
    for one_box in boxes(box):
        for metrics in unit_metrics(month, one_box, as_of=as_of).values():
            for name in totals:
                totals[name] += getattr(metrics, name)
    return {
        "due": totals["due"], "done": totals["done"], "on_time": totals["on_time"],
        "closure_rate": pct(totals["done"], totals["due"]), "on_time_rate": pct(totals["on_time"], totals["due"]),
        "reached": totals["callbacks"], "satisfied": totals["satisfied"],
        "satisfaction_rate": pct(totals["satisfied"], totals["callbacks"]),
    }


def _callbacks(month: Month, box: Box, orders: QuerySet[WorkOrder] | None = None) -> QuerySet[Event]:
    events = Event.objects.filter(
        kind=Action.CALLBACK, at__gte=month.start, at__lt=month.end, box__in=boxes(box),
    )
    return events.filter(order__in=orders) if orders is not None else events


def satisfaction(results: Counter[str | None]) -> dict[str, Any]:
    """Callback figures from the number of callbacks with each result."""
    satisfied = results[CallbackResult.SATISFIED] + results[CallbackResult.BASIC]
    reached = satisfied + results[CallbackResult.UNSATISFIED]
    return {
        "callbacks": sum(results.values()), "reached": reached, "satisfied": satisfied,
        "unsatisfied": results[CallbackResult.UNSATISFIED], "unreachable": results[CallbackResult.UNREACHABLE],
        "satisfaction_rate": pct(satisfied, reached),
    }


def callback_figures(month: Month, box: Box) -> dict[str, Any]:
    """Callbacks, verification, supervision and rectification in the month (回访督办)."""
    callbacks = _callbacks(month, box)
    figures = satisfaction(_grouped(callbacks, "result"))
    in_month = Event.objects.filter(at__gte=month.start, at__lt=month.end, order__box__in=boxes(box))
    verified = in_month.filter(kind=Action.VERIFY, data__upheld=True).count()
    supervised = in_month.filter(kind=Action.SUPERVISE)
    first_rectified: dict[int, int] = {}
    # Subqueries, not lists of ids: a real month has more callback orders than SQLite allows variables.
    rectify = Event.objects.filter(order_id__in=callbacks.values("order_id"), kind=Action.RECTIFY)
    for order_id, seq in rectify.values_list("order_id", "seq"):
        first_rectified[order_id] = min(seq, first_rectified.get(order_id, seq))
    after_rectify = callbacks.filter(order_id__in=rectify.values("order_id"))
    figures.update(
        manual=callbacks.filter(method=CallbackMethod.MANUAL).count(),
        verified_unsatisfied=verified,
        supervised=supervised.filter(from_status=Status.UNSATISFIED).count(),
        overdue_supervised=supervised.exclude(from_status=Status.UNSATISFIED).count(),
        rectified=in_month.filter(kind=Action.RECTIFY).count(),
        resatisfied=sum(
            1 for order_id, seq, result in after_rectify.values_list("order_id", "seq", "result")
            if result in SATISFIED and first_rectified.get(order_id, seq) < seq
        ),
    )
    return figures


def headline(month: Month, box: Box, *, as_of: dt.datetime | None = None,
             cube: MonthCube | None = None) -> dict[str, Any]:
    """The summary line: received, answered directly, dispatched, closure, on-time and satisfaction rates."""
    end = cutoff(month, as_of)
    figures = intake_figures(month, box, as_of=end, cube=cube)
    figures.update(handling_figures(month, box, as_of=end))
    return figures


# --- breakdowns ----------------------------------------------------------------------------------

def _rows(counts: Counter[tuple[str, str]], total: int | None = None) -> list[dict[str, Any]]:
    """[(key, name)] -> rows sorted by count (desc), then name; shares of `total` (default: the sum)."""
    base = sum(counts.values()) if total is None else total
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][1]))
    return [{"key": key, "name": name, "count": n, "share": pct(n, base)} for (key, name), n in ordered]


def _by_named(cube: MonthCube, dim: str, model: Any, missing: tuple[str, str]) -> list[dict[str, Any]]:
    """Rows per (code, name) of the cube's `dim` (a foreign key to `model`); `missing` labels null."""
    names = {pk: (code, name) for pk, code, name in model.objects.values_list("pk", "code", "name")}
    counts: Counter[tuple[str, str]] = Counter()
    for pk, n in cube.by(dim).items():
        counts[names.get(pk, missing)] += n
    return _rows(counts)


def by_channel(month: Month, box: Box, *, as_of: dt.datetime | None = None,
               cube: MonthCube | None = None) -> list[dict[str, Any]]:
    return _by_named(cube or month_cube(month, box, as_of=as_of), "channel_id", Channel, ("", "未知渠道"))


def by_appeal_type(month: Month, box: Box, *, as_of: dt.datetime | None = None,
                   cube: MonthCube | None = None) -> list[dict[str, Any]]:
    return _by_named(cube or month_cube(month, box, as_of=as_of), "appeal_type_id", AppealType, ("", "未分类"))


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

    def county_q(self, key: str) -> Q:
        """Cases that `county_of` attributes to `key`, as a filter on their region and unit."""
        by_region = [r for r in self.regions if (found := self.county_region(r)) is not None and found[0] == key]
        no_county = [r for r in self.regions if self.county_region(r) is None]
        by_unit = [u for u in self.units if self.county_of(None, u)[0] == key]
        fallback = Q(region_id=None) | Q(region_id__in=no_county)
        if key == "":
            return Q(region_id__in=by_region) | (fallback & (Q(unit_id=None) | Q(unit_id__in=by_unit)))
        return Q(region_id__in=by_region) | (fallback & Q(unit_id__in=by_unit))

    def lineage(self, category_id: int) -> list[tuple[int, str]]:
        """Root first."""
        chain: list[tuple[int, str]] = []
        while category_id is not None and category_id in self.categories and len(chain) < 20:
            name, parent = self.categories[category_id]
            chain.append((category_id, name))
            category_id = parent
        return chain[::-1]


def by_county(month: Month, box: Box, *, as_of: dt.datetime | None = None,
              cube: MonthCube | None = None) -> list[dict[str, Any]]:
    tree = _Tree()
    cube = cube or month_cube(month, box, as_of=as_of)
    counts: Counter[tuple[str, str]] = Counter()
    for (region, unit), n in cube.by("region_id", "unit_id").items():
        counts[tree.county_of(region, unit)] += n
    counted = _rows(counts)
    return sorted(counted, key=lambda r: r["name"] == UNATTRIBUTED)  # the unattributed remainder last


def _categories(orders: QuerySet[WorkOrder]) -> Counter[int | None]:
    return _grouped(orders, "category_id")


def _subject_counts(categories: Counter[int | None], level: int,
                    skip: frozenset[str] = frozenset()) -> tuple[Counter[tuple[str, str]], int]:
    """Counts per category (id -> n) summed up to the subject `level` (1 = top); and the categorised total."""
    tree = _Tree()
    counts: Counter[tuple[str, str]] = Counter()
    categorised = 0
    for category_id, n in categories.items():
        if category_id is None:
            continue
        categorised += n
        chain = tree.lineage(category_id)
        if len(chain) >= level and chain[level - 1][1] not in skip:
            node_id, name = chain[level - 1]
            counts[(str(node_id), name)] += n
    return counts, categorised


def by_subject(month: Month, box: Box, *, as_of: dt.datetime | None = None,
               cube: MonthCube | None = None) -> list[dict[str, Any]]:
    """Top-level subject categories, shares of the categorised cases."""
    cube = cube or month_cube(month, box, as_of=as_of)
    counts, categorised = _subject_counts(cube.by("category_id"), 1)
    return _rows(counts, categorised)


def hot_subjects(month: Month, box: Box, *, as_of: dt.datetime | None = None, limit: int = 11,
                 cube: MonthCube | None = None) -> list[dict[str, Any]]:
    """Second-level subject categories with their counts, the largest first (catch-all items left out)."""
    cube = cube or month_cube(month, box, as_of=as_of)
    counts, categorised = _subject_counts(cube.by("category_id"), 2, GENERIC_ITEMS)
    return _rows(counts, categorised)[:limit]


def hot_topics(month: Month, box: Box, *, as_of: dt.datetime | None = None, limit: int = 5) -> list[dict[str, Any]]:
    """The month's hot topics detected from the cases' text (hotline.intelligence): matters many people
    raised, each named by its place and problem ("丽发新城 搅拌站噪音扰民") with its count, hottest first."""
    from hotline.intelligence.selectors import topics_of

    return [{"name": f"{t.place}{t.problem}" if t.problem else t.name, "place": t.place, "problem": t.problem,
             "count": t.count,
             "growth": t.growth, "numbers": t.numbers[:20]}
            for t in topics_of(received_orders(month, box, as_of=as_of), limit=limit)]


def subject_surges(
    month: Month, box: Box, *, as_of: dt.datetime | None = None, lookback: int = 3,
    ratio: Decimal = Decimal("1.5"), minimum: int = 5, cube: MonthCube | None = None,
) -> list[dict[str, Any]]:
    """Second-level subjects whose count reached `ratio` times their mean over the previous months."""
    cube = cube or month_cube(month, box, as_of=as_of)
    current, _ = _subject_counts(cube.by("category_id"), 2, GENERIC_ITEMS)
    history: Counter[tuple[str, str]] = Counter()
    past = month
    for _ in range(lookback):
        past = past.previous()
        history.update(_subject_counts(_categories(received_orders(past, box)), 2)[0])
    surges = []
    for key, n in current.items():
        usual = Decimal(history[key]) / lookback
        if n >= minimum and Decimal(n) >= ratio * usual:
            surges.append({
                "key": key[0], "name": key[1], "count": n,
                "usual": usual.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
                "increase": ((n - usual) * 100 / usual).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                if usual else None,
            })
    return sorted(surges, key=lambda s: (-s["count"], s["name"]))


# --- special lines -------------------------------------------------------------------------------

def tagged(orders: QuerySet[WorkOrder], tag_code: str) -> QuerySet[WorkOrder]:
    """The orders carrying a special-line tag (a subquery, so no join duplicates rows)."""
    through = WorkOrder.tags.through
    # IN, not EXISTS: SQLite then starts from the few tagged orders instead of probing every order.
    return orders.filter(pk__in=through.objects.filter(tag__code=tag_code).values("workorder_id"))


def special_line(month: Month, box: Box, tag_code: str, *, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """One special line (专线): calls, answered directly, orders, on-time rate, callback satisfaction."""
    end = cutoff(month, as_of)
    tag = Tag.objects.filter(code=tag_code).first()
    name = tag.name if tag else tag_code
    cases = tagged(received_orders(month, box, as_of=end), tag_code)
    stats = reply_stats(cases.filter(_event(Action.DISPATCH, end)), as_of=end)
    callbacks = satisfaction(_grouped(_callbacks(month, box, tagged(WorkOrder.objects.all(), tag_code)), "result"))
    counts, categorised = _subject_counts(_categories(cases), 1)
    return {
        "tag": tag_code, "name": name, "calls": cases.count(),
        "answered_directly": cases.filter(_reached(Status.ANSWERED, Action.ANSWER, end)).count(), "orders": stats.due,
        "done": stats.done, "on_time": stats.on_time, "on_time_rate": pct(stats.on_time, stats.due),
        "satisfied": callbacks["satisfied"], "reached": callbacks["reached"],
        "satisfaction_rate": callbacks["satisfaction_rate"], "top_subjects": _rows(counts, categorised)[:3],
    }


def campaign(month: Month, box: Box, tag_code: str, *, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """A special campaign (e.g. 文明创建) by theme: the subject item each of its cases was filed under."""
    cases = tagged(received_orders(month, box, as_of=as_of), tag_code)
    counts = Counter(
        (str(cid or ""), name or "未分类") for cid, name in cases.values_list("category_id", "category__name")
    )
    tag = Tag.objects.filter(code=tag_code).first()
    return {"tag": tag_code, "name": tag.name if tag else tag_code, "total": sum(counts.values()),
            "themes": _rows(counts)}


# --- drill-down ----------------------------------------------------------------------------------

FIGURES = ("received", "answered_directly", "dispatched", "due", "done", "on_time", "channel", "appeal_type",
           "county", "subject", "hot_subject", "tag", "day", "overdue", "supervised", "unit", "callback")
# The Chinese name of each figure, for the drill-down's heading (never the code).
FIGURE_LABELS = {
    "received": "受理总量", "answered_directly": "直接答复", "dispatched": "派发工单", "due": "应办理",
    "done": "已办结", "on_time": "按期办结", "channel": "受理渠道", "appeal_type": "诉求类型", "county": "区县",
    "subject": "诉求分类", "hot_subject": "热点事项", "tag": "专线", "day": "当日受理", "overdue": "超期未办结",
    "supervised": "本月督办", "unit": "承办单位", "callback": "回访",
}


def figure_orders(
    user: User, *, month: Month, box: Box, figure: str, key: str = "", as_of: dt.datetime | None = None,
) -> QuerySet[WorkOrder]:
    """The cases behind one figure (or one row of a breakdown), as far as this user may see them."""
    end = cutoff(month, as_of)
    valid = received_orders(month, box, as_of=end)
    if figure not in FIGURES:
        raise BulletinError(f"未知指标：{figure}", field="figure")
    if figure in ("due", "done", "on_time"):
        from hotline.workorders.metrics import metric_cases

        behind = Q(pk__in=[])
        for one_box in boxes(box):
            city = metric_cases(box=one_box, month=month.first_day, unit_id=None, metric=figure, as_of=end)
            behind |= Q(pk__in=city.values("pk"))
        orders = WorkOrder.objects.filter(behind)
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
        orders = tagged(valid, key)
    elif figure == "county":
        orders = valid.filter(_Tree().county_q(key))
    elif figure in ("day", "overdue", "supervised", "unit", "callback"):
        orders = _desk_figure(month, box, valid, figure, key)
    else:
        tree, level = _Tree(), 1 if figure == "subject" else 2
        # Matching categories, not matching cases: a month can hold millions of cases (SQLite caps an IN list).
        ids = [cid for cid in tree.categories
               if len(chain := tree.lineage(cid)) >= level and str(chain[level - 1][0]) == key]
        orders = valid.filter(category_id__in=ids)
    return orders.filter(pk__in=visible_orders(user).values("pk")).order_by("received_at", "pk")


def _desk_figure(month: Month, box: Box, valid: QuerySet[WorkOrder], figure: str, key: str) -> QuerySet[WorkOrder]:
    """The leader desk's figures: a day's cases (key YYYY-MM-DD, optionally /channel code), cases still open
    past their deadline, cases supervised in the month, a unit's cases (key: unit id) and the month's
    callbacks (key: result code, optional)."""
    if figure == "day":
        day_text, _, channel = key.partition("/")
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            raise BulletinError(f"日期格式应为 YYYY-MM-DD：{day_text!r}", field="key") from None
        start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        orders = valid.filter(received_at__gte=start, received_at__lt=start + dt.timedelta(days=1))
        return orders.filter(channel__code=channel) if channel else orders
    if figure == "overdue":
        return valid.filter(overdue=True, status__in=OPEN_STATUSES)
    if figure == "supervised":
        supervised = Event.objects.filter(kind=Action.SUPERVISE, at__gte=month.start, at__lt=month.end,
                                          box__in=boxes(box))
        return WorkOrder.objects.filter(pk__in=supervised.values("order_id"))
    if figure == "unit":
        if not key.isdigit():
            raise BulletinError("承办单位编号应为数字", field="key")
        return valid.filter(unit_id=int(key))
    callbacks = _callbacks(month, box)
    if key:
        if key not in CallbackResult.values:
            raise BulletinError(f"未知回访结果：{key}", field="key")
        callbacks = callbacks.filter(result=key)
    return WorkOrder.objects.filter(pk__in=callbacks.values("order_id"))


def figure_title(figure: str, key: str) -> str:
    """'应办理', '受理渠道：电话', '承办单位：市乙局': the drill-down's heading in words, never codes."""
    label = FIGURE_LABELS.get(figure, figure)
    if not key:
        return label
    name: str | None = None
    if figure == "channel":
        name = Channel.objects.filter(code=key).values_list("name", flat=True).first()
    elif figure == "appeal_type":
        name = AppealType.objects.filter(code=key).values_list("name", flat=True).first()
    elif figure == "tag":
        name = Tag.objects.filter(code=key).values_list("name", flat=True).first()
    elif figure in ("subject", "hot_subject") and key.isdigit():
        name = Category.objects.filter(pk=int(key)).values_list("name", flat=True).first()
    elif figure == "county":
        kind, _, pk = key.partition(":")
        model: Any = {"region": Region, "unit": Unit}.get(kind)
        name = model.objects.filter(pk=int(pk)).values_list("name", flat=True).first() if model and pk.isdigit() else None
    elif figure == "unit" and key.isdigit():
        name = Unit.objects.filter(pk=int(key)).values_list("name", flat=True).first()
    elif figure == "callback" and key in CallbackResult.values:
        name = CallbackResult(key).label
    elif figure == "day":
        day, _, channel = key.partition("/")
        name = day + (f" {Channel.objects.filter(code=channel).values_list('name', flat=True).first() or channel}"
                      if channel else "")
    return f"{label}：{name or key}"
