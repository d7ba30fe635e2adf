"""The audit trail: one row per view of personal information and per mutation, hash-chained; `hotline audit
verify` names the first row edited behind the services' back (audit rows and work-order events)."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from hotline.audit.models import AuditAction, AuditEntry, AuditImmutable
from hotline.audit.selectors import citizen_trail
from hotline.audit.services import record_access
from hotline.workorders.models import Event
from hotline.workorders.services import transition


def verify() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def client_for(user) -> Client:
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.force_login(user)
    return client


def rows(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


# --- one row per view of personal information -------------------------------------------------

def test_opening_a_case_page_writes_one_row_with_who_where_what_and_citizen(city):
    order = city.dispatched(unit=city.unit_a)
    client_for(city.user("handler_a")).get(f"/cases/{order.number}/")
    [row] = rows(AuditAction.VIEW_CASE)
    assert (row.actor, row.ip, row.object_id, row.citizen_phone, row.detail["via"]) == (
        city.user("handler_a"), "10.1.2.3", str(order.pk), "13812345678", "page")


def test_opening_a_confidential_case_is_its_own_action_on_page_and_api(city):
    order = city.dispatched(unit=city.unit_a, confidential=True)
    client_for(city.user("handler_a")).get(f"/cases/{order.number}/")
    client_for(city.user("handler_a")).get(f"/api/cases/{order.number}")
    assert [r.detail["via"] for r in rows(AuditAction.VIEW_CONFIDENTIAL)] == ["page", "api"]
    assert not rows(AuditAction.VIEW_CASE)


def test_another_unit_probing_a_case_leaves_no_view_row(city):
    order = city.dispatched(unit=city.unit_a)
    assert client_for(city.user("handler_b")).get(f"/cases/{order.number}/").status_code == 404
    assert client_for(city.user("handler_b")).get(f"/api/cases/{order.number}").status_code == 404
    assert not rows(AuditAction.VIEW_CASE)


def test_phone_reveal_page_and_api_each_write_one_row(city):
    order = city.dispatched(unit=city.unit_a)
    client_for(city.user("operator")).post(f"/cases/{order.number}/phone/")
    client_for(city.user("operator")).post(f"/api/cases/{order.number}/phone")
    assert [(r.detail["via"], r.ip) for r in rows(AuditAction.REVEAL_PHONE)] == [("page", "10.1.2.3"),
                                                                                  ("api", "10.1.2.3")]


def test_csv_export_and_list_pages_are_audited(city):
    order = city.dispatched(unit=city.unit_a)
    client = client_for(city.user("handler_a"))
    body = b"".join(client.get("/cases/export.csv").streaming_content).decode()
    client.get("/cases/")
    client.get("/api/cases")
    assert order.number in body
    [export] = rows(AuditAction.EXPORT)
    assert (export.actor, export.detail["cases"], export.detail["via"]) == (city.user("handler_a"), 1, "page csv")
    assert [r.detail["numbers"] for r in rows(AuditAction.VIEW_LIST)] == [[order.number], [order.number]]


def test_every_transition_through_page_or_api_writes_a_row(city):
    order = city.new_order()
    dispatcher = client_for(city.user("dispatcher"))
    dispatcher.post(f"/cases/{order.number}/transition/", {"action": "dispatch", "dispatch-unit": city.unit_a.pk,
                                                             "dispatch-version": order.version})
    client_for(city.user("handler_a")).post(f"/api/cases/{order.number}/transitions",
                                            data=json.dumps({"action": "accept"}), content_type="application/json")
    assert [(r.actor.username, r.detail["kind"], r.detail["via"]) for r in rows(AuditAction.TRANSITION)] == [
        ("dispatcher", "dispatch", "page"), ("handler_a", "accept", "api")]


def test_citizen_trail_answers_who_looked_at_this_citizen(city):
    mine = city.dispatched(unit=city.unit_a)
    other = city.dispatched(unit=city.unit_a, citizen_phone="13900000000")
    client_for(city.user("operator")).post(f"/cases/{mine.number}/phone/")
    client_for(city.user("handler_a")).get(f"/cases/{other.number}/")
    assert [(r.actor.username, r.action) for r in citizen_trail(citizen_phone="13812345678")] == [
        ("operator", AuditAction.REVEAL_PHONE)]


# --- the chains ---------------------------------------------------------------------------------

def test_rows_are_chained_and_verify_passes(city):
    first = record_access(actor=city.user("operator"), action=AuditAction.OTHER, detail={"n": 1})
    second = record_access(actor=None, action=AuditAction.OTHER, ip="cli")
    assert (first.seq, second.seq, second.prev_hash) == (1, 2, first.hash)
    assert "audit: 2 条，链完整" in verify()


def test_rows_refuse_orm_edits(city):
    row = record_access(actor=None, action=AuditAction.OTHER)
    row.ip = "1.1.1.1"
    with pytest.raises(AuditImmutable):
        row.save()


def test_verify_names_an_audit_row_edited_in_the_database(city):
    rows_ = [record_access(actor=city.user("operator"), action=AuditAction.REVEAL_PHONE, citizen_phone=p)
             for p in ("13800000001", "13800000002", "13800000003")]
    with connection.cursor() as cursor:  # someone hides that they looked at this citizen
        cursor.execute("UPDATE audit_auditentry SET citizen_phone = %s WHERE id = %s", ["13899999999", rows_[1].pk])
    with pytest.raises(CommandError, match=f"审计记录 id={rows_[1].pk} .*edited"):
        verify()


def test_verify_notices_the_newest_audit_rows_deleted(city):
    record_access(actor=None, action=AuditAction.OTHER)
    last = record_access(actor=None, action=AuditAction.OTHER)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match="deleted"):
        verify()


def test_verify_names_an_event_edited_in_the_database(city):
    order = city.dispatched(unit=city.unit_a)
    transition(order=order, action="accept", actor=city.user("handler_a"))
    assert "events: 3 条，链完整" in verify()
    event = Event.objects.get(order=order, seq=2)
    with connection.cursor() as cursor:  # move the dispatch to another unit
        cursor.execute("UPDATE workorders_event SET unit_id = %s WHERE id = %s", [city.unit_b.pk, event.pk])
    with pytest.raises(CommandError, match=f"工单事件 id={event.pk} \\(工单 {order.number} seq 2\\)"):
        verify()


def test_verify_catches_a_forged_on_time_column(city):
    order = city.dispatched(unit=city.unit_a)
    for action, data in (("accept", {}), ("reply", {"text": "已办"})):
        transition(order=order, action=action, actor=city.user("handler_a"), data=data)
    reply = Event.objects.get(order=order, kind="reply")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workorders_event SET on_time = %s WHERE id = %s", [not reply.on_time, reply.pk])
    with pytest.raises(CommandError, match="metric columns"):
        verify()


def test_verify_notices_an_order_s_newest_event_deleted(city):
    order = city.dispatched(unit=city.unit_a)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM workorders_tenure WHERE order_id = %s", [order.pk])
        cursor.execute("DELETE FROM workorders_event WHERE order_id = %s AND seq = 2", [order.pk])
    with pytest.raises(CommandError, match=f"工单 {order.number}.*deleted"):
        verify()


def test_deadline_sweep_and_merge_events_keep_the_chain(city):
    import datetime as dt

    from django.utils import timezone

    a = city.dispatched(unit=city.unit_a)
    b = city.new_order()
    transition(order=b, action="merge", actor=city.user("dispatcher"), data={"into": a.number})
    call_command("tick", now=(timezone.now() + dt.timedelta(days=60)).isoformat(), stdout=io.StringIO())
    assert Event.objects.filter(kind="overdue").count() == 1
    assert "events:" in verify()


# --- admin ----------------------------------------------------------------------------------------

def test_admin_lists_the_trail_read_only_and_filters_by_citizen(city):
    from hotline.directory.models import User

    admin_client = client_for(User.objects.create_superuser("boss", password="pw-12345678", role="admin"))
    record_access(actor=city.user("operator"), action=AuditAction.REVEAL_PHONE, citizen_phone="13800000001")
    record_access(actor=city.user("callback"), action=AuditAction.REVEAL_PHONE, citizen_phone="13800000002")
    page = admin_client.get("/admin/audit/auditentry/", {"citizen": "13800000001"}).content.decode()
    assert "13800000001" in page and "13800000002" not in page
    by_search = admin_client.get("/admin/audit/auditentry/", {"q": "13800000002"}).content.decode()
    assert "13800000002" in by_search and "13800000001" not in by_search
    entry = AuditEntry.objects.get(citizen_phone="13800000001")
    assert admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403


def test_staff_pages_cannot_reach_the_admin_trail(city):
    client = client_for(city.user("handler_a"))
    assert client.get("/admin/audit/auditentry/").status_code == 302  # to the admin login


def test_admin_case_page_is_audited(city):
    from hotline.directory.models import User

    order = city.dispatched(unit=city.unit_a)
    boss = User.objects.create_superuser("boss", password="pw-12345678", role="admin")
    assert client_for(boss).get(f"/admin/workorders/workorder/{order.pk}/change/").status_code == 200
    [row] = rows(AuditAction.VIEW_CASE)
    assert (row.actor, row.detail["via"]) == (boss, "admin")


def test_rebuild_refuses_forged_events(city):
    order = city.dispatched(unit=city.unit_a)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workorders_event SET reason = 'forged' WHERE order_id = %s AND seq = 2", [order.pk])
    with pytest.raises(CommandError, match="拒绝重建"):
        call_command("rebuild", stdout=io.StringIO())


def test_admin_changes_and_bulk_deletes_are_audited_with_the_address(city):
    from hotline.directory.models import Tag, User

    boss = User.objects.create_superuser("boss", password="pw-12345678", role="admin")
    client = client_for(boss)
    client.post("/admin/directory/tag/add/", {"code": "x1", "name": "专线一"})
    Tag.objects.create(code="x2", name="专线二")
    ids = list(Tag.objects.values_list("pk", flat=True))
    client.post("/admin/directory/tag/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert not Tag.objects.exists()
    flags = [(r.detail["flag"], r.detail["count"], r.ip, r.actor) for r in rows(AuditAction.ADMIN_CHANGE)]
    assert flags == [("add", 1, "10.1.2.3", boss), ("delete", len(ids), "10.1.2.3", boss)]
