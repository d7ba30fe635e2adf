"""Tenures: the projection of the events that the monthly tenure metrics read."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hotline.workorders import tenure
from hotline.workorders.exchange import import_cases
from hotline.workorders.models import Tenure, WorkOrder
from tests.workorders.test_exchange import export_text, histories, wipe_cases, write  # noqa: F401

UTC = dt.timezone.utc


def snapshot() -> list[tuple[Any, ...]]:
    """Tenure rows keyed by case number instead of id, so that they compare across an import."""
    numbers = dict(WorkOrder.objects.values_list("pk", "number"))
    return sorted((numbers[r[0]], *r[1:]) for r in Tenure.objects.values_list(*tenure.COLUMNS))


def at(hour: int) -> dt.datetime:
    return dt.datetime(2024, 5, 6, hour, tzinfo=UTC)


def test_fold_opens_a_tenure_per_assignment_and_closes_it_on_the_next_one_or_a_return():
    rows = tenure.fold(7, "hotline", [
        (1, "create", at(1), None, None), (2, "dispatch", at(2), 10, None), (3, "reply", at(3), 10, True),
        (4, "redispatch", at(4), 11, None), (5, "contact", at(5), 11, None), (6, "reply", at(6), 11, False),
        (7, "rework", at(7), 11, None), (8, "reply", at(8), 11, True), (9, "return", at(9), 11, None),
        (10, "reply", at(10), None, True),
    ])
    assert [(r.seq, r.unit_id, r.lost_at) for r in rows] == [(2, 10, at(4)), (4, 11, at(9))]
    assert (rows[0].reply_seq, rows[0].reply_on_time, rows[0].contact_seq) == (3, True, None)
    second = rows[1]
    assert (second.contact_seq, second.reply_seq, second.reply_at, second.reply_on_time) == (5, 6, at(6), False)
    assert second.rework_at == at(7) and second.extension_at is None


def test_events_before_any_assignment_open_no_tenure():
    assert tenure.fold(1, "hotline", [(1, "create", at(1), None, None), (2, "reply", at(2), None, True)]) == []


def test_rebuild_from_the_events_equals_what_the_services_kept(histories):  # noqa: F811
    kept = snapshot()
    assert kept, "the histories have assignments"
    assert tenure.rebuild() == len(kept)
    assert snapshot() == kept


def test_import_writes_the_same_tenures_as_the_services(histories, tmp_path):  # noqa: F811
    kept, text = snapshot(), export_text()
    wipe_cases()
    assert not Tenure.objects.exists()
    result = import_cases(write(tmp_path, text.splitlines()), batch_size=2)
    assert result.ok
    assert snapshot() == kept


@pytest.mark.parametrize("kind", ["create", "accept", "return"])
def test_first_values_refuses_events_a_tenure_does_not_note(kind):
    with pytest.raises(ValueError):
        tenure.first_values(3, kind, at(1), None)


def test_rebuild_command_restores_tenures_written_outside_the_services(histories):  # noqa: F811
    import io

    from django.core.management import call_command

    kept = snapshot()
    Tenure.objects.all().delete()  # as after a restore that copied only the events
    out = io.StringIO()
    call_command("rebuild", stdout=out)
    assert snapshot() == kept
    assert f"承办期重建 {len(kept)} 条" in out.getvalue()
