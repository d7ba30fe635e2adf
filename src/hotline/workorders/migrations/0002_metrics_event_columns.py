"""Columns and indexes for the monthly metrics (docs/metrics.md, "Storage").

Events are append-only; these columns are copies of facts fixed when the event is written (the
order's box never changes; on_time/result/method are copies of the event's own data), so they
never need updating. New events get them from the transition service; this migration backfills
the rows written before it.
"""
from django.db import migrations, models

# One UPDATE per backend, so that each row is rewritten once (on PostgreSQL a second update of a row
# rewritten in the same transaction would queue deferred foreign-key checks and block CREATE INDEX).
BACKFILL = {
    "sqlite": (
        "UPDATE workorders_event SET"
        " box = (SELECT o.box FROM workorders_workorder o WHERE o.id = workorders_event.order_id),"
        " on_time = CASE WHEN kind IN ('reply', 'rectify') THEN"
        " CASE json_type(data, '$.on_time') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END END,"
        " result = CASE WHEN kind = 'callback' THEN json_extract(data, '$.result') END,"
        " method = CASE WHEN kind = 'callback' THEN json_extract(data, '$.method') END"
        " WHERE box IS NULL"
    ),
    "postgresql": (
        "UPDATE workorders_event e SET box = o.box,"
        " on_time = CASE WHEN e.kind IN ('reply', 'rectify') AND jsonb_typeof(e.data -> 'on_time') = 'boolean'"
        " THEN (e.data ->> 'on_time')::boolean END,"
        " result = CASE WHEN e.kind = 'callback' THEN e.data ->> 'result' END,"
        " method = CASE WHEN e.kind = 'callback' THEN e.data ->> 'method' END"
        " FROM workorders_workorder o WHERE o.id = e.order_id AND e.box IS NULL"
    ),
}


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql = BACKFILL.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("workorders", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="box",
            field=models.CharField(
                blank=True, choices=[("hotline", "12345热线"), ("mailbox", "市长信箱")], max_length=16, null=True,
                verbose_name="业务", help_text="copy of the order's box, for the monthly metrics",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="on_time",
            field=models.BooleanField(
                blank=True, null=True, verbose_name="按期", help_text="reply/rectify: copy of data['on_time']",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="result",
            field=models.CharField(
                blank=True, max_length=16, null=True, verbose_name="回访结果",
                choices=[("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意"),
                         ("unreachable", "未接通")],
                help_text="callback: copy of data['result']",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="method",
            field=models.CharField(
                blank=True, max_length=16, null=True, verbose_name="回访方式",
                choices=[("sms", "短信回访"), ("manual", "人工回访")], help_text="callback: copy of data['method']",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["box", "kind", "at", "order", "seq", "unit", "on_time", "result", "method"],
                name="event_metrics_window",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["order", "seq", "kind", "at", "on_time"], name="event_metrics_tenure"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["at"], name="event_metrics_unfilled", condition=models.Q(box__isnull=True),
            ),
        ),
    ]
