"""Each figure of the bulletin against the small May built in conftest.py."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hotline.bulletin import problems, selectors
from hotline.bulletin.period import BulletinError, Month
from tests.bulletin.conftest import at

MAY = Month(2024, 5)


def test_month_parse_rejects_bad_input() -> None:
    assert Month.parse("2024-05") == MAY and MAY.previous() == Month(2024, 4) and Month(2024, 12).next() == Month(2025, 1)
    with pytest.raises(BulletinError) as err:
        Month.parse("2024-13")
    assert err.value.field == "month"


def test_intake_counts_exclude_repeats_and_invalid(may) -> None:
    figures = selectors.intake_figures(MAY, "hotline")
    assert figures == {
        "registered": 10, "merged": 1, "invalid": 1, "received": 8, "answered_directly": 2, "dispatched": 6,
        "pending": 0, "answered_rate": Decimal("25.00"),
    }


def test_cutoff_ignores_later_events(may) -> None:
    early = selectors.intake_figures(MAY, "hotline", as_of=at(5, 10, 10))
    assert (early["merged"], early["invalid"], early["received"]) == (0, 0, 10)


def test_headline_rates_come_from_the_unit_metrics(may) -> None:
    headline = selectors.headline(MAY, "hotline")
    assert (headline["due"], headline["done"], headline["on_time"]) == (6, 3, 2)
    assert headline["closure_rate"] == Decimal("50.00")
    assert headline["on_time_rate"] == Decimal("33.33")
    assert (headline["satisfied"], headline["reached"], headline["satisfaction_rate"]) == (2, 3, Decimal("66.67"))


def test_by_channel(may) -> None:
    rows = selectors.by_channel(MAY, "hotline")
    assert [(r["name"], r["count"], r["share"]) for r in rows] == [
        ("电话", 7, Decimal("87.50")), ("微信公众号", 1, Decimal("12.50"))]


def test_by_county_uses_region_then_county_unit_and_puts_the_rest_last(may) -> None:
    rows = selectors.by_county(MAY, "hotline")
    assert [(r["name"], r["count"]) for r in rows] == [("甲区人民政府", 2), ("甲县", 1), ("未明确区域", 5)]


def test_by_appeal_type(may) -> None:
    rows = selectors.by_appeal_type(MAY, "hotline")
    assert [(r["name"], r["count"], r["share"]) for r in rows] == [
        ("投诉", 6, Decimal("75.00")), ("咨询", 2, Decimal("25.00"))]


def test_by_subject_top_level_with_shares(may) -> None:
    rows = selectors.by_subject(MAY, "hotline")
    assert [(r["name"], r["count"], r["share"]) for r in rows] == [
        ("城市管理类", 6, Decimal("75.00")), ("人力资源和社会保障类", 2, Decimal("25.00"))]


def test_hot_subjects_are_second_level(may) -> None:
    rows = selectors.hot_subjects(MAY, "hotline")
    assert [(r["name"], r["count"]) for r in rows] == [("社会保险", 2), ("路灯照明", 2)]


def test_surges_compare_with_the_previous_months(may) -> None:
    rows = selectors.subject_surges(MAY, "hotline", minimum=2)
    assert [(r["name"], r["count"], r["usual"], r["increase"]) for r in rows] == [
        ("社会保险", 2, Decimal("0.3"), Decimal("500.00")), ("路灯照明", 2, Decimal("0.0"), None)]
    assert selectors.subject_surges(MAY, "hotline") == []  # below the default minimum of 5 cases


def test_special_lines(may) -> None:
    deputy = selectors.special_line(MAY, "hotline", "npc_deputy")
    assert (deputy["calls"], deputy["answered_directly"], deputy["orders"], deputy["on_time_rate"],
            deputy["satisfaction_rate"]) == (1, 0, 1, Decimal("100.00"), Decimal("100.00"))
    enterprise = selectors.special_line(MAY, "hotline", "enterprise")
    assert (enterprise["calls"], enterprise["answered_directly"], enterprise["orders"]) == (1, 1, 0)
    assert enterprise["on_time_rate"] is None and enterprise["top_subjects"][0]["name"] == "人力资源和社会保障类"


def test_campaign_by_theme(may) -> None:
    figures = selectors.campaign(MAY, "hotline", "civilization")
    assert figures["name"] == "文明创建" and figures["total"] == 1
    assert [(r["name"], r["count"]) for r in figures["themes"]] == [("城市管理类", 1)]


def test_callback_and_supervision(may) -> None:
    figures = selectors.callback_figures(MAY, "hotline")
    assert {k: figures[k] for k in ("callbacks", "satisfied", "unsatisfied", "manual", "verified_unsatisfied",
                                     "supervised", "rectified", "resatisfied", "overdue_supervised")} == {
        "callbacks": 3, "satisfied": 2, "unsatisfied": 1, "manual": 1, "verified_unsatisfied": 1,
        "supervised": 1, "rectified": 1, "resatisfied": 1, "overdue_supervised": 0}


def test_mailbox_is_its_own_box(may) -> None:
    headline = selectors.headline(MAY, "mailbox")
    assert (headline["received"], headline["due"], headline["on_time_rate"]) == (1, 1, Decimal("100.00"))
    both = selectors.intake_figures(MAY, ["hotline", "mailbox"])
    assert both["received"] == 9
    with pytest.raises(BulletinError) as err:
        selectors.intake_figures(MAY, "fax")
    assert err.value.field == "box"


def test_drill_down_links_figures_to_cases(may) -> None:
    staff = may.city.user("supervisor")
    wechat = selectors.figure_orders(staff, month=MAY, box="hotline", figure="channel", key="wechat")
    assert [o.number for o in wechat] == [may.number("answered2")]
    due = selectors.figure_orders(staff, month=MAY, box="hotline", figure="on_time")
    assert {o.number for o in due} == {may.number("ontime"), may.number("reworked")}
    handler_view = selectors.figure_orders(may.city.user("handler_b"), month=MAY, box="hotline", figure="dispatched")
    assert {o.number for o in handler_view} == {may.number(k) for k in ("late", "reworked", "extended")}
    with pytest.raises(BulletinError):
        selectors.figure_orders(staff, month=MAY, box="hotline", figure="nonsense")


def test_seriously_overdue_skips_extension_requests(may) -> None:
    rows = problems.seriously_overdue(MAY, "hotline")
    assert rows == [{"unit": "甲区人民政府", "unit_id": may.city.unit_a.pk, "count": 2, "oldest_month": "2024-05",
                     "oldest_label": "2024年5月", "orders": [may.number("stuck"), may.number("bounced")]}]
    # Before the deadline plus 5 working days has passed, nothing is seriously overdue yet.
    assert problems.seriously_overdue(MAY, "hotline", as_of=at(5, 16)) == []


def test_bounced_orders(may) -> None:
    assert problems.bounced(MAY, "hotline") == [
        {"number": may.number("bounced"), "times": 3, "units": ["甲区人民政府", "市乙局", "甲区人民政府"]}]
    assert problems.bounced(MAY, "hotline", threshold=4) == []


def test_rejected_replies_per_unit(may) -> None:
    rows = problems.rejected_replies(MAY, "hotline")
    assert [(r["unit"], r["reworked"], r["upheld"], r["orders"]) for r in rows] == [
        ("市乙局", 1, 1, [may.number("reworked"), may.number("late")])]


def test_cutoff_must_be_aware(may) -> None:
    with pytest.raises(BulletinError) as err:
        selectors.headline(MAY, "hotline", as_of=dt.datetime(2024, 6, 10))
    assert err.value.field == "as_of"
