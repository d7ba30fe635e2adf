"""The bulletin's figures for a simulated Yueyang May 2024 (scale 0.02), each checked against a count
computed here, plainly, from the WorkOrder and Event tables (never through the bulletin's selectors).

Definitions used for the expected values (docs: bulletin selectors, workorders metrics):
- the month is [2024-05-01, 2024-06-01) Asia/Shanghai; the cut-off is 2024-06-10 00:00;
- valid = received in the month, with no merge / mark_invalid event by the cut-off;
- due = the order's last dispatch/redispatch in the month is not followed (by the cut-off) by another
  dispatch, redispatch or return; done = a reply followed it; on time = that first reply's data.on_time;
- callbacks reached = the month's callback events whose result is satisfied, basic or unsatisfied.
The simulated month is built once for the module and rolled back at the end.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from hotline.directory.models import Category
from hotline.workorders.models import Event, WorkOrder

TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2024, 5, 1, tzinfo=TZ)
END = dt.datetime(2024, 6, 1, tzinfo=TZ)
CUTOFF = dt.datetime(2024, 6, 10, tzinfo=TZ)
BOXES = ("hotline", "mailbox")
SPECIAL_LINES = ("npc_deputy", "enterprise")
REACHED = ("satisfied", "basic", "unsatisfied")
PLEASED = ("satisfied", "basic")

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def figures(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from hotline.bulletin.figures import compute_figures
    from hotline.bulletin.period import Month
    from hotline.bulletin.styles import load_style
    from hotline.simulate.runner import run

    with django_db_blocker.unblock(), transaction.atomic():
        result = run(city="yueyang", month="2024-05", scale=Decimal("0.02"), seed=7)
        assert result.loaded == result.cases > 500
        yield compute_figures(style=load_style("yueyang"), month=Month(2024, 5), issued_on=dt.date(2024, 6, 12))
        transaction.set_rollback(True)


# --- plain computations ------------------------------------------------------------------------

def rate(numerator: int, denominator: int) -> str | None:
    if denominator == 0:
        return None
    return str((Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def order_ids_with(kind: str, *, until: dt.datetime = CUTOFF) -> set[int]:
    return set(Event.objects.filter(kind=kind, at__lte=until).values_list("order_id", flat=True))


def valid_orders(box: str) -> list[WorkOrder]:
    dropped = order_ids_with("merge") | order_ids_with("mark_invalid")
    month = WorkOrder.objects.filter(box=box, received_at__gte=START, received_at__lt=END)
    return [o for o in month.select_related("channel", "appeal_type") if o.pk not in dropped]


def tagged(orders: list[WorkOrder], tag: str) -> list[WorkOrder]:
    ids = set(WorkOrder.objects.filter(tags__code=tag).values_list("pk", flat=True))
    return [o for o in orders if o.pk in ids]


def reply_counts(box: str) -> tuple[int, int, int]:
    """(due, done, on time) over the orders of the box, by their final assignment in the month."""
    events: dict[int, list[Event]] = {}
    for e in Event.objects.filter(order__box=box, at__gte=START, at__lte=CUTOFF).order_by("order_id", "seq"):
        events.setdefault(e.order_id, []).append(e)
    due = done = on_time = 0
    for history in events.values():
        assigned = [e for e in history if e.kind in ("dispatch", "redispatch") and e.at < END]
        if not assigned:
            continue
        last = assigned[-1]
        after = [e for e in history if e.seq > last.seq]
        if any(e.kind in ("dispatch", "redispatch", "return") for e in after):
            continue
        due += 1
        replies = [e for e in after if e.kind == "reply"]
        if replies:
            done += 1
            on_time += replies[0].data.get("on_time") is True
    return due, done, on_time


def month_callbacks(box: str) -> list[Event]:
    return list(Event.objects.filter(kind="callback", order__box=box, at__gte=START, at__lt=END))


def results(callbacks: list[Event]) -> Counter[str]:
    return Counter(e.data.get("result") for e in callbacks)


def top_category_counts(orders: list[WorkOrder]) -> tuple[Counter[str], int]:
    parent = dict(Category.objects.values_list("id", "parent_id"))
    counts: Counter[str] = Counter()
    for order in orders:
        if order.category_id is None:
            continue
        node = order.category_id
        while parent[node] is not None:
            node = parent[node]
        counts[str(node)] += 1
    return counts, sum(counts.values())


def rows(figure_rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["key"]: row["count"] for row in figure_rows}


# --- headline ----------------------------------------------------------------------------------

@pytest.mark.parametrize("box", BOXES)
def test_received_answered_and_dispatched_counts(figures: dict[str, Any], box: str) -> None:
    valid = valid_orders(box)
    answered, dispatched = order_ids_with("answer"), order_ids_with("dispatch")
    headline = figures[box]["headline"]
    assert headline["received"] == len(valid) > 0
    assert headline["answered_directly"] == sum(o.pk in answered for o in valid)
    assert headline["dispatched"] == sum(o.pk in dispatched for o in valid)
    assert headline["answered_rate"] == rate(headline["answered_directly"], len(valid))


@pytest.mark.parametrize("box", BOXES)
def test_closure_and_on_time_rates_over_the_final_assignments(figures: dict[str, Any], box: str) -> None:
    due, done, on_time = reply_counts(box)
    headline = figures[box]["headline"]
    assert (headline["due"], headline["done"], headline["on_time"]) == (due, done, on_time)
    assert due > 0
    assert headline["closure_rate"] == rate(done, due)
    assert headline["on_time_rate"] == rate(on_time, due)


@pytest.mark.parametrize("box", BOXES)
def test_satisfaction_rate_over_the_callbacks_reached(figures: dict[str, Any], box: str) -> None:
    counted = results(month_callbacks(box))
    reached = sum(counted[r] for r in REACHED)
    satisfied = sum(counted[r] for r in PLEASED)
    headline = figures[box]["headline"]
    assert (headline["reached"], headline["satisfied"]) == (reached, satisfied)
    assert reached > 0
    assert headline["satisfaction_rate"] == rate(satisfied, reached)


# --- breakdowns --------------------------------------------------------------------------------

@pytest.mark.parametrize("box", BOXES)
def test_counts_by_channel(figures: dict[str, Any], box: str) -> None:
    expected = Counter(o.channel.code for o in valid_orders(box))
    assert rows(figures[box]["channels"]) == dict(expected)


@pytest.mark.parametrize("box", BOXES)
def test_counts_by_appeal_type(figures: dict[str, Any], box: str) -> None:
    expected = Counter(o.appeal_type.code if o.appeal_type else "" for o in valid_orders(box))
    assert rows(figures[box]["appeal_types"]) == dict(expected)


@pytest.mark.parametrize("box", BOXES)
def test_counts_and_shares_by_top_level_category(figures: dict[str, Any], box: str) -> None:
    counts, categorised = top_category_counts(valid_orders(box))
    subjects = figures[box]["subjects"]
    assert rows(subjects) == dict(counts)
    assert {row["key"]: row["share"] for row in subjects} == {k: rate(n, categorised) for k, n in counts.items()}


# --- special lines -----------------------------------------------------------------------------

@pytest.mark.parametrize("tag", SPECIAL_LINES)
def test_special_line_counts(figures: dict[str, Any], tag: str) -> None:
    lines = {line["tag"]: line for line in figures["hotline"]["special_lines"]}
    line = lines[tag]
    calls = tagged(valid_orders("hotline"), tag)
    answered, dispatched = order_ids_with("answer"), order_ids_with("dispatch")
    orders = [o for o in calls if o.pk in dispatched]
    first_reply: dict[int, bool] = {}
    for e in Event.objects.filter(kind="reply", at__lte=CUTOFF, order__in=[o.pk for o in orders]).order_by("seq"):
        first_reply.setdefault(e.order_id, e.data.get("on_time") is True)
    assert line["calls"] == len(calls) > 0
    assert line["answered_directly"] == sum(o.pk in answered for o in calls)
    assert line["orders"] == len(orders)
    assert line["done"] == len(first_reply)
    assert line["on_time"] == sum(first_reply.values())
    assert line["on_time_rate"] == rate(sum(first_reply.values()), len(orders))


@pytest.mark.parametrize("tag", SPECIAL_LINES)
def test_special_line_satisfaction(figures: dict[str, Any], tag: str) -> None:
    line = {line["tag"]: line for line in figures["hotline"]["special_lines"]}[tag]
    ids = set(WorkOrder.objects.filter(tags__code=tag).values_list("pk", flat=True))
    counted = results([e for e in month_callbacks("hotline") if e.order_id in ids])
    reached = sum(counted[r] for r in REACHED)
    satisfied = sum(counted[r] for r in PLEASED)
    assert (line["reached"], line["satisfied"]) == (reached, satisfied)
    assert line["satisfaction_rate"] == rate(satisfied, reached)


# --- callbacks and supervision -----------------------------------------------------------------

@pytest.mark.parametrize("box", BOXES)
def test_callback_counts(figures: dict[str, Any], box: str) -> None:
    callbacks = month_callbacks(box)
    counted = results(callbacks)
    section = figures[box]["callbacks"]
    assert section["callbacks"] == len(callbacks) > 0
    assert section["unsatisfied"] == counted["unsatisfied"]
    assert section["unreachable"] == counted["unreachable"]
    assert section["manual"] == sum(e.data.get("method") == "manual" for e in callbacks)


@pytest.mark.parametrize("box", BOXES)
def test_verification_supervision_and_rectification_counts(figures: dict[str, Any], box: str) -> None:
    in_month = Event.objects.filter(order__box=box, at__gte=START, at__lt=END)
    supervised = list(in_month.filter(kind="supervise").values_list("from_status", flat=True))
    rectify_seqs: dict[int, list[int]] = {}
    for order_id, seq in Event.objects.filter(kind="rectify").values_list("order_id", "seq"):
        rectify_seqs.setdefault(order_id, []).append(seq)
    resatisfied = sum(
        1 for e in month_callbacks(box)
        if e.data.get("result") in PLEASED and any(seq < e.seq for seq in rectify_seqs.get(e.order_id, []))
    )
    section = figures[box]["callbacks"]
    if box == "hotline":  # the simulated hotline month has every kind of follow-up, so nothing here is 0 == 0
        assert min(supervised.count("unsatisfied"), len(supervised) - supervised.count("unsatisfied"),
                   resatisfied) > 0
    assert section["verified_unsatisfied"] == sum(
        e.data.get("upheld") is True for e in in_month.filter(kind="verify"))
    assert section["supervised"] == supervised.count("unsatisfied")
    assert section["overdue_supervised"] == len(supervised) - supervised.count("unsatisfied")
    assert section["rectified"] == in_month.filter(kind="rectify").count()
    assert section["resatisfied"] == resatisfied


# --- drill-down --------------------------------------------------------------------------------

@pytest.mark.parametrize("box", BOXES)
def test_every_county_subject_and_headline_figure_drills_down_to_its_cases(figures: dict[str, Any], box: str) -> None:
    """figure_orders lists exactly the cases behind each row (the supervisor sees every case)."""
    from hotline.bulletin.period import Month
    from hotline.bulletin.selectors import figure_orders
    from hotline.directory.models import User

    staff = User.objects.filter(role="supervisor").first()
    assert staff is not None

    def count(figure: str, key: str = "") -> int:
        return figure_orders(staff, month=Month(2024, 5), box=box, figure=figure, key=key).count()

    for figure, section in (("county", "counties"), ("subject", "subjects"), ("hot_subject", "hot_subjects")):
        assert {row["key"]: count(figure, row["key"]) for row in figures[box][section]} == rows(figures[box][section])
    headline = figures[box]["headline"]
    assert [count(f) for f in ("due", "done", "on_time")] == [headline[f] for f in ("due", "done", "on_time")]
