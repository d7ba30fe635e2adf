"""The hotline-cases exchange format: export, validated batched import, lossless round trip."""
from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.core.management import CommandError, call_command
from django.utils import timezone

from hotline.directory.models import Category, Region, Tag
from hotline.workorders import exchange
from hotline.workorders.exchange import export_cases, import_cases
from hotline.workorders.exchange_format import CASE_FIELDS, EVENT_FIELDS
from hotline.workorders.models import Event, NumberSequence, Status, WorkOrder
from hotline.workorders.services import create_order, transition
from tests.factories import City

TZ = timezone.get_current_timezone()


def at(day: int, hour: int = 10, month: int = 4) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture
def histories(city: City) -> dict[str, WorkOrder]:
    """Real histories made with the transition service: closed, redispatched+extended, merged, mailbox..."""
    region = Region.objects.create(name="甲区", code="R01", level=Region.Level.COUNTY)
    tag = Tag.objects.create(code="npc", name="人大代表")
    leaf = Category.objects.create(taxonomy="test", name="路灯", parent=city.category, depth=2)
    u = city.user
    h = u("handler_a")

    closed = city.dispatched(at=at(1), region=region, category=leaf, confidential=True, title="路灯")
    closed.tags.add(tag)
    transition(order=closed, action="accept", actor=h, at=at(2))
    transition(order=closed, action="contact", actor=h, at=at(2, 11))
    transition(order=closed, action="reply", actor=h, data={"text": "已修复"}, at=at(3))
    transition(order=closed, action="accept_reply", actor=u("reviewer"), at=at(3, 15))
    transition(order=closed, action="callback", actor=None, data={"result": "satisfied"}, at=at(4))

    moved = city.dispatched(unit=city.unit_b, at=at(8), urgency="urgent")
    transition(order=moved, action="return", actor=u("handler_b"), reason="不属本单位", at=at(8, 14))
    transition(order=moved, action="redispatch", actor=u("dispatcher"), reason="改派",
               data={"unit": city.unit_a.pk, "co_units": [city.unit_b.pk]}, at=at(9))
    transition(order=moved, action="accept", actor=h, at=at(9, 11))
    transition(order=moved, action="request_extension", actor=h, reason="需协调", data={"days": 3}, at=at(10))
    transition(order=moved, action="approve_extension", actor=u("dispatcher"), at=at(10, 16))

    repeat = city.new_order(at=at(11))
    transition(order=repeat, action="merge", actor=u("operator"), data={"into": closed.number}, at=at(11, 12))

    letter, _ = create_order(
        actor=None, fields={"channel": city.channel, "content": "来信反映噪音", "box": "mailbox"},
        source="portal", idempotency_key="msg-1", at=at(5, 9, month=5),
    )
    transition(order=letter, action="mark_invalid", actor=u("dispatcher"), reason="重复投递", at=at(5, 10, month=5))
    answered = city.new_order(at=at(30, 23))
    transition(order=answered, action="answer", actor=u("operator"), at=at(30, 23))
    return {o.number: o for o in (closed, moved, repeat, letter, answered)} | {
        "closed": closed, "moved": moved, "repeat": repeat, "letter": letter, "answered": answered,
    }


def export_text(**scope: Any) -> str:
    out = io.StringIO()
    export_cases(out, **scope)
    return out.getvalue()


def wipe_cases() -> None:
    """Empty the case tables (the directory stays: the format refers to it)."""
    # Test clean-up only: raw SQL, since the model refuses to delete history.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Event._meta.db_table}")
    WorkOrder.objects.update(merged_into=None)
    WorkOrder.objects.all().delete()
    NumberSequence.objects.all().delete()


def lines_of(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def write(tmp_path: Path, rows: list[Any]) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


# --- export -----------------------------------------------------------------------------------

def test_format_carries_every_model_field():
    """A field added to WorkOrder or Event must be added to the format too, or round trips lose it."""
    order_fields = {f.name for f in WorkOrder._meta.get_fields()
                    if (f.concrete or f.many_to_many) and not f.auto_created} - {"version"}
    assert order_fields == set(CASE_FIELDS) - {"events"}  # version is derived: the number of events
    # The metric columns are derived from the order's box and the event's own data on import.
    # The chain hash is recomputed from the content on import (the same chain: see the test below).
    derived = {"box", "on_time", "result", "method", "hash"}
    event_fields = {f.name for f in Event._meta.concrete_fields if not f.primary_key} - {"order"} - derived
    assert event_fields == set(EVENT_FIELDS)


def test_export_writes_header_then_cases_by_natural_keys(histories, city):
    rows = lines_of(export_text())
    assert rows[0] == {"format": "hotline-cases", "version": 1, "box": None, "from": None, "to": None}
    moved = next(r for r in rows[1:] if r["number"] == histories["moved"].number)
    assert moved["unit"] == city.unit_a.code and moved["co_units"] == [city.unit_b.code]
    redispatch = moved["events"][3]
    assert redispatch["kind"] == "redispatch" and redispatch["actor"] == "dispatcher"
    assert redispatch["data"]["unit"] == city.unit_a.code
    assert redispatch["data"]["from_unit"] == city.unit_b.code
    assert redispatch["data"]["co_units"] == [city.unit_b.code]
    assert moved["events"][0]["data"] == {"channel": "phone"}
    assert moved["received_at"] == "2024-04-08T10:00:00+08:00"
    closed = next(r for r in rows[1:] if r["number"] == histories["closed"].number)
    assert closed["category"] == {"taxonomy": "test", "path": ["城市管理类", "路灯"]}
    assert closed["tags"] == ["npc"] and closed["region"] == "R01"
    assert [e["seq"] for e in closed["events"]] == list(range(1, 9))  # 7 steps + the absorb event
    repeat = next(r for r in rows[1:] if r["number"] == histories["repeat"].number)
    assert repeat["merged_into"] == closed["number"]


def test_export_orders_cases_by_received_time(histories):
    received = [r["received_at"] for r in lines_of(export_text())[1:]]
    assert received == sorted(received) and len(received) == 5


def test_export_scoped_by_box(histories):
    rows = lines_of(export_text(box="mailbox"))
    assert rows[0]["box"] == "mailbox"
    assert [r["number"] for r in rows[1:]] == [histories["letter"].number]


def test_export_scoped_by_local_dates_inclusive(histories):
    rows = lines_of(export_text(date_from=dt.date(2024, 4, 8), date_to=dt.date(2024, 4, 30)))
    assert rows[0]["from"] == "2024-04-08" and rows[0]["to"] == "2024-04-30"
    # 2024-04-30 23:00 +08:00 is 15:00 UTC: still April 30 in local time, so included.
    assert {r["number"] for r in rows[1:]} == {
        histories[k].number for k in ("moved", "repeat", "answered")
    }


def test_export_command_writes_file_and_counts_on_stderr(histories, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "out.jsonl"
    call_command("export", "--all", "--as", "admin", "--out", str(target), "--box", "hotline", stdout=out, stderr=err)
    assert target.read_text(encoding="utf-8") == export_text(box="hotline")
    assert "exported 4 cases" in err.getvalue() and out.getvalue() == ""
    assert not list(tmp_path.glob(".*partial"))


def test_export_command_streams_to_stdout(histories):
    out = io.StringIO()
    call_command("export", "--all", "--as", "admin", "--from", "2024-05-01", stdout=out, stderr=io.StringIO())
    assert out.getvalue() == export_text(date_from=dt.date(2024, 5, 1))


def test_export_refuses_an_id_it_cannot_name_and_leaves_no_file(city, tmp_path):
    order = city.new_order(at=at(1))
    order.version = 2
    order.save(update_fields=["version"])
    Event.objects.create(order=order, seq=2, kind="dispatch", at=at(1, 11), actor_role="system",
                         from_status="new", to_status="new", data={"unit": 987654})
    target = tmp_path / "out.jsonl"
    with pytest.raises(CommandError, match=f"case {order.number} event 2: data.unit holds 987654"):
        call_command("export", "--all", "--as", "admin", "--out", str(target), stderr=io.StringIO())
    assert list(tmp_path.iterdir()) == []


def test_export_command_rejects_reversed_dates(city):
    with pytest.raises(CommandError, match="--from must not be after --to"):
        call_command("export", "--as", "admin", "--from", "2024-05-02", "--to", "2024-05-01", stdout=io.StringIO())


# --- round trip -------------------------------------------------------------------------------

def test_round_trip_is_byte_identical(histories, tmp_path):
    first = export_text()
    wipe_cases()
    path = tmp_path / "all.jsonl"
    path.write_text(first, encoding="utf-8")
    result = import_cases(path)
    assert result.ok and result.loaded == 5
    assert export_text() == first


def test_import_restores_full_histories_and_versions(histories, tmp_path, city):
    text = export_text()
    wipe_cases()
    result = import_cases(write(tmp_path, text.splitlines()), batch_size=2)
    assert (result.loaded, result.events) == (5, 8 + 7 + 2 + 2 + 2)
    moved = WorkOrder.objects.get(number=histories["moved"].number)
    events = list(moved.events.order_by("seq"))
    assert moved.version == len(events) == 7
    assert [e.kind for e in events] == ["create", "dispatch", "return", "redispatch", "accept",
                                        "request_extension", "approve_extension"]
    assert events[3].data["unit"] == city.unit_a.pk and events[3].data["from_unit"] == city.unit_b.pk
    assert events[2].reason == "不属本单位" and events[2].actor.username == "handler_b"
    assert list(moved.co_units.all()) == [city.unit_b]
    repeat = WorkOrder.objects.get(number=histories["repeat"].number)
    assert repeat.merged_into.number == histories["closed"].number
    letter = WorkOrder.objects.get(number=histories["letter"].number)
    assert (letter.source, letter.idempotency_key, letter.box) == ("portal", "msg-1", "mailbox")


def test_import_advances_case_numbering(histories, tmp_path, city):
    text = export_text()
    wipe_cases()
    import_cases(write(tmp_path, text.splitlines()))
    fresh = city.new_order(at=at(1, 18))  # same day as the first imported case
    assert fresh.number == "RX20240401000002"


def test_import_resolves_merge_targets_in_later_batches(histories, tmp_path):
    header, *cases = export_text().splitlines()
    repeat = histories["repeat"].number
    cases.sort(key=lambda line: json.loads(line)["number"] != repeat)  # the repeat first, its target later
    wipe_cases()
    assert import_cases(write(tmp_path, [header, *cases]), batch_size=1).ok
    assert WorkOrder.objects.get(number=repeat).merged_into.number == histories["closed"].number


# --- validation -------------------------------------------------------------------------------

def _mutated(histories: dict[str, WorkOrder], change: Callable[[dict[str, Any]], None]) -> list[Any]:
    header, *cases = lines_of(export_text())
    change(cases[1])  # the redispatched case, received 2024-04-08
    return [header, *cases]


def test_malformed_file_loads_nothing_and_names_every_bad_line(histories, tmp_path, city):
    header, *cases = lines_of(export_text())
    wipe_cases()
    good = cases[0]
    unknown_unit = dict(cases[1], unit="NOPE")
    no_content = {k: v for k, v in cases[2].items() if k != "content"}
    gap = json.loads(json.dumps(cases[3]))
    gap["events"][1]["seq"] = 3
    mismatch = dict(cases[4], status="closed")
    path = write(tmp_path, [header, good, "{not json", unknown_unit, no_content, gap, mismatch])
    result = import_cases(path)
    assert result.loaded == 0 and WorkOrder.objects.count() == 0 and Event.objects.count() == 0
    found = {(i.line, i.field) for i in result.issues}
    assert found == {(3, "line"), (4, "unit"), (5, "content"), (6, "events[1].seq"), (7, "status")}
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("import", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 4: unit: unknown unit code 'NOPE'" in err.getvalue()
    assert "line 5: content: required field is missing" in err.getvalue()
    assert WorkOrder.objects.count() == 0


BAD_CASES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("time decreases", lambda c: c["events"][2].update(at="2024-04-08T09:00:00+08:00"), "events[2].at",
     "must not decrease"),
    ("status chain broken", lambda c: c["events"][2].update(from_status="accepted"), "events[2].from_status",
     "previous event's to_status"),
    ("first event not create", lambda c: c["events"][0].update(kind="dispatch"), "events[0].kind", "first event"),
    ("received_at differs", lambda c: c.update(received_at="2024-04-08T10:00:01+08:00"), "events[0].at",
     "received_at"),
    ("unknown actor", lambda c: c["events"][1].update(actor="ghost"), "events[1].actor", "unknown username"),
    ("unknown kind", lambda c: c["events"][1].update(kind="teleport"), "events[1].kind", "unknown value"),
    ("unknown event data unit", lambda c: c["events"][3]["data"].update(unit="NOPE"), "events[3].data.unit",
     "unknown unit code"),
    ("unknown category", lambda c: c.update(category={"taxonomy": "test", "path": ["无此类"]}), "category",
     "unknown category"),
    ("naive time", lambda c: c.update(deadline="2024-04-20T23:59:59"), "deadline", "no UTC offset"),
    ("unknown field", lambda c: c.update(colour="red"), "colour", "unknown field"),
    ("wrong type", lambda c: c.update(overdue="no"), "overdue", "true or false"),
    ("too long", lambda c: c.update(title="长" * 201), "title", "longer than 200"),
    ("unit also co-unit", lambda c: c.update(co_units=[c["unit"]]), "co_units", "cannot also be"),
    ("merged without target", lambda c: c.update(status="merged"), "merged_into", "required when status is merged"),
    ("no events", lambda c: c.update(events=[]), "events", "non-empty list"),
    ("unknown channel", lambda c: c.update(channel="fax"), "channel", "unknown channel code"),
    ("NaN is not JSON", lambda c: c["events"][1]["data"].update(score=float("nan")), "line", "NaN is not a JSON"),
    ("NUL character", lambda c: c.update(address="东路\x00"), "line", "NUL character"),
]


@pytest.mark.parametrize(("change", "field", "reason"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES])
def test_validation_rule(histories, tmp_path, change, field, reason):
    rows = _mutated(histories, change)
    wipe_cases()
    result = import_cases(write(tmp_path, rows))
    assert result.loaded == 0
    assert any(i.line == 3 and i.field == field and reason in i.reason for i in result.issues), result.issues


def test_case_number_already_in_database_is_rejected(histories, tmp_path):
    result = import_cases(write(tmp_path, lines_of(export_text())))
    assert result.loaded == 0
    assert {i.reason for i in result.issues} == {
        f"case {n} already exists in the database" for n in (o.number for o in list(histories.values())[:5])
    }


def test_duplicate_number_within_file_is_rejected(histories, tmp_path):
    header, first, *_ = lines_of(export_text())
    wipe_cases()
    result = import_cases(write(tmp_path, [header, first, first]))
    assert [str(i) for i in result.issues] == [f"line 3: number: case {first['number']} already appears on line 2"]


def test_merge_target_must_exist(histories, tmp_path):
    header, *cases = lines_of(export_text())
    repeat = next(c for c in cases if c["status"] == Status.MERGED)
    wipe_cases()
    result = import_cases(write(tmp_path, [header, repeat]))
    assert [i.field for i in result.issues] == ["merged_into"]


def test_header_must_name_format_and_version(histories, tmp_path):
    header, *cases = lines_of(export_text())
    wipe_cases()
    result = import_cases(write(tmp_path, [dict(header, version=2), *cases]))
    assert [str(i) for i in result.issues] == ["line 1: version: unsupported version 2; this importer reads version 1"]
    assert result.loaded == 0


def test_empty_file_is_reported(db, tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    assert [i.field for i in import_cases(path).issues] == ["format"]


def test_partial_loads_only_batches_without_bad_lines(histories, tmp_path):
    header, *cases = lines_of(export_text())
    wipe_cases()
    cases[2] = dict(cases[2], unit="NOPE")  # line 4, batch of lines 4-5
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problems found"):
        call_command("import", str(write(tmp_path, [header, *cases])), "--batch-size", "2", "--partial",
                     stdout=io.StringIO(), stderr=err)
    loaded = set(WorkOrder.objects.values_list("number", flat=True))
    assert loaded == {cases[0]["number"], cases[1]["number"], cases[4]["number"]}
    assert "lines 4-5: batch not loaded" in err.getvalue()


def test_partial_rejects_a_case_whose_merge_target_batch_is_rejected(histories, tmp_path):
    header, *cases = lines_of(export_text())  # lines 2 closed, 3 moved, 4 repeat (into closed), 5, 6
    wipe_cases()
    cases[1] = dict(cases[1], channel="fax")  # rejects batch [2, 3], which holds the merge target
    result = import_cases(write(tmp_path, [header, *cases]), batch_size=2, partial=True)
    assert [str(i) for i in result.issues] == [
        "line 3: channel: unknown channel code 'fax'",
        f"line 4: merged_into: target case {histories['closed'].number} (line 2) is in a rejected batch",
    ]
    assert list(WorkOrder.objects.values_list("number", flat=True)) == [histories["letter"].number]
    assert result.rejected == [(2, 3), (4, 5)]


def test_batch_failing_at_load_is_rolled_back_and_stops_the_import(histories, tmp_path, city, monkeypatch):
    header, *cases = lines_of(export_text())
    wipe_cases()
    load = exchange._load

    def racing(*args: Any) -> None:  # another writer takes a number after validation
        create_order(actor=None, fields={"channel": city.channel, "content": "抢先"}, number=cases[2]["number"])
        load(*args)

    monkeypatch.setattr(exchange, "_load", racing)
    result = import_cases(write(tmp_path, [header, *cases]), batch_size=2)
    assert result.loaded == 2 and result.rejected == [(4, 6)]
    assert [(i.line, i.field) for i in result.issues] == [(4, "batch")]
    assert set(WorkOrder.objects.values_list("number", flat=True)) == {c["number"] for c in cases[:3]}
    assert WorkOrder.objects.get(number=cases[2]["number"]).content == "抢先"


def test_import_command_reports_progress_and_summary(histories, tmp_path):
    text = export_text()
    wipe_cases()
    out, err = io.StringIO(), io.StringIO()
    call_command("import", str(write(tmp_path, text.splitlines())), stdout=out, stderr=err)
    assert "5 of 5 cases loaded (21 events)" in out.getvalue()
    assert "import" in err.getvalue() and "validate" in err.getvalue()


def test_import_writes_the_same_event_chain_the_services_wrote(histories, tmp_path):
    from hotline.workorders.chain import verify_events

    written = list(Event.objects.order_by("order__number", "seq").values_list("order__number", "seq", "hash"))
    text = export_text()
    wipe_cases()
    import_cases(write(tmp_path, text.splitlines()), batch_size=2)
    assert list(Event.objects.order_by("order__number", "seq").values_list("order__number", "seq", "hash")) == written
    assert verify_events().rows == len(written)
