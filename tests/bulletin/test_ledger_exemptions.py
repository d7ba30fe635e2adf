"""The bulletin lists exemptions apart from the ledger's points (issue 13, part 3)."""
from __future__ import annotations

import datetime as dt
import io

from docx import Document as open_docx

from hotline.bulletin.compose import EXEMPT_HEADING, ledger_table
from hotline.bulletin.period import Month
from hotline.bulletin.services import build

MAY = Month(2024, 5)


def test_exempted_entries_follow_the_ledger_under_their_own_heading_not_counted() -> None:
    entries = [{"unit": "甲区", "indicator": "信息报送", "points": "-1.00", "reason": "未报送", "cases": [], "rule": ""}]
    exempt = [{"unit": "乙局", "indicator": "热线办理质量", "points": "-0.50", "reason": "严重超期；豁免理由：停电",
               "cases": ["RX1"], "rule": "serious_overdue"}]
    table = ledger_table(entries, exempt=exempt)
    assert table.rows[1][0] == EXEMPT_HEADING and table.group_rows == [1]
    assert table.rows[2] == ["1", "乙局", "热线办理质量", "（-0.50）", "严重超期；豁免理由：停电", "RX1"]
    assert ledger_table([], exempt=exempt).rows[0][1] == "本月无记录"


def test_the_printed_deductions_list_an_exemption_apart(may) -> None:
    from hotline.assessment.ledger import active_entries
    from hotline.assessment.records import exempt_entry
    from hotline.assessment.services import run_month
    from hotline.directory.models import Unit

    Unit.objects.update(city="yueyang")
    month = dt.date(2024, 5, 1)
    run_month(scheme="yueyang-hotline", month=month)
    entry = active_entries(rule="serious_overdue").order_by("id").first()
    exempt_entry(entry=entry, reason="暴雨停电", actor=None)
    for scheme in ("yueyang-hotline", "yueyang-mailbox"):
        run_month(scheme=scheme, month=month, publish=True)
    built = build(month=MAY, style="yueyang", issued_on=dt.date(2024, 6, 24), formats=("docx",))
    doc = open_docx(io.BytesIO(built.files[f"{built.base_name()}.docx"]))
    minus = [[c.text for c in row.cells] for row in doc.tables[2].rows]
    heading = next(i for i, row in enumerate(minus) if row[0] == EXEMPT_HEADING)
    exempted = minus[heading + 1:]
    assert [row[3] for row in exempted] == ["（-0.50）"] and "暴雨停电" in exempted[0][4]
    assert entry.case_numbers[0] in exempted[0][5]
    assert not any(entry.case_numbers[0] in row[5] and "严重超期" in row[4] for row in minus[:heading])


def test_the_xiangtan_bulletin_names_each_leader_answering_day(may) -> None:
    from hotline.assessment.records import record_leader_day

    record_leader_day(leader="王市长", title="副市长", unit=may.city.unit_a, date=dt.date(2024, 5, 15), session="am",
                      actor=None)
    built = build(month=MAY, style="xiangtan", issued_on=dt.date(2024, 6, 24), formats=("docx",))
    doc = open_docx(io.BytesIO(built.files[f"{built.base_name()}.docx"]))
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("5月15日上午，甲区人民政府王市长副市长参加领导接听日，接听来电") for t in texts), texts
