"""Events gain their hash chain (existing histories are chained as they stand); the phone-access log
moves into the audit trail (hotline.audit), each old row becoming one chained audit row."""
from __future__ import annotations

from typing import Any

from django.db import migrations, models

BATCH = 5000


def chain_events(apps: Any, schema_editor: Any) -> None:
    from hotline.workorders.chain import event_hash

    Event = apps.get_model("workorders", "Event")
    table = schema_editor.connection.ops.quote_name(Event._meta.db_table)
    rows = Event.objects.order_by("order_id", "seq").values_list(
        "id", "order_id", "order__number", "seq", "kind", "at", "actor_id", "actor_role", "from_status",
        "to_status", "unit_id", "reason", "data")
    updates: list[tuple[str, int]] = []
    order, prev = None, ""
    with schema_editor.connection.cursor() as cursor:
        for (pk, order_id, number, seq, kind, at, actor_id, actor_role, from_status, to_status, unit_id,
             reason, data) in rows.iterator(chunk_size=BATCH):
            if order_id != order:
                order, prev = order_id, ""
            prev = event_hash(prev, number=number, seq=seq, kind=kind, at=at, actor_id=actor_id,
                              actor_role=actor_role, from_status=from_status, to_status=to_status,
                              unit_id=unit_id, reason=reason, data=data)
            updates.append((prev, pk))
            if len(updates) >= BATCH:
                cursor.executemany(f'UPDATE {table} SET "hash" = %s WHERE "id" = %s', updates)
                updates = []
        if updates:
            cursor.executemany(f'UPDATE {table} SET "hash" = %s WHERE "id" = %s', updates)


def phone_access_to_audit(apps: Any, schema_editor: Any) -> None:
    from hotline.audit.chain import digest
    from hotline.audit.services import entry_parts

    PhoneAccess = apps.get_model("workorders", "PhoneAccess")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditHead = apps.get_model("audit", "AuditHead")
    head, _ = AuditHead.objects.get_or_create(pk=1)
    seq, prev = head.seq, head.hash
    for access in PhoneAccess.objects.select_related("order", "user").order_by("at", "id").iterator():
        seq += 1
        values = dict(at=access.at, actor_id=access.user_id, actor_name=access.user.username, ip="",
                      action="reveal_phone", object_type="workorders.workorder", object_id=str(access.order_id),
                      object_repr=access.order.number, citizen_phone=access.order.citizen_phone,
                      detail={"via": access.via, "migrated": True})
        digest_now = digest(prev, entry_parts(seq=seq, **values))
        AuditEntry.objects.create(seq=seq, prev_hash=prev, hash=digest_now, **values)
        prev = digest_now
    AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)


class Migration(migrations.Migration):

    dependencies = [
        ("workorders", "0009_callback_sample"),
        ("audit", "0001_audit_trail"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="哈希"),
        ),
        migrations.RunPython(chain_events, migrations.RunPython.noop),
        migrations.RunPython(phone_access_to_audit, migrations.RunPython.noop),
        migrations.DeleteModel(name="PhoneAccess"),
    ]
