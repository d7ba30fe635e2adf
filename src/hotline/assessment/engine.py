"""Score a table of per-unit inputs with a compiled scheme: rates, parts, score, grade, tier, rank.

Pure functions, no database. Values are exact (`Fraction`) until they are rounded half-up
into `Decimal` in the order the scheme says: a rate or part with `round` is rounded before
later formulas use it; the score is rounded once at the end.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Iterable, Mapping

from hotline.assessment.definition import Band, SchemeDef
from hotline.assessment.expr import ExprError, evaluate, round_half_up, to_decimal

_COUNT = re.compile(r"\d+")
_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


class InputError(ValueError):
    """A bad input row. `row` counts data rows from 1 (the header is not a row); `line` is the file line."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        where = []
        if row is not None:
            where.append(f"第 {row} 行（文件第 {row + 1} 行）")
        if column is not None:
            where.append(f"列 {column}")
        super().__init__(f"{'，'.join(where)}：{message}" if where else message)
        self.row = row
        self.column = column
        self.message = message


@dataclass
class UnitInput:
    unit: str
    group: str
    values: dict[str, Fraction]
    unit_id: int | None = None


@dataclass
class ScoredRow:
    unit: str
    group: str
    inputs: dict[str, Fraction]
    rates: dict[str, Decimal | None] = field(default_factory=dict)
    parts: dict[str, Decimal | None] = field(default_factory=dict)
    score: Decimal | None = None
    grade: str | None = None
    tier: str | None = None
    rank: int | None = None
    unit_id: int | None = None

    @property
    def scored(self) -> bool:
        return self.score is not None


@dataclass
class ScoredTable:
    scheme: SchemeDef
    rows: list[ScoredRow]

    @property
    def columns(self) -> list[str]:
        s = self.scheme
        cols = ["unit", "group", *(r.name for r in s.rates), *(p.name for p in s.parts), s.score.name]
        if s.grades:
            cols.append("grade")
        if s.tiers is not None:
            cols.append("tier")
        if s.ranking:
            cols.append("rank")
        return cols

    def cells(self, row: ScoredRow) -> list[str]:
        s = self.scheme
        out = [row.unit, row.group]
        out += [_fmt(row.rates.get(r.name)) for r in s.rates]
        out += [_fmt(row.parts.get(p.name)) for p in s.parts]
        out.append(_fmt(row.score))
        if s.grades:
            out.append(row.grade or "")
        if s.tiers is not None:
            out.append(row.tier or "")
        if s.ranking:
            out.append("" if row.rank is None else str(row.rank))
        return out

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(self.cells(row))
        return buf.getvalue()


def _fmt(value: Decimal | None) -> str:
    return "" if value is None else str(value)


# --- reading inputs ----------------------------------------------------------------------------

def parse_value(scheme: SchemeDef, name: str, raw: str) -> Fraction:
    """One input cell as an exact number, checked against its type; raises InputError(column=name)."""
    spec = scheme.input(name)
    text = (raw or "").strip()
    if spec.type == "count":
        if _DECIMAL.fullmatch(text) and text.startswith("-"):
            raise InputError("不能为负数", column=name)
        if not _COUNT.fullmatch(text):
            raise InputError(f"应为非负整数，实际为“{raw}”", column=name)
        return Fraction(int(text))
    if not _DECIMAL.fullmatch(text):
        raise InputError(f"应为数字，实际为“{raw}”", column=name)
    value = Fraction(text)
    if spec.lo is not None and spec.hi is not None and not spec.lo <= value <= spec.hi:
        kind = "百分比" if spec.type == "percent" else "分值"
        raise InputError(f"{kind}应在 {_plain(spec.lo)}–{_plain(spec.hi)} 之间，实际为 {text}", column=name)
    return value


def _plain(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def check_row(scheme: SchemeDef, item: UnitInput) -> None:
    """Cross-column checks (done <= due, a known group); raises InputError(column=...)."""
    if item.group not in scheme.groups:
        raise InputError(f"未知分组“{item.group}”，应为 {', '.join(scheme.groups)}", column="group")
    if not item.unit.strip():
        raise InputError("单位名称为空", column="unit")
    for spec in scheme.inputs:
        if spec.max_input and item.values[spec.name] > item.values[spec.max_input]:
            raise InputError(
                f"{spec.name}（{_plain(item.values[spec.name])}）不能大于 {spec.max_input}"
                f"（{_plain(item.values[spec.max_input])}）", column=spec.name,
            )


def read_csv(scheme: SchemeDef, text: str) -> list[UnitInput]:
    """All rows of an input CSV, or InputError for the first bad row; nothing partial is returned."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise InputError("输入文件为空")
    header = [h.strip() for h in header]
    expected = ["unit", "group", *scheme.input_names]
    missing = [c for c in expected if c not in header]
    if missing:
        raise InputError(f"缺少列 {', '.join(missing)}", row=None, column=missing[0])
    extra = [c for c in header if c not in expected]
    if extra:
        raise InputError(f"未知列 {', '.join(extra)}（应为 {', '.join(expected)}）", column=extra[0])
    if len(set(header)) != len(header):
        raise InputError("列名重复", column=next(c for c in header if header.count(c) > 1))
    items: list[UnitInput] = []
    seen: set[tuple[str, str]] = set()
    for number, cells in enumerate(reader, start=1):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise InputError(f"应有 {len(header)} 列，实际 {len(cells)} 列", row=number)
        record = dict(zip(header, cells))
        try:
            values = {name: parse_value(scheme, name, record[name]) for name in scheme.input_names}
            item = UnitInput(record["unit"].strip(), record["group"].strip(), values)
            check_row(scheme, item)
        except InputError as exc:
            raise InputError(exc.message, row=number, column=exc.column) from None
        key = (item.unit, item.group)
        if key in seen:
            raise InputError(f"单位“{item.unit}”在分组 {item.group} 中重复", row=number, column="unit")
        seen.add(key)
        items.append(item)
    return items


# --- scoring -----------------------------------------------------------------------------------

def _band(bands: Iterable[Band], value: Fraction) -> str | None:
    for band in bands:
        if band.min is None or value >= band.min:
            return band.label
    return None


def score_row(scheme: SchemeDef, item: UnitInput) -> ScoredRow:
    row = ScoredRow(unit=item.unit, group=item.group, inputs=dict(item.values), unit_id=item.unit_id)
    if scheme.tier_applies(item.group):
        assert scheme.tiers is not None
        row.tier = _band(scheme.tiers.bands, item.values[scheme.tiers.input])
    if item.values[scheme.volume] == 0:
        row.rates = {r.name: None for r in scheme.rates}
        row.parts = {p.name: None for p in scheme.parts}
        return row
    env: dict[str, Fraction] = dict(item.values)
    env.update({name: per_group[item.group] for name, per_group in scheme.params.items()})
    try:
        for formula in scheme.rates:
            value = evaluate(formula.node, env)
            if formula.round is not None:
                value = round_half_up(value, formula.round)
            env[formula.name] = value
            row.rates[formula.name] = to_decimal(value, 2)
        for formula in scheme.parts:
            value = evaluate(formula.node, env)
            if formula.round is not None:
                value = round_half_up(value, formula.round)
            env[formula.name] = value
            row.parts[formula.name] = to_decimal(value, formula.display_digits)
        total = evaluate(scheme.score.node, env)
    except ExprError as exc:
        raise InputError(f"无法计算：{exc}", column=scheme.score.name) from None
    assert scheme.score.round is not None
    row.score = to_decimal(total, scheme.score.round)
    if scheme.grades:
        row.grade = _band(scheme.grades, Fraction(row.score))
    return row


def _sort_value(scheme: SchemeDef, row: ScoredRow, column: str) -> Fraction:
    if column == scheme.score.name:
        assert row.score is not None
        return Fraction(row.score)
    if column in row.inputs:
        return row.inputs[column]
    value = row.rates.get(column, row.parts.get(column))
    return Fraction(value) if value is not None else Fraction(0)


def rank_rows(scheme: SchemeDef, rows: list[ScoredRow]) -> None:
    """Competition ranks (1, 2, 2, 4) within each group and tier, by the scheme's sort keys."""
    if not scheme.ranking:
        return
    buckets: dict[tuple[str, str | None], list[ScoredRow]] = {}
    for row in rows:
        if row.scored:
            buckets.setdefault((row.group, row.tier), []).append(row)
    for members in buckets.values():
        keyed = [(tuple(_sort_value(scheme, r, k.column) * (-1 if k.desc else 1) for k in scheme.ranking), r)
                 for r in members]
        keyed.sort(key=lambda pair: (pair[0], pair[1].unit))
        previous: tuple[Fraction, ...] | None = None
        current = 0
        for position, (key, row) in enumerate(keyed, start=1):
            if key != previous:
                current, previous = position, key
            row.rank = current


def display_order(scheme: SchemeDef, rows: list[ScoredRow]) -> list[ScoredRow]:
    """Rows by group (scheme order), tier, rank (unscored last), then unit name: a stable, canonical order."""
    group_pos = {g: i for i, g in enumerate(scheme.groups)}
    return sorted(rows, key=lambda r: (
        group_pos.get(r.group, len(group_pos)), r.tier or "", r.rank is None, r.rank or 0, r.unit,
    ))


def score_table(scheme: SchemeDef, items: Iterable[UnitInput]) -> ScoredTable:
    rows = []
    for number, item in enumerate(items, start=1):
        try:
            rows.append(score_row(scheme, item))
        except InputError as exc:
            raise InputError(exc.message, row=number, column=exc.column) from None
    rank_rows(scheme, rows)
    return ScoredTable(scheme, display_order(scheme, rows))


def score_csv(scheme: SchemeDef, text: str) -> ScoredTable:
    return score_table(scheme, read_csv(scheme, text))


def input_text(value: Fraction) -> str:
    """Canonical text of an exact input value (counts as integers, others as shortest decimals)."""
    if value.denominator == 1:
        return str(value.numerator)
    digits = 0
    while (value * 10 ** digits).denominator != 1:
        digits += 1
        if digits > 40:
            raise ValueError(f"input {value} is not a terminating decimal")
    return str(to_decimal(value, digits))


def inputs_from_mapping(scheme: SchemeDef, values: Mapping[str, object]) -> dict[str, Fraction]:
    return {name: parse_value(scheme, name, str(values[name])) for name in scheme.input_names}
