"""`hotline simulate --check`: the loaded month against its plan (per unit, exact) and the bulletin (city).

Per unit the numbers are those of hotline.workorders.metrics.unit_month_metrics, the assessment's
definition. City figures follow the bulletin's definitions: valid orders are those received in the
month and neither merged as repeats nor marked invalid; answered directly / dispatched = with an
answer / dispatch event; rates from the per-unit sums.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet

from hotline.simulate.month import MonthPlan
from hotline.simulate.spec import rate_text
from hotline.workorders.metrics import unit_month_metrics
from hotline.workorders.models import Event, WorkOrder

TOLERANCE = Decimal("0.01")  # city figures: within 1 %


@dataclass
class Row:
    scope: str
    name: str
    expected: Decimal
    actual: Decimal
    exact: bool  # per-unit count (within one case) or city figure (within 1 %, or one case)
    rate: bool = False

    @property
    def ok(self) -> bool:
        diff = abs(self.actual - self.expected)
        if self.exact:
            return diff <= 1
        return diff <= abs(self.expected) * TOLERANCE or (not self.rate and diff <= 1)


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def units_ok(self) -> bool:
        return all(r.ok for r in self.rows if r.exact)

    def add(self, scope: str, name: str, expected: int | Decimal, actual: int | Decimal, *, exact: bool,
            rate: bool = False) -> None:
        self.rows.append(Row(scope, name, Decimal(expected), Decimal(actual), exact, rate))


def _has(kind: str | tuple[str, ...], plan: MonthPlan) -> Q:
    """The order has such an event by the cut-off (an uncorrelated IN: SQLite would otherwise scan the
    (kind, at) index once per order)."""
    kinds = (kind,) if isinstance(kind, str) else kind
    return Q(pk__in=Event.objects.filter(kind__in=kinds, at__lte=plan.period.cutoff).values("order_id"))


def valid_orders(plan: MonthPlan, box: str) -> QuerySet[WorkOrder]:
    p = plan.period
    return WorkOrder.objects.filter(box=box, received_at__gte=p.start, received_at__lt=p.end).exclude(
        _has(("merge", "mark_invalid"), plan))


def compare(plan: MonthPlan) -> Report:
    report = Report()
    for box, targets in plan.spec.units.items():
        _units(plan, box, report)
        _city(plan, box, report)
    return report


def _units(plan: MonthPlan, box: str, report: Report) -> None:
    from hotline.directory.models import Unit

    metrics = unit_month_metrics(box=box, month=plan.spec.month)
    ids = dict(Unit.objects.values_list("code", "id"))
    codes = {v: k for k, v in ids.items()}
    planned = {t.code: t for t in plan.spec.units[box]}
    for code, t in planned.items():
        m = metrics.get(ids.get(code, -1))
        expected = {"due": t.due, "done": t.done, "on_time": t.on_time, "reworked": t.reworked,
                    "callbacks": t.callbacks, "unsatisfied": t.unsatisfied, "satisfied": t.satisfied,
                    "extended": t.extended, "contacted": t.contacted, "returned": t.returned,
                    "system_callbacks": t.system[0] if t.system else None,
                    "system_satisfied": t.system[1] if t.system else None,
                    "spot_callbacks": t.spot[0] if t.spot else None, "spot_satisfied": t.spot[1] if t.spot else None}
        for name in t.exact:
            report.add(f"{box} {t.name}", name, expected[name] or 0, getattr(m, name, 0) if m else 0, exact=True)
    for unit_id, m in metrics.items():
        code = codes.get(unit_id, str(unit_id))
        if code not in planned:
            for name in ("due", "callbacks", "returned"):
                report.add(f"{box} unit {code}", name, 0, getattr(m, name), exact=True)


def _city(plan: MonthPlan, box: str, report: Report) -> None:
    spec, conf, n = plan.spec, plan.spec.box(box), plan.spec.n
    valid = valid_orders(plan, box)
    received = valid.count()
    report.add(box, "received 受理", n(conf["received"]), received, exact=False)
    if "answered_directly" in conf:
        answered = valid.filter(_has("answer", plan)).count()
        report.add(box, "answered directly 在线直接答复", n(conf["answered_directly"]), answered, exact=False)
        report.add(box, "dispatched 派单", n(conf["received"]) - n(conf["answered_directly"]),
                   valid.filter(_has("dispatch", plan)).count(), exact=False)
    channels = Counter(valid.values_list("channel__code", flat=True))
    for code, count in conf["channels"].items():
        report.add(box, f"channel {code}", n(count), channels.get(code, 0), exact=False)
    if conf.get("exact_appeal_types"):
        appeals = Counter(valid.values_list("appeal_type__code", flat=True))
        for code, count in conf["appeal_types"].items():
            report.add(box, f"appeal type {code}", n(count), appeals.get(code, 0), exact=False)
    if "categories" in conf:
        tops = Counter(valid.exclude(category=None).values_list("category__parent__name", flat=True))
        for top, count in conf["categories"].items():
            if not top.startswith("_"):
                report.add(box, f"subject {top}", n(count), tops.get(top, 0), exact=False)
        items = Counter(valid.exclude(category=None).values_list("category__name", flat=True))
        for item, count in conf.get("items", {}).items():
            report.add(box, f"hot item {item}", n(count), items.get(item, 0), exact=False)
    if box == "hotline":
        _lines(plan, valid, report)
    _rates(plan, box, report)


def _lines(plan: MonthPlan, valid: QuerySet[WorkOrder], report: Report) -> None:
    n = plan.spec.n
    for tag, conf in plan.spec.raw.get("special_lines", {}).items():
        tagged = valid.filter(tags__code=tag)
        report.add("special line", f"{tag} calls", n(conf["calls"]), tagged.count(), exact=False)
        if "answered_directly" in conf:
            report.add("special line", f"{tag} answered directly", n(conf["answered_directly"]),
                       tagged.filter(_has("answer", plan)).count(), exact=False)
            report.add("special line", f"{tag} orders", n(conf["orders"]),
                       tagged.filter(_has("dispatch", plan)).count(), exact=False)
            p = plan.period
            results = Counter(Event.objects.filter(order__tags__code=tag, kind="callback", at__gte=p.start,
                                                   at__lt=p.end).values_list("data__result", flat=True))
            reached = results["satisfied"] + results["basic"] + results["unsatisfied"]
            report.add("special line", f"{tag} satisfaction %", rate_text(n(conf["satisfied"]), n(conf["reached"])),
                       rate_text(results["satisfied"] + results["basic"], reached), exact=False, rate=True)


PUBLISHED_RATES = {
    "yueyang:2024-05": {"hotline": {"closure": "99.61", "on_time": "98.68", "satisfaction": "91.54"},
                        "mailbox": {"satisfaction": "93.09"}},
    "xiangtan:2023-09": {"hotline": {"on_time": "99.32", "satisfaction": "67.45"}},
}


def _rates(plan: MonthPlan, box: str, report: Report) -> None:
    published = PUBLISHED_RATES.get(plan.spec.key, {}).get(box, {})
    if not published:
        return
    totals: Counter[str] = Counter()
    for m in unit_month_metrics(box=box, month=plan.spec.month, roll_up=True).values():
        for name in ("due", "done", "on_time", "callbacks", "satisfied"):
            totals[name] += getattr(m, name)
    actual = {"closure": rate_text(totals["done"], totals["due"]),
              "on_time": rate_text(totals["on_time"], totals["due"]),
              "satisfaction": rate_text(totals["satisfied"], totals["callbacks"])}
    for name, value in published.items():
        report.add(box, f"{name} rate %", Decimal(value), actual[name], exact=False, rate=True)


def render(report: Report) -> str:
    lines = [f"{'scope':<34} {'figure':<34} {'planned':>10} {'simulated':>10}  ok"]
    bad = 0
    exact_rows = [r for r in report.rows if r.exact]
    for r in report.rows:
        if r.exact and r.ok and r.expected == r.actual:
            continue  # per-unit rows are listed only when they differ
        bad += not r.ok
        lines.append(f"{r.scope[:34]:<34} {r.name[:34]:<34} {r.expected:>10} {r.actual:>10}  "
                     f"{'yes' if r.ok else 'NO'}")
    equal = sum(1 for r in exact_rows if r.expected == r.actual)
    lines.append(f"per-unit counts: {equal} of {len(exact_rows)} exactly as planned; "
                 f"{sum(1 for r in exact_rows if r.ok)} within one case")
    city = [r for r in report.rows if not r.exact]
    worst = max((abs(r.actual - r.expected) / r.expected for r in city if r.expected), default=Decimal(0))
    lines.append(f"city figures: {sum(1 for r in city if r.ok)} of {len(city)} within 1 % (or one case) "
                 f"(largest difference {(worst * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)} %)")
    return "\n".join(lines)
