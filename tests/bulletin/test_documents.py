"""The Word document, the workbook and the charts, opened the way a reader's software opens them."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook

from hotline.bulletin import charts
from hotline.bulletin.compose import Chart, compose, ledger_table
from hotline.bulletin.period import BulletinError, Month
from hotline.bulletin.services import build, enter_text
from hotline.bulletin.styles import check_style, load_style

MAY = Month(2024, 5)
ISSUED = dt.date(2024, 6, 24)


def _docx(built):
    return open_docx(io.BytesIO(built.files[f"{built.base_name()}.docx"]))


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _east_asia(paragraph) -> set[str]:
    return {r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in paragraph.runs if r.text}


def test_yueyang_docx_structure_tables_images_and_fonts(yueyang_runs) -> None:
    built = build(month=MAY, style="yueyang", issued_on=ISSUED, formats=("docx",))
    doc = _docx(built)
    texts = _texts(doc)
    for heading in ("一、工作动态", "二、12345热线运行情况", "（一）诉求类型", "（三）工单考核", "三、市长信箱运行情况",
                    "四、工作经验交流", "五、存在的问题", "（二）回复被退回或回访核实不满意"):
        assert heading in texts
    assert "2024年5月12345热线和市长信箱" in texts and "运行办理情况通报" in texts
    assert "岳阳市人民政府12345热线服务中心\t2024年6月24日" in texts
    assert len(doc.inline_shapes) == 1 and len(doc.tables) == 5  # four attachments, then the 版记
    closing = [c.text for row in doc.tables[-1].rows for c in row.cells]
    assert closing[0].startswith("报：") and closing[-1] == "岳阳市人民政府12345热线服务中心\t2024年6月24日印发"
    by_text = {p.text: p for p in doc.paragraphs}
    assert _east_asia(by_text["一、工作动态"]) == {"黑体"}
    assert _east_asia(by_text["（一）诉求类型"]) == {"楷体_GB2312"}
    title = by_text["运行办理情况通报"]
    assert _east_asia(title) == {"方正小标宋简体"} and title.runs[0].font.size == Pt(22)
    body = next(p for p in doc.paragraphs if p.text.startswith("5月，12345热线共受理"))
    assert _east_asia(body) == {"仿宋_GB2312"} and body.runs[0].font.size == Pt(16)


def test_docx_page_layout_follows_gbt_9704(may) -> None:
    doc = _docx(build(month=MAY, style="yueyang", issued_on=ISSUED, formats=("docx",)))
    first = doc.sections[0]
    def mm(*lengths):
        return tuple(round(x.mm, 1) for x in lengths)

    assert mm(first.page_width, first.page_height) == (210, 297)
    assert mm(first.top_margin, first.left_margin, first.right_margin, first.bottom_margin) == (
        37, 28, 26, 35)  # text block 156 x 225 mm
    assert mm(doc.sections[1].page_width) == (297,)  # attachment tables in landscape
    footer_xml = first.footer._element.xml
    assert "PAGE" in footer_xml and "— " in footer_xml
    assert first.even_page_footer.paragraphs[0].alignment == 0  # even pages: page number on the left
    for table in doc.tables[:4]:  # the attachment tables
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_attachment_tables_hold_the_assessment_and_ledger(yueyang_runs) -> None:
    doc = _docx(build(month=MAY, style="yueyang", issued_on=ISSUED, formats=("docx",)))
    hotline, _mailbox, minus, plus = ([[c.text for c in row.cells] for row in t.rows] for t in doc.tables[:4])
    assert hotline[0][:3] == ["单位", "应办理数", "办理数"] and hotline[0][-2:] == ["综合评分", "等级"]
    assert hotline[1][0] == "县市区" and hotline[2][0] == "甲区人民政府" and hotline[4][0] == "市乙局"
    assert hotline[4][-2:] == ["53.3", "E"]
    # The per-case overdue rule is printed as one line per unit; the workbook keeps every entry.
    assert minus[1][1:5] == ["甲区人民政府", "热线办理质量", "-1.00", "工单严重超期且未申请延期2件"]
    assert any(row[2] == "知识库管理" for row in minus) and plus[1][2:4] == ["创新创优", "1.00"]
    built = build(month=MAY, style="yueyang", issued_on=ISSUED, formats=("xlsx",))
    sheet = load_workbook(io.BytesIO(built.files[f"{built.base_name()}.xlsx"]))["附件3 扣分表"]
    detail = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1] == "甲区人民政府" and r[2] == "热线办理质量"
              and "严重超期" in r[4]]
    assert [r[3] for r in detail] == [Decimal("-0.50"), Decimal("-0.50")]


def test_printed_ledger_sums_per_case_entries_and_shortens_long_case_lists() -> None:
    entries = [{"unit": "甲区", "indicator": "热线办理质量", "points": "-0.50", "reason": f"工单 N{i} 严重超期",
                "cases": [f"N{i}"], "rule": "serious_overdue"} for i in range(10)]
    entries.append({"unit": "甲区", "indicator": "信息报送", "points": "-1.00", "reason": "未报送典型案例",
                    "cases": [], "rule": ""})
    printed = ledger_table(entries)
    assert printed.rows == [
        ["1", "甲区", "热线办理质量", "-5.00", "工单严重超期且未申请延期10件",
         "N0、N1、N2等10件（明细见 Excel 附表）"],
        ["2", "甲区", "信息报送", "-1.00", "未报送典型案例", ""],
    ]
    assert len(ledger_table(entries, detail=True).rows) == 11


def test_narrative_from_staff_text_else_marked_placeholder(may) -> None:
    enter_text(month=MAY, style="yueyang", section="work_news", text="市领导接听来电 2 次。\n（一）新专线\n运行平稳。",
               actor=may.city.user("supervisor"))
    texts = _texts(_docx(build(month=MAY, style="yueyang", issued_on=ISSUED, formats=("docx",))))
    assert "市领导接听来电 2 次。" in texts and "（一）新专线" in texts
    assert "【待填写：工作经验交流】" in texts  # nothing entered for this section
    assert "岳政简准字〔2024〕【待填写：期号】号" in texts


def test_drafted_sections_from_data(yueyang_runs) -> None:
    texts = _texts(_docx(build(month=MAY, style="yueyang", issued_on=ISSUED, formats=("docx",))))
    assert "本月群众反映较集中的事项依次为：社会保险2件，路灯照明2件。" in texts
    assert "2个热线承办单位综合考评等级评价为A类的0个，B类的0个，C类的0个，D类及以下的2个，工单量为0的0个。" in texts
    assert "市乙局（热线承办单位E类，53.3分）：返工率33.33%（平均16.67%）；不满意率50.00%（平均25.00%）。" in texts
    assert "本月话务员依据知识库直接答复0件，登记知识库未覆盖0件；各单位应完成知识更新任务0项，逾期未完成0项。" in texts
    assert "市乙局：知识库更新逾期 1 次（-0.50分）。" in texts


def test_xiangtan_has_five_charts_and_two_attachments(may) -> None:
    built = build(month=MAY, style="xiangtan", issued_on=ISSUED, formats=("docx", "xlsx"))
    doc = _docx(built)
    assert len(doc.inline_shapes) == 5
    texts = _texts(doc)
    assert [t for t in texts if t.startswith("图")] == [
        "图1 受理渠道占比", "图2 各县市区工单量", "图3 诉求类型占比", "图4 热点诉求事项", "图5 文明创建诉求主题"]
    assert "一、基本情况" in texts and "四、案例分析" in texts
    workbook = load_workbook(io.BytesIO(built.files[f"{built.base_name()}.xlsx"]))
    assert workbook.sheetnames == ["附件1 考核排名情况表", "附件2 加减分项明细"]


def test_yueyang_workbook_sheets_and_numbers(yueyang_runs) -> None:
    built = build(month=MAY, style="yueyang", issued_on=ISSUED, formats=("xlsx",))
    workbook = load_workbook(io.BytesIO(built.files[f"{built.base_name()}.xlsx"]))
    assert workbook.sheetnames == ["附件1 热线综合评价表", "附件2 市长信箱综合评价表", "附件3 扣分表", "附件4 加分表"]
    sheet = workbook["附件1 热线综合评价表"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["市乙局"][1] == 3 and float(rows["市乙局"][-2]) == 53.3 and rows["市乙局"][-1] == "E"
    assert sheet["A1"].value.startswith("附件1")


def test_chart_png_with_chinese_font() -> None:
    png = charts.render_chart(Chart(1, "受理渠道占比", "pie", ["电话", "微信公众号", "市长信箱"], [31789, 1068, 70]))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    bar = charts.render_chart(Chart(2, "各县市区", "bar", ["湘潭县", "湘乡市", "韶山市"], [1992, 1785, 665]))
    assert bar[:8] == b"\x89PNG\r\n\x1a\n"
    assert charts.cjk_family() in charts.CJK_FAMILIES


def test_chart_without_cjk_font_names_the_package(monkeypatch) -> None:
    monkeypatch.setattr(charts, "_family", None)
    monkeypatch.setattr(charts, "CJK_FAMILIES", ("No Such CJK Font",))
    with pytest.raises(charts.FontMissingError, match="fonts-wqy-microhei"):
        charts.render_chart(Chart(1, "x", "bar", ["甲"], [1]))


def test_style_definitions_are_checked() -> None:
    style = load_style("yueyang")
    style["sections"][0]["blocks"][0] = {"type": "poem", "key": "x"}
    with pytest.raises(BulletinError, match="未知块类型") as err:
        check_style(style)
    assert err.value.field == "style"
    with pytest.raises(BulletinError, match="未知通报样式"):
        load_style("atlantis")


def test_template_naming_missing_data_fails_clearly(may) -> None:
    built = build(month=MAY, style="xiangtan", issued_on=ISSUED, formats=("xlsx",))
    style = load_style("xiangtan")
    style["sections"][0]["blocks"] = [{"type": "sentence", "template": "{hotline.headline.nope}"}]
    with pytest.raises(BulletinError, match="hotline.headline.nope"):
        compose(style=style, figures=built.figures, texts={}, labels={})


def test_a_long_list_is_shortened_in_print_and_says_so() -> None:
    from hotline.bulletin.compose import _Composer, _Context

    bounced = [{"number": f"N{i:02d}", "units": ["甲局", "乙局"], "times": 3} for i in range(25)]
    block = next(b for s in load_style("yueyang")["sections"] for h in s.get("blocks", [])
                 for b in h.get("blocks", []) if b.get("source") == "problems.bounced")
    composer = _Composer({}, _Context({"problems": {"bounced": bounced}}, {}, {}))
    composer.block_each(block)
    texts = [p.text for p in composer.body]
    assert len(texts) == 21 and texts[0] == "工单N00在甲局、乙局之间反复流转派发3次。"
    assert texts[-1] == "本月反复流转3次以上的工单共25件，以上列出流转次数最多的20件。"
