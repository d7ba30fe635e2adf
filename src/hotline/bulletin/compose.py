"""From a style, the month's figures and the staff texts to a document model that every renderer shares.

Headings are numbered here (一、 / （一） / 1. / (1)), charts get their 图N numbers, attachments
their 附件N numbers; the renderers only lay the elements out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hotline.bulletin.period import BulletinError, rate_text

CN_DIGITS = "零一二三四五六七八九"
PLACEHOLDER = "【待填写：{label}】"
DRAFT_NOTE = "【系统根据本月数据草拟，请核改】"
KNOWLEDGE_NOTE = "【待完善：知识库模块尚未上线，本节暂据加扣分台账“知识库管理”记录生成】"
KNOWLEDGE_SUMMARY = ("本月话务员依据知识库直接答复{answered_from_articles}件，登记知识库未覆盖{gaps}件；"
                     "各单位应完成知识更新任务{duties_due}项，逾期未完成{duties_missed}项。")
_TOKEN = re.compile(r"\{([A-Za-z0-9_.]+)(?:\|([a-z_]+))?\}")
_STAFF_H2 = re.compile(r"^（[一二三四五六七八九十]+）")
_STAFF_H1 = re.compile(r"^[一二三四五六七八九十]+、")


def chinese_number(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")


def heading_number(level: int, n: int) -> str:
    return {1: f"{chinese_number(n)}、", 2: f"（{chinese_number(n)}）", 3: f"{n}.", 4: f"({n})"}[level]


@dataclass
class Paragraph:
    role: str  # heading1..heading4, body, placeholder, draft_note, caption
    text: str
    number: str = ""


@dataclass
class Chart:
    number: int
    title: str
    kind: str
    labels: list[str]
    values: list[int]

    @property
    def caption(self) -> str:
        return f"图{self.number} {self.title}"


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    group_rows: list[int] = field(default_factory=list)  # indexes of rows that are a group label
    numeric: list[bool] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)  # relative column widths (default: equal)


@dataclass
class Attachment:
    number: int
    title: str
    sheet: str
    table: Table  # as printed in the document
    detail: Table | None = None  # the spreadsheet's fuller version, when the print summarises

    @property
    def sheet_table(self) -> Table:
        return self.detail or self.table


@dataclass
class Document:
    style: str
    month: str
    masthead: dict[str, str]
    title: str
    addressees: str
    body: list[Paragraph | Chart]
    attachments: list[Attachment]
    closing: dict[str, Any]

    @property
    def charts(self) -> list[Chart]:
        return [e for e in self.body if isinstance(e, Chart)]

    def headings(self) -> list[str]:
        return [p.number + p.text for p in self.body if isinstance(p, Paragraph) and p.role.startswith("heading")]


# --- templates -----------------------------------------------------------------------------------

class _Context:
    def __init__(self, figures: dict[str, Any], texts: dict[str, str], labels: dict[str, str]) -> None:
        self.figures, self.texts, self.labels = figures, texts, labels

    def lookup(self, path: str, row: dict[str, Any] | None = None) -> Any:
        head, *rest = path.split(".")
        if head == "text":
            key = rest[0] if rest else ""
            value = self.texts.get(key, "").strip()
            return value or PLACEHOLDER.format(label=self.labels.get(key, key))
        if row is not None and head in row:
            node = row[head]
        elif head in self.figures:
            node = self.figures[head]
        else:
            raise BulletinError(f"样式引用了不存在的数据：{path}", field="style")
        for part in rest:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise BulletinError(f"样式引用了不存在的数据：{path}", field="style")
        return node

    def fill(self, template: str, row: dict[str, Any] | None = None) -> str:
        return _TOKEN.sub(lambda m: _format(self.lookup(m.group(1), row), m.group(2)), template)


def change_text(change: dict[str, Any] | None) -> str:
    """环比 phrase: counts as a percentage change, rates as percentage points."""
    if not change or change.get("delta") is None:
        return "环比无可比数据"
    delta = Decimal(change["delta"])
    unit = "个百分点" if change.get("kind") == "rate" else "%"
    if delta == 0:
        return "环比持平"
    return f"环比{'上升' if delta > 0 else '下降'}{abs(delta):.2f}{unit}"


def _format(value: Any, how: str | None) -> str:
    if how == "pct":
        return rate_text(value)
    if how == "change":
        return change_text(value)
    if how == "cases":
        numbers = list(value or [])
        return f"工单编号：{case_list(numbers, 8)}" if numbers else "无"
    if how == "chain":
        return "、".join(dict.fromkeys(value or []))
    if value is None:
        return "—"
    if isinstance(value, float):
        raise BulletinError("figures must not hold binary floats", field="figures")
    return str(value)


# --- composition ---------------------------------------------------------------------------------

class _Composer:
    def __init__(self, style: dict[str, Any], ctx: _Context) -> None:
        self.style, self.ctx = style, ctx
        self.body: list[Paragraph | Chart] = []
        self.charts = 0

    def section(self, block: dict[str, Any], level: int, n: int) -> None:
        self.body.append(Paragraph(f"heading{level}", self.ctx.fill(block["heading"]), heading_number(level, n)))
        self.blocks(block.get("blocks", []), level + 1)

    def blocks(self, blocks: list[dict[str, Any]], level: int) -> None:
        n = 0
        for block in blocks:
            if "heading" in block:
                n += 1
                self.section(block, level, n)
            else:
                getattr(self, f"block_{block['type']}")(block)

    def _rows(self, block: dict[str, Any]) -> list[dict[str, Any]]:
        rows = self.ctx.lookup(block["source"])
        if rows is None:
            return []
        if not isinstance(rows, list):
            raise BulletinError(f"数据 {block['source']} 不是列表", field="style")
        return rows[: block["limit"]] if "limit" in block else rows

    def _para(self, text: str, role: str = "body") -> None:
        if text:
            self.body.append(Paragraph(role, text))

    def block_sentence(self, block: dict[str, Any]) -> None:
        self._para(self.ctx.fill(block["template"]))

    def block_list(self, block: dict[str, Any]) -> None:
        rows = self._rows(block)
        if not rows:
            self._para(block.get("empty", ""))
            return
        items = block.get("joiner", "，").join(self.ctx.fill(block["item"], row) for row in rows)
        self._para(self.ctx.fill(block.get("intro", "")) + items + self.ctx.fill(block.get("outro", "")))

    def _row_items(self, block: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
        spec = block.get("items")
        if not spec:
            return row
        values = row.get(spec["field"]) or []
        joined = spec.get("joiner", "、").join(self.ctx.fill(spec["template"], item) for item in values)
        return {**row, spec["field"]: (spec.get("prefix", "") + joined) if joined else ""}

    def block_each(self, block: dict[str, Any]) -> None:
        rows = self._rows(block)
        if not rows:
            self._para(block.get("empty", ""))
        for row in rows:
            self._para(self.ctx.fill(block["template"], self._row_items(block, row)))
        total = len(self.ctx.lookup(block["source"]) or [])
        if total > len(rows) and block.get("more"):  # a long list is shortened in print, and says so
            self._para(block["more"].format(total=total, shown=len(rows)))

    def block_text(self, block: dict[str, Any]) -> None:
        text = self.ctx.texts.get(block["key"], "").strip()
        if text:
            for line in (line.strip() for line in text.splitlines()):
                if line:
                    role = "heading2" if _STAFF_H2.match(line) else "heading1" if _STAFF_H1.match(line) else "body"
                    self._para(line, "staff_" + role if role != "body" else "body")
        elif block.get("draft"):
            self._para(DRAFT_NOTE, "draft_note")
            self.blocks(block["draft"], 9)
        else:
            self._para(PLACEHOLDER.format(label=block["label"]), "placeholder")

    def block_chart(self, block: dict[str, Any]) -> None:
        rows = self._rows(block)
        if not rows:
            return
        self.charts += 1
        self.body.append(Chart(self.charts, self.ctx.fill(block["title"]), block["kind"],
                               [str(r["name"]) for r in rows], [int(r["count"]) for r in rows]))

    def block_knowledge(self, block: dict[str, Any]) -> None:
        data = self.ctx.lookup(block["source"]) or {}
        if not data.get("available"):
            self._para(KNOWLEDGE_NOTE, "placeholder")
        else:
            self._para(KNOWLEDGE_SUMMARY.format(**data))
        entries = data.get("entries") or []
        for entry in entries:
            self._para(self.ctx.fill(block["template"], entry))
        if not entries:
            self._para("本月无知识库更新逾期的单位。" if data.get("available") else "本月加扣分台账中无知识库管理记录。")


def assessment_table(source: dict[str, Any] | None, columns: list[str]) -> Table:
    if not source or not source.get("rows"):
        message = "本月无考核结果" if not source or not source.get("run") else "本月无参评单位"
        return Table(["单位", "说明"], [["—", message]], numeric=[False, False], weights=[1, 3])
    labels = {c["key"]: c["label"] for c in source["columns"]}
    keys = [k for k in columns if k in labels] or list(labels)
    table = Table([labels[k] for k in keys], [], numeric=[k not in ("unit", "tier") for k in keys],
                  weights=[2.6 if k == "unit" else 1.0 for k in keys])
    current = None
    for row in source["rows"]:
        group = row["group_label"] + (f"（{row['tier']}档）" if row.get("tier") else "")
        if group != current:
            current = group
            table.group_rows.append(len(table.rows))
            table.rows.append([group] + [""] * (len(keys) - 1))
        table.rows.append([_format(row["cells"].get(k), None) if row["cells"].get(k) != "" else "" for k in keys])
    return table


LEDGER_COLUMNS = ["序号", "单位", "指标", "分值", "事由", "涉及工单"]
CASES_PRINTED = 3  # case numbers printed per row; the spreadsheet lists them all
# A rule that raises one entry per case is printed as one line per unit (its reason with the count).
RULE_SUMMARY = {
    "serious_overdue": "工单严重超期且未申请延期{n}件",
    "quality_fault": "未及时联系当事人、虚假结案、文不对题或回复内容错误{n}件",
    "letter_fault": "信件回复内容错误{n}件",
    "praise_letter": "收到表扬信{n}件",
    "excellent_case": "优秀案例{n}件",
}


EXEMPT_HEADING = "以下为豁免记录（不计分）"


def ledger_table(entries: list[dict[str, Any]] | None, *, detail: bool = False,
                 exempt: list[dict[str, Any]] | None = None) -> Table:
    """The ledger as printed (per-case rule entries summed per unit) or, with detail=True, entry by entry.
    Exempted automatic entries follow under their own heading row, their points in brackets: they
    are listed, not counted."""
    numeric = [True, False, False, True, False, False]
    weights = [0.6, 1.8, 1.4, 0.9, 3.0, 3.2]
    if not entries:
        table = Table(LEDGER_COLUMNS, [["—", "本月无记录", "", "", "", ""]], numeric=numeric, weights=weights)
    else:
        table = Table(LEDGER_COLUMNS, _ledger_rows(entries if detail else _summarised(entries), detail),
                      numeric=numeric, weights=weights)
    if exempt:
        table.group_rows.append(len(table.rows))
        table.rows.append([EXEMPT_HEADING] + [""] * (len(LEDGER_COLUMNS) - 1))
        table.rows.extend([*row[:3], f"（{row[3]}）", *row[4:]] for row in _ledger_rows(exempt, detail))
    return table


def _ledger_rows(lines: list[dict[str, Any]], detail: bool) -> list[list[str]]:
    return [[str(i), e["unit"], e["indicator"], e["points"], e["reason"],
             "、".join(e.get("cases") or []) if detail
             else case_list(e.get("cases") or [], CASES_PRINTED, "（明细见 Excel 附表）")]
            for i, e in enumerate(lines, start=1)]


def _summarised(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
    for e in entries:
        if (e.get("rule") or "") not in RULE_SUMMARY:
            lines.append(e)
            continue
        key = (e["unit"], e["indicator"], e["rule"])
        if key not in grouped:
            grouped[key] = {**e, "points": Decimal(0), "cases": [], "n": 0}
            lines.append(grouped[key])
        line = grouped[key]
        line["points"] += Decimal(e["points"])
        line["cases"].extend(e.get("cases") or [])
        line["n"] += 1
    for line in grouped.values():
        line["points"] = str(line["points"])
        line["reason"] = RULE_SUMMARY[line["rule"]].format(n=line["n"])
    return lines


def _optional(ctx: Any, path: str) -> Any:
    try:
        return ctx.lookup(path)
    except BulletinError:
        return None


def case_list(numbers: list[str], limit: int, more: str = "") -> str:
    """At most `limit` case numbers; a longer list ends with "等N件" and `more`."""
    shown = "、".join(numbers[:limit])
    return f"{shown}等{len(numbers)}件{more}" if len(numbers) > limit else shown


def compose(*, style: dict[str, Any], figures: dict[str, Any], texts: dict[str, str],
            labels: dict[str, str]) -> Document:
    ctx = _Context(figures, texts, labels)
    composer = _Composer(style, ctx)
    for n, section in enumerate(style["sections"], start=1):
        composer.section(section, 1, n)
    attachments = []
    for n, att in enumerate(style["attachments"], start=1):
        spec = att["table"]
        source = ctx.lookup(spec["source"])
        if spec["kind"] == "assessment":
            attachment = Attachment(n, ctx.fill(att["title"]), att["sheet"],
                                    assessment_table(source, spec.get("columns", [])))
        else:
            # Figures stored before exemptions existed have no such list: nothing to print then.
            exempt = _optional(ctx, spec["exempt"]) if spec.get("exempt") else None
            attachment = Attachment(n, ctx.fill(att["title"]), att["sheet"], ledger_table(source, exempt=exempt),
                                    detail=ledger_table(source, detail=True, exempt=exempt))
        attachments.append(attachment)
    mast = style["masthead"]
    closing = style["closing"]
    return Document(
        style=style["key"], month=figures["meta"]["month_key"],
        masthead={k: ctx.fill(mast[k]) for k in ("title", "number", "issuer", "date")},
        title=ctx.fill(style["title"]), addressees=ctx.fill(style["addressees"]), body=composer.body,
        attachments=attachments,
        closing={
            "signature": ctx.fill(closing["signature"]), "date": figures["meta"]["issued_on"],
            "distribution": [(label, ctx.fill(text)) for label, text in closing["distribution"]],
            "printer": ctx.fill(closing["printer"]), "printed": ctx.fill(closing["printed"]),
        },
    )
