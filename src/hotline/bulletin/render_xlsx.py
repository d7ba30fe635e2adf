"""The attachment tables as an Excel workbook: one sheet per attachment (附件1 …), numbers as numbers."""
from __future__ import annotations

import io
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from hotline.bulletin.compose import Attachment, Document

NUMBER = re.compile(r"^-?\d+(\.(\d+))?$")
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
FONT = "仿宋_GB2312"


def cell_value(text: str) -> tuple[Decimal | int | str, str]:
    """A cell's value and number format: '98.10' -> Decimal with 0.00, '17' -> 17, anything else text."""
    match = NUMBER.match(text or "")
    if not match:
        return text, "General"
    if match.group(2) is None:
        return int(text), "0"
    return Decimal(text), "0." + "0" * len(match.group(2))


def _sheet(wb: Workbook, att: Attachment, first: bool) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = att.sheet
    columns = att.sheet_table.columns
    ws.append([f"附件{att.number}　{att.title}"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws.cell(1, 1).font = Font(name="方正小标宋简体", size=16)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.append(columns)
    for col in range(1, len(columns) + 1):
        cell = ws.cell(2, col)
        cell.font, cell.fill, cell.border = Font(name="黑体", size=10, bold=True), HEADER_FILL, GRID
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [max(6, len(c) * 2 + 2) for c in columns]
    # Styles made once and shared: openpyxl hashes each style object it is given.
    body_font = Font(name=FONT, size=10)
    aligned = {numeric: Alignment(horizontal="center" if numeric else "left", vertical="center",
                                  wrap_text=not numeric) for numeric in (True, False)}
    for index, row in enumerate(att.sheet_table.rows):
        r = index + 3  # counted, not ws.max_row, which scans every row each time
        if index in att.sheet_table.group_rows:
            ws.cell(r, 1, row[0]).font = Font(name="楷体_GB2312", size=11, bold=True)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(columns))
            for col in range(1, len(columns) + 1):
                ws.cell(r, col).fill, ws.cell(r, col).border = GROUP_FILL, GRID
            continue
        for col, text in enumerate(row, start=1):
            value, fmt = cell_value(text)
            cell = ws.cell(r, col, value)
            cell.number_format, cell.border = fmt, GRID
            cell.font = body_font
            numeric = not isinstance(value, str)
            cell.alignment = aligned[numeric]
            widths[col - 1] = max(widths[col - 1], min(40, len(text) * (2 if not numeric else 1) + 2))
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "B3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def render_xlsx(document: Document) -> bytes:
    wb = Workbook()
    if not document.attachments:
        wb.active.title = "说明"
        wb.active["A1"] = "本样式无附件表格"
    for i, att in enumerate(document.attachments):
        _sheet(wb, att, i == 0)
    wb.properties.title = document.title
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
