"""`hotline export --as USER`: scoped and masked as that user sees the cases in the browser, audited; the full
export is an administrator's explicit `--all`, audited as such; a masked export cannot be re-imported."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hotline.audit.models import AuditAction, AuditEntry
from hotline.workorders.exchange import import_cases


def export(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("export", *args, stdout=out, stderr=io.StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture
def two_units(city):
    mine = city.dispatched(unit=city.unit_a, confidential=True, address="保密小区9栋901室")
    theirs = city.dispatched(unit=city.unit_b)
    return mine, theirs


def test_export_without_as_says_what_to_run(two_units):
    with pytest.raises(CommandError, match="--as"):
        export()


def test_unknown_user_is_refused(two_units):
    with pytest.raises(CommandError, match="没有这个在用的用户"):
        export("--as", "nobody")


def test_unit_handler_gets_own_cases_masked_and_it_is_audited(city, two_units):
    mine, theirs = two_units
    head, *cases = export("--as", "handler_a")
    assert head["view"] == {"as": "handler_a", "masked": True}
    assert [c["number"] for c in cases] == [mine.number]  # never the other unit's case
    assert (cases[0]["citizen_name"], cases[0]["citizen_phone"], cases[0]["address"]) == ("（保密）", "（保密）", "（保密）")
    row = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (row.actor, row.ip, row.detail["cases"]) == (city.user("handler_a"), "cli", 1)


def test_citywide_user_sees_masked_phones(two_units):
    _, *cases = export("--as", "dispatcher")
    assert {c["citizen_phone"] for c in cases} == {"138****5678"}


def test_full_export_needs_an_administrator(two_units):
    with pytest.raises(CommandError, match="不是管理员"):
        export("--all", "--as", "dispatcher")
    assert not AuditEntry.objects.filter(action__in=[AuditAction.EXPORT, AuditAction.EXPORT_ALL]).exists()


def test_full_export_is_unmasked_and_audited_as_full(city, two_units):
    head, *cases = export("--all", "--as", "admin")
    assert "view" not in head and {c["citizen_phone"] for c in cases} == {"13812345678"}
    row = AuditEntry.objects.get(action=AuditAction.EXPORT_ALL)
    assert (row.actor, row.detail["cases"]) == (city.user("admin"), 2)


def test_a_masked_export_cannot_be_imported(two_units, tmp_path: Path):
    target = tmp_path / "mine.jsonl"
    call_command("export", "--as", "handler_a", "--out", str(target), stderr=io.StringIO())
    result = import_cases(target)
    assert result.loaded == 0 and [i.field for i in result.issues] == ["view"]
