"""The bulletin as a Word document laid out after GB/T 9704-2012 (党政机关公文格式).

A4; text block 156 × 225 mm (top 37 mm, inner 28 mm, mirrored for double-sided printing);
body 3号 (16 pt) 仿宋_GB2312 on a 22-line grid (exact 28.95 pt line pitch); title 2号 (22 pt)
方正小标宋简体; 一、 headings 黑体, （一） headings 楷体_GB2312, 1. and (1) 仿宋; page numbers
"— N —" in 4号 宋体, odd pages right and even pages left, one character in from the edge.
Fonts are named for East-Asian text too (w:rFonts/@w:eastAsia) so that an office PC renders them.
Attachment tables sit in a landscape section; their header rows repeat on every page (w:tblHeader).
"""
from __future__ import annotations

import io
from collections.abc import Callable

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from hotline.bulletin.compose import Chart, Document, Paragraph, Table

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"
BODY_PT, TITLE_PT, PAGE_PT, TABLE_PT = 16, 22, 14, 10.5
LINE_PT = 28.95  # 225 mm / 22 lines
RED = RGBColor(0xE6, 0x00, 0x12)
CHART_WIDTH = Mm(150)
ROLE_FONT = {
    "heading1": H1_FONT, "heading2": H2_FONT, "heading3": BODY_FONT, "heading4": BODY_FONT,
    "staff_heading1": H1_FONT, "staff_heading2": H2_FONT, "body": BODY_FONT, "placeholder": BODY_FONT,
    "draft_note": BODY_FONT,
}


def set_font(run: object, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    """Name the font for Latin and East-Asian text alike."""
    font = run.font  # type: ignore[attr-defined]
    font.name, font.size, font.bold = name, Pt(size), bold
    if color is not None:
        font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _spacing(p: DocxParagraph, line: float = LINE_PT, *, indent: bool = True, align: str = "both") -> None:
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(BODY_PT * 2) if indent else None
    fmt.alignment = {"both": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                     "left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]


def _para(doc: DocxDocument, text: str, font: str = BODY_FONT, size: float = BODY_PT, *, line: float = LINE_PT,
          indent: bool = True, align: str = "both", bold: bool = False, color: RGBColor | None = None) -> DocxParagraph:
    p = doc.add_paragraph()
    _spacing(p, line, indent=indent, align=align)
    if text:
        set_font(p.add_run(text), font, size, bold=bold, color=color)
    return p


# Schema order of the children that may follow w:pBdr in w:pPr, and w:vAlign in w:sectPr.
PPR_AFTER_BORDER = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
SECT_AFTER_VALIGN = ("w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
                     "w:printerSettings", "w:sectPrChange")
SETTINGS_AFTER_MIRROR = ("w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader", "w:bordersDoNotSurroundFooter",
                         "w:gutterAtTop", "w:hideSpellingErrors", "w:hideGrammaticalErrors", "w:activeWritingStyle",
                         "w:proofState", "w:formsDesign", "w:attachedTemplate", "w:linkStyles",
                         "w:stylePaneFormatFilter", "w:stylePaneSortMethod", "w:documentType", "w:mailMerge",
                         "w:revisionView", "w:trackRevisions", "w:doNotTrackMoves", "w:doNotTrackFormatting",
                         "w:documentProtection", "w:autoFormatOverride", "w:styleLockTheme", "w:styleLockQFSet",
                         "w:defaultTabStop", "w:autoHyphenation", "w:consecutiveHyphenLimit", "w:hyphenationZone",
                         "w:doNotHyphenateCaps", "w:showEnvelope", "w:summaryLength", "w:clickAndTypeStyle",
                         "w:defaultTableStyle", "w:evenAndOddHeaders", "w:bookFoldRevPrinting", "w:bookFoldPrinting",
                         "w:bookFoldPrintingSheets", "w:drawingGridHorizontalSpacing", "w:characterSpacingControl",
                         "w:compat", "w:rsids", "m:mathPr", "w:themeFontLang", "w:clrSchemeMapping",
                         "w:shapeDefaults", "w:decimalSymbol", "w:listSeparator")


def _border(p: DocxParagraph, side: str, *, size: int = 12, color: str = "000000", space: int = 1) -> None:
    ppr = p._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *PPR_AFTER_BORDER)
    edge = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", str(space)), ("w:color", color)):
        edge.set(qn(key), value)
    borders.append(edge)


def _page_setup(section: object, *, landscape: bool = False) -> None:
    s = section
    if landscape:
        s.orientation, s.page_width, s.page_height = WD_ORIENT.LANDSCAPE, Mm(297), Mm(210)  # type: ignore[attr-defined]
        s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(28), Mm(26), Mm(37), Mm(35)  # type: ignore[attr-defined]
    else:
        s.orientation, s.page_width, s.page_height = WD_ORIENT.PORTRAIT, Mm(210), Mm(297)  # type: ignore[attr-defined]
        s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)  # type: ignore[attr-defined]
    s.header_distance = Mm(15)  # type: ignore[attr-defined]
    s.footer_distance = Mm(12) if landscape else Mm(22)  # type: ignore[attr-defined]


def _page_number(footer: object, *, odd: bool) -> None:
    p = footer.paragraphs[0]  # type: ignore[attr-defined]
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    if odd:
        p.paragraph_format.right_indent = Pt(PAGE_PT)
    else:
        p.paragraph_format.left_indent = Pt(PAGE_PT)
    set_font(p.add_run("— "), PAGE_FONT, PAGE_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = p.add_run()
        set_font(run, PAGE_FONT, PAGE_PT)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text or ""
    set_font(p.add_run(" —"), PAGE_FONT, PAGE_PT)


def _base(doc: DocxDocument) -> None:
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    settings = doc.settings
    settings.odd_and_even_pages_header_footer = True
    settings.element.insert_element_before(OxmlElement("w:mirrorMargins"), *SETTINGS_AFTER_MIRROR)
    section = doc.sections[0]
    _page_setup(section)
    _page_number(section.footer, odd=True)
    _page_number(section.even_page_footer, odd=False)


def _masthead(doc: DocxDocument, d: Document) -> None:
    _para(doc, d.masthead["title"], TITLE_FONT, 30, line=48, indent=False, align="center", color=RED)
    _para(doc, d.masthead["number"], BODY_FONT, BODY_PT, indent=False, align="center")
    p = _para(doc, "", indent=False, align="left")
    p.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
    set_font(p.add_run(f"{d.masthead['issuer']}\t{d.masthead['date']}"), BODY_FONT, 14)
    _border(p, "bottom", size=18, color="E60012")
    _para(doc, "", indent=False)


def _table(doc: DocxDocument, t: Table, width_mm: float, size: float) -> DocxTable:
    table = doc.add_table(rows=0, cols=len(t.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    weights = t.weights if len(t.weights) == len(t.columns) else [1.0] * len(t.columns)
    widths = [Mm(width_mm * w / sum(weights)) for w in weights]
    # Fixed layout with the grid and every cell given its width: Word and LibreOffice agree.
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(width.twips))
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.insert_element_before(layout, "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(sum(w.twips for w in widths)))

    def add(cells: list[str], font: str, *, bold: bool = False, align: Callable[[int], str] = lambda i: "center",
            merge: bool = False) -> None:
        row = table.add_row()
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
        targets = [row.cells[0].merge(row.cells[-1])] if merge else row.cells
        for i, cell in enumerate(targets):
            p = cell.paragraphs[0]
            _spacing(p, size * 1.35, indent=False, align="left" if merge else align(i))
            set_font(p.add_run(cells[i]), font, size, bold=bold)

    add(t.columns, H1_FONT)
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    for index, cells in enumerate(t.rows):
        if index in t.group_rows:
            add(cells, H2_FONT, bold=True, merge=True)
        else:
            add(cells, BODY_FONT, align=lambda i: "center" if (t.numeric and t.numeric[i]) else "left")
    return table


def _chart(doc: DocxDocument, chart: Chart, png: bytes) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(png), width=CHART_WIDTH)
    _para(doc, chart.caption, BODY_FONT, 14, indent=False, align="center")


def _body(doc: DocxDocument, d: Document, charts: dict[int, bytes]) -> None:
    for element in d.body:
        if isinstance(element, Chart):
            _chart(doc, element, charts[element.number])
            continue
        assert isinstance(element, Paragraph)
        font = ROLE_FONT.get(element.role, BODY_FONT)
        color = RED if element.role in ("placeholder", "draft_note") else None
        p = _para(doc, element.number + element.text, font, BODY_PT, color=color)
        if element.role.startswith("heading"):
            p.paragraph_format.keep_with_next = True


def _attachment_list(doc: DocxDocument, d: Document) -> None:
    if not d.attachments:
        return
    _para(doc, "", indent=False).paragraph_format.keep_with_next = True
    for i, att in enumerate(d.attachments):
        p = _para(doc, ("附件：" if i == 0 else "　　　") + f"{att.number}．{att.title}", indent=True, align="left")
        p.paragraph_format.keep_with_next = True


def _signature(doc: DocxDocument, d: Document) -> None:
    for _ in range(2):
        _para(doc, "", indent=False).paragraph_format.keep_with_next = True
    for i, text in enumerate((d.closing["signature"], d.closing["date"])):
        p = _para(doc, text, indent=False, align="right")
        p.paragraph_format.right_indent = Pt(BODY_PT * 4)
        p.paragraph_format.keep_with_next = i == 0


def _attachments(doc: DocxDocument, d: Document) -> None:
    for att in d.attachments:
        section = doc.add_section(WD_SECTION.NEW_PAGE)
        _page_setup(section, landscape=True)
        _para(doc, f"附件{att.number}", H1_FONT, BODY_PT, indent=False, align="left")
        _para(doc, att.title, TITLE_FONT, 20, line=36, indent=False, align="center")
        size = TABLE_PT if len(att.table.columns) <= 13 else 9
        _table(doc, att.table, 225, size)


def _text_lines(text: str, per_line: float) -> int:
    """Lines a text takes at `per_line` full-width characters per line (ASCII counts half)."""
    width = sum(0.5 if ord(ch) < 128 else 1.0 for ch in text)
    return max(1, -int(-width // per_line))


def _closing(doc: DocxDocument, d: Document) -> None:
    """版记 at the foot of the last page: a spacer sized from the estimated lines, plus vAlign=bottom for Word."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page_setup(section)
    valign = OxmlElement("w:vAlign")
    valign.set(qn("w:val"), "bottom")
    section._sectPr.insert_element_before(valign, *SECT_AFTER_VALIGN)
    size, line = 14, 26
    lines = [f"{label}：{text}" for label, text in d.closing["distribution"]]
    per_line = (156 - 2 * size * 25.4 / 72) / (size * 25.4 / 72)
    used = (sum(_text_lines(text, per_line) for text in lines) + 1) * line
    spacer = 225 * 72 / 25.4 - used - 2 * line  # two lines of slack for borders and rounding
    if spacer > line:
        _para(doc, "", BODY_FONT, size, line=spacer, indent=False)
    # A one-column table whose rules are the 版记 lines: thick at top and bottom, thin in between.
    table = doc.add_table(rows=len(lines) + 1, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    borders = OxmlElement("w:tblBorders")
    for edge, width in (("top", 12), ("left", 0), ("bottom", 12), ("right", 0), ("insideH", 8), ("insideV", 0)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single" if width else "nil")
        if width:
            element.set(qn("w:sz"), str(width))
            element.set(qn("w:color"), "000000")
        borders.append(element)
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                          "w:tblCaption", "w:tblDescription")
    for row, text in zip(table.rows, [*lines, f"{d.closing['printer']}\t{d.closing['printed']}"]):
        cell = row.cells[0]
        cell.width = Mm(156)
        p = cell.paragraphs[0]
        _spacing(p, line, indent=False, align="left")
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(size)
        p.paragraph_format.tab_stops.add_tab_stop(Emu(Mm(156) - Pt(3 * size)), WD_TAB_ALIGNMENT.RIGHT)
        set_font(p.add_run(text), BODY_FONT, size)


def render_docx(document: Document, charts: dict[int, bytes]) -> bytes:
    """The .docx bytes; `charts` maps 图N numbers to PNG bytes."""
    doc = new_document()
    _base(doc)
    _masthead(doc, document)
    for line in document.title.split("\n"):
        _para(doc, line, TITLE_FONT, TITLE_PT, line=36, indent=False, align="center")
    _para(doc, "", indent=False)
    _para(doc, document.addressees, indent=False, align="left")
    _body(doc, document, charts)
    _attachment_list(doc, document)
    _signature(doc, document)
    _attachments(doc, document)
    _closing(doc, document)
    doc.core_properties.title = document.title
    doc.core_properties.author = document.masthead["issuer"]
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
