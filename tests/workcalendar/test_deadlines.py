"""Deadline rules: which rule applies, and how working-day and hour deadlines are computed."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hotline.directory.models import AppealType
from hotline.workcalendar.models import Box, CalendarDay, CalendarYear, DeadlineRule, Urgency
from hotline.workcalendar.services import CalendarError, compute_deadline, find_rule
from hotline.workorders.models import Action, Event

SH = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc


def deadline(start, *, box=Box.HOTLINE, appeal_type_id=None, urgency=Urgency.NORMAL):
    return compute_deadline(start=start, box=box, appeal_type_id=appeal_type_id, urgency=urgency)


def drop_2027():
    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()


def test_working_day_deadline_ends_235959_local_on_due_day(calendar):
    result = deadline(dt.datetime(2024, 4, 30, 10, 0, tzinfo=SH))
    assert result.at == dt.datetime(2024, 5, 10, 23, 59, 59, tzinfo=SH)
    assert result.at.astimezone(UTC) == dt.datetime(2024, 5, 10, 15, 59, 59, tzinfo=UTC)
    assert result.fallback is False


def test_local_date_of_start_decides_where_counting_begins(calendar):
    # 16:30 UTC on Thu 9 May is 00:30 on Fri 10 May in Shanghai: 2 working days are Sat 11 and Mon 13 May.
    result = deadline(dt.datetime(2024, 5, 9, 16, 30, tzinfo=UTC), urgency=Urgency.URGENT)
    assert result.at == dt.datetime(2024, 5, 13, 23, 59, 59, tzinfo=SH)


def test_hours_rule_is_wall_clock_and_never_flagged(calendar):
    start = dt.datetime(2024, 9, 30, 15, 0, tzinfo=SH)  # into the National Day holiday: still 24 h
    assert deadline(start, urgency=Urgency.VERY_URGENT).at == dt.datetime(2024, 10, 1, 15, 0, tzinfo=SH)
    drop_2027()
    late = deadline(dt.datetime(2026, 12, 31, 20, 0, tzinfo=SH), urgency=Urgency.VERY_URGENT)
    assert (late.at, late.fallback) == (dt.datetime(2027, 1, 1, 20, 0, tzinfo=SH), False)


def test_working_day_deadline_reaching_unloaded_year_is_flagged(calendar):
    drop_2027()
    result = deadline(dt.datetime(2026, 12, 29, 10, 0, tzinfo=SH))
    # 30, 31 Dec; then 2027 counted Monday-Friday: Fri 1, Mon 4, Tue 5 Jan.
    assert result.at == dt.datetime(2027, 1, 5, 23, 59, 59, tzinfo=SH)
    assert (result.fallback, result.missing_years) == (True, (2027,))


def test_most_specific_rule_wins(calendar):
    complaint = AppealType.objects.create(code="complaint", name="投诉")
    advice = AppealType.objects.create(code="advice", name="建议")
    DeadlineRule.objects.create(appeal_type=complaint, amount=3)
    DeadlineRule.objects.create(appeal_type=complaint, urgency=Urgency.URGENT, amount=1)

    def amount(box, type_, urgency):
        rule = find_rule(box=box, appeal_type_id=type_.pk, urgency=urgency)
        return rule.amount, rule.unit

    assert amount(Box.HOTLINE, advice, Urgency.NORMAL) == (5, "working_days")  # the catch-all
    assert amount(Box.HOTLINE, complaint, Urgency.NORMAL) == (3, "working_days")
    assert amount(Box.HOTLINE, complaint, Urgency.URGENT) == (1, "working_days")  # type + urgency
    assert amount(Box.HOTLINE, advice, Urgency.URGENT) == (2, "working_days")
    assert amount(Box.MAILBOX, advice, Urgency.NORMAL) == (10, "working_days")


def test_urgency_outranks_appeal_type_which_outranks_box(calendar):
    advice = AppealType.objects.create(code="advice", name="建议")
    DeadlineRule.objects.create(appeal_type=advice, amount=15)
    very_urgent = find_rule(box=Box.HOTLINE, appeal_type_id=advice.pk, urgency=Urgency.VERY_URGENT)
    assert (very_urgent.amount, very_urgent.unit) == (24, "hours")  # not the 15-day advice rule
    letter = find_rule(box=Box.MAILBOX, appeal_type_id=advice.pk, urgency=Urgency.NORMAL)
    assert letter.amount == 15  # the advice rule beats the 10-day mailbox rule


def test_no_matching_rule_means_five_working_days(calendar):
    DeadlineRule.objects.all().delete()
    result = deadline(dt.datetime(2024, 4, 30, 10, 0, tzinfo=SH), urgency=Urgency.VERY_URGENT)
    assert result.at == dt.datetime(2024, 5, 10, 23, 59, 59, tzinfo=SH)


def test_naive_start_rejected(calendar):
    with pytest.raises(CalendarError) as exc:
        deadline(dt.datetime(2024, 4, 30, 10, 0))
    assert exc.value.field == "start"


def test_duplicate_any_type_rule_and_zero_amount_rejected(calendar):
    duplicate = DeadlineRule(box="", urgency=Urgency.URGENT, amount=3)
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "已存在相同业务" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    with pytest.raises(ValidationError) as exc:
        DeadlineRule(box=Box.MAILBOX, urgency=Urgency.URGENT, amount=0).full_clean()
    assert "amount" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlineRule.objects.create(box=Box.MAILBOX, urgency=Urgency.URGENT, amount=0)


def test_dispatched_order_in_unloaded_year_is_flagged(city):
    drop_2027()
    exact = city.dispatched(at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=SH))
    assert exact.deadline_fallback is False
    order = city.dispatched(at=dt.datetime(2026, 12, 29, 10, 0, tzinfo=SH))
    order.refresh_from_db()
    assert order.deadline == dt.datetime(2027, 1, 5, 23, 59, 59, tzinfo=SH)
    assert order.deadline_fallback is True
    event = Event.objects.get(order=order, kind=Action.DISPATCH)
    assert event.data["deadline_fallback"] is True
