"""Background work: `hotline worker` enqueues the periodic jobs and runs them (django-tasks database
backend); the deadline sweep's reminders reach the unit's handlers (desk + pluggable notifiers)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hotline.workorders.models import Event, Notification
from hotline.workorders.schedule import enqueue_due
from hotline.workorders.selectors import unread_notifications
from hotline.workorders.services import mark_notifications_read

SENT: list[Notification] = []


def collect(notification: Notification) -> None:
    SENT.append(notification)


@pytest.fixture
def notifier(settings):
    SENT.clear()
    settings.HOTLINE_NOTIFIERS = ["tests.workorders.test_worker.collect"]
    return SENT


def run_worker() -> None:
    call_command("worker", "--once", "--verbosity", "0", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_sweep_and_overdue_cases_reach_handler_and_supervisor(city, notifier):
    order = city.dispatched(unit=city.unit_a)
    with time_machine.travel(order.deadline + dt.timedelta(hours=1)):
        run_worker()
    order.refresh_from_db()
    assert order.overdue and Event.objects.filter(order=order, kind="overdue").count() == 1
    assert {n.user.username for n in Notification.objects.filter(order=order)} == {"handler_a", "supervisor"}
    assert {n.user.username for n in notifier} == {"handler_a", "supervisor"}
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 4  # sweep, chain check, pruning, dashboards


@pytest.mark.django_db(transaction=True)
def test_a_reminder_before_the_deadline_and_nothing_twice(city, notifier):
    order = city.dispatched(unit=city.unit_a)
    with time_machine.travel(order.deadline - dt.timedelta(hours=2)):
        run_worker()
        call_command("worker", "--once", "--verbosity", "0", stdout=io.StringIO())  # not due again yet
    assert [n.kind for n in Notification.objects.all()] == ["remind"]
    assert DBTaskResult.objects.filter(task_path__endswith="deadline_sweep").count() == 1


def test_periodic_jobs_are_enqueued_only_when_due(db):
    now = timezone.now()
    assert len(enqueue_due(now=now)) == 4
    assert enqueue_due(now=now + dt.timedelta(minutes=1)) == []
    assert enqueue_due(now=now + dt.timedelta(minutes=6)) == ["hotline.workorders.tasks.deadline_sweep",
                                                             "hotline.bulletin.tasks.refresh_dashboards"]


def test_desk_inbox_shows_only_the_user_s_own_notifications(city, notifier):
    from hotline.workorders.reminders import notify_deadline_events
    from hotline.workorders.deadlines import sweep

    order = city.dispatched(unit=city.unit_a)
    later = order.deadline + dt.timedelta(minutes=5)
    sweep(now=later)
    notify_deadline_events(since=later)
    mine = list(unread_notifications(city.user("handler_a")))
    assert [n.order for n in mine] == [order]
    assert list(unread_notifications(city.user("handler_b"))) == []  # another unit sees nothing
    assert mark_notifications_read(user=city.user("handler_b"), ids=[mine[0].pk]) == 0
    assert mark_notifications_read(user=city.user("handler_a"), ids=[mine[0].pk]) == 1
    assert list(unread_notifications(city.user("handler_a"))) == []


@pytest.mark.django_db(transaction=True)
def test_a_broken_chain_found_at_night_is_reported_to_administrators(city, notifier):
    order = city.dispatched(unit=city.unit_a)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workorders_event SET reason = 'x' WHERE order_id = %s AND seq = 1", [order.pk])
    run_worker()
    [note] = Notification.objects.filter(kind="integrity")
    assert note.user.username == "admin" and order.number in note.text
