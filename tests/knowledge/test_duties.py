"""Update duties: working-day deadlines, delivery, and the knowledge penalty in the assessment ledger."""
import datetime as dt
from decimal import Decimal

import pytest

from hotline.assessment.ledger import active_entries
from hotline.assessment.services import run_month
from hotline.knowledge import services
from hotline.knowledge.models import DutyStatus
from hotline.knowledge.selectors import missed_duties, month_figures
from hotline.knowledge.services import KnowledgeError, KnowledgeForbidden
from tests.assessment.conftest import MAY, at, local_scheme
from tests.knowledge.conftest import publish_article

pytestmark = pytest.mark.django_db


def test_deadline_counts_working_days_over_the_may_day_holiday(kb):
    # 2024-04-30 (Tue) + 3 working days: May 1-5 is the holiday, May 6, 7, 8 are working days.
    duty = services.assign_duty(actor=kb.user("kb_editor"), unit=kb.unit_a, title="更新医保政策",
                                working_days=3, at=at(4, 30))
    assert duty.due_date == dt.date(2024, 5, 8)


def test_submitting_the_article_delivers_the_duty(kb):
    article = publish_article(kb)
    duty = services.assign_duty(actor=kb.user("kb_editor"), unit=kb.unit_a, title="更新", article=article)
    services.update_article(actor=kb.user("handler_a"), article=article, changes={"body": "新的政策内容。"})
    duty.refresh_from_db()
    assert duty.status == DutyStatus.DONE and duty.done_by == kb.user("handler_a")


def test_a_new_article_for_a_duty_delivers_it(kb):
    duty = services.assign_duty(actor=kb.user("kb_editor"), unit=kb.unit_a, title="补充条目")
    services.create_article(actor=kb.user("handler_a"), title="新条目", body="内容", duty=duty, submit=True)
    duty.refresh_from_db()
    assert duty.status == DutyStatus.DONE


def test_duty_rules(kb):
    with pytest.raises(KnowledgeForbidden):
        services.assign_duty(actor=kb.user("handler_a"), unit=kb.unit_b, title="x")
    with pytest.raises(KnowledgeError) as err:
        services.assign_duty(actor=kb.user("kb_editor"), unit=kb.unit_a, title="x", working_days=0)
    assert err.value.field == "working_days"
    article_b = publish_article(kb, unit=kb.unit_b)
    with pytest.raises(KnowledgeError):
        services.assign_duty(actor=kb.user("kb_editor"), unit=kb.unit_a, title="x", article=article_b)


def _overdue_duty(kb):
    """Set on May 6, due May 9 (3 working days), never delivered."""
    return services.assign_duty(actor=kb.user("kb_editor"), unit=kb.unit_a, title="更新医保政策",
                                working_days=3, at=at(5, 6))


def test_missed_duties_open_late_or_delivered_late(kb):
    late_open = _overdue_duty(kb)
    on_time = services.assign_duty(actor=kb.user("kb_editor"), unit=kb.unit_b, title="按时", working_days=3,
                                   at=at(5, 6))
    article = services.create_article(actor=kb.user("handler_b"), title="条目", body="内容", duty=on_time,
                                      at=at(5, 7))
    services.submit_for_review(actor=kb.user("handler_b"), article=article, at=at(5, 8))
    cancelled = services.assign_duty(actor=kb.user("kb_editor"), unit=kb.unit_b, title="撤销", working_days=3,
                                     at=at(5, 6))
    services.cancel_duty(actor=kb.user("kb_editor"), duty=cancelled, reason="政策未变")
    assert missed_duties(month=MAY, as_of=at(5, 9, 23)) == []  # not yet past the due day
    assert [d.pk for d in missed_duties(month=MAY, as_of=at(6, 1))] == [late_open.pk]


def test_overdue_duty_makes_exactly_one_ledger_entry(kb):
    local_scheme("yueyang-hotline")
    duty = _overdue_duty(kb)
    run_month(scheme="t-yueyang-hotline", month=MAY, as_of=at(6, 1))
    run_month(scheme="t-yueyang-hotline", month=MAY, as_of=at(6, 2))
    entries = list(active_entries(rule="knowledge_duty"))
    assert [(e.unit_id, e.rule_key, e.points, e.indicator) for e in entries] == [
        (kb.unit_a.pk, f"duty-{duty.pk}", Decimal("-0.50"), "知识库管理")]


def test_cancelled_duty_withdraws_its_entry(kb):
    local_scheme("yueyang-hotline")
    duty = _overdue_duty(kb)
    run_month(scheme="t-yueyang-hotline", month=MAY, as_of=at(6, 1))
    services.cancel_duty(actor=kb.user("kb_editor"), duty=duty, reason="误派")
    run_month(scheme="t-yueyang-hotline", month=MAY, as_of=at(6, 2))
    assert list(active_entries(rule="knowledge_duty")) == []


def test_sub_unit_miss_counts_for_the_accountable_unit(kb):
    local_scheme("yueyang-hotline")
    services.assign_duty(actor=kb.user("kb_editor"), unit=kb.unit_a1, title="街道条目", working_days=3, at=at(5, 6))
    run_month(scheme="t-yueyang-hotline", month=MAY, as_of=at(6, 1))
    assert [e.unit_id for e in active_entries(rule="knowledge_duty")] == [kb.unit_a.pk]


def test_month_figures_show_compliance_per_unit(kb):
    _overdue_duty(kb)
    figures = month_figures(month=MAY, as_of=at(6, 1))
    assert figures["duties_due"] == 1 and figures["duties_missed"] == 1
    assert figures["stale_units"][0]["unit"] == "甲区人民政府" and figures["stale_units"][0]["rate"] == "0.00"
