"""Scheme definitions: plain JSON data, checked and compiled into a `SchemeDef`.

See docs/assessment.md for the format. `compile_definition` checks everything an
administrator can get wrong (unknown names, formulas that refer to later columns,
bad bands) and reports it with the JSON path, so a broken scheme never reaches a run.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from typing import Any

from hotline.assessment.expr import ExprError, Node, names, parse, to_fraction

INPUT_TYPES = ("count", "percent", "points")
LEDGER_MODES = ("beside", "columns")
# What an automatic ledger rule reads (its `evidence`; a rule named after one of these may leave it out).
# See docs/ledger-rules.md for each, and assessment/rules.py for the event-proven ones.
AUTO_RULES = ("serious_overdue", "knowledge_missed", "grade_penalty", "case_faults", "extension_unexplained",
              "appeal_type", "case_mark", "leader_day")
EVENT_RULES = AUTO_RULES[3:]
PER_VALUES = ("case", "unit")
RESERVED = frozenset({"unit", "group", "grade", "tier", "rank"})
SHIPPED = ("yueyang-hotline", "yueyang-mailbox", "xiangtan-hotline")


class DefinitionError(ValueError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class LedgerSource:
    start: Fraction
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class InputDef:
    name: str
    label: str
    type: str
    metric: str | None = None
    max_input: str | None = None  # another input this one may not exceed (done <= due)
    lo: Fraction | None = None
    hi: Fraction | None = None
    ledger: LedgerSource | None = None


@dataclass(frozen=True)
class Formula:
    name: str
    label: str
    node: Node
    text: str
    round: int | None = None
    max: Fraction | None = None

    @property
    def display_digits(self) -> int:
        return 2 if self.round is None else self.round


@dataclass(frozen=True)
class Band:
    label: str
    min: Fraction | None  # None: everything below the previous band


@dataclass(frozen=True)
class Tiers:
    input: str
    groups: tuple[str, ...]
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class SortKey:
    column: str
    desc: bool


@dataclass(frozen=True)
class SchemeDef:
    name: str
    title: str
    city: str
    box: str
    groups: dict[str, str]
    inputs: tuple[InputDef, ...]
    volume: str
    params: dict[str, dict[str, Fraction]]
    rates: tuple[Formula, ...]
    parts: tuple[Formula, ...]
    score: Formula
    grades: tuple[Band, ...]
    tiers: Tiers | None
    ranking: tuple[SortKey, ...]
    top_size: int
    top_input: str
    top_floors: dict[str, Fraction]
    grade_summary: tuple[tuple[str, tuple[str, ...]], ...]
    ledger_mode: str
    auto: dict[str, dict[str, Any]] = field(default_factory=dict)

    def input(self, name: str) -> InputDef:
        for item in self.inputs:
            if item.name == name:
                return item
        raise KeyError(name)

    @property
    def input_names(self) -> list[str]:
        return [i.name for i in self.inputs]

    @property
    def ledger_inputs(self) -> list[InputDef]:
        return [i for i in self.inputs if i.ledger is not None]

    def tier_applies(self, group: str) -> bool:
        return self.tiers is not None and group in self.tiers.groups


def _req(data: dict[str, Any], key: str, path: str) -> Any:
    if key not in data:
        raise DefinitionError(f"{path}.{key}", "missing")
    return data[key]


def _num(value: Any, path: str) -> Fraction:
    try:
        return to_fraction(value)
    except ExprError:
        raise DefinitionError(path, f"not a number: {value!r}") from None


def _name(value: Any, path: str, taken: set[str]) -> str:
    if not isinstance(value, str) or not value.isidentifier() or not value.isascii():
        raise DefinitionError(path, f"not a valid name: {value!r} (letters, digits, underscore)")
    if value in taken or value in RESERVED:
        raise DefinitionError(path, f"name {value!r} is already used")
    taken.add(value)
    return value


def _formula(data: Any, path: str, known: set[str], taken: set[str]) -> Formula:
    if not isinstance(data, dict):
        raise DefinitionError(path, "must be an object")
    name = _name(_req(data, "name", path), f"{path}.name", taken)
    text = _req(data, "expr", path)
    try:
        node = parse(text)
    except ExprError as exc:
        raise DefinitionError(f"{path}.expr", str(exc)) from None
    unknown = names(node) - known
    if unknown:
        raise DefinitionError(f"{path}.expr", f"unknown name(s) {', '.join(sorted(unknown))}")
    digits = data.get("round")
    if digits is not None and (not isinstance(digits, int) or isinstance(digits, bool) or not 0 <= digits <= 6):
        raise DefinitionError(f"{path}.round", "must be a whole number 0-6")
    top = data.get("max")
    return Formula(name=name, label=str(data.get("label", name)), node=node, text=text, round=digits,
                   max=None if top is None else _num(top, f"{path}.max"))


def _bands(items: Any, path: str, key: str) -> tuple[Band, ...]:
    if not isinstance(items, list):
        raise DefinitionError(path, "must be a list")
    bands: list[Band] = []
    for i, item in enumerate(items):
        p = f"{path}[{i}]"
        label = _req(item, key, p)
        low = item.get("min")
        band = Band(str(label), None if low is None else _num(low, f"{p}.min"))
        if bands and (bands[-1].min is None or (band.min is not None and band.min >= bands[-1].min)):
            raise DefinitionError(p, "bands must go from the highest minimum down, the open band last")
        bands.append(band)
    return tuple(bands)


def compile_definition(data: Any) -> SchemeDef:
    """Check a scheme definition and compile its formulas; raises DefinitionError naming the path."""
    try:
        return _compile(data)
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        if isinstance(exc, DefinitionError):
            raise
        raise DefinitionError("$", f"malformed definition ({type(exc).__name__}: {exc})") from None


def _compile(data: Any) -> SchemeDef:
    if not isinstance(data, dict):
        raise DefinitionError("$", "a scheme definition must be a JSON object")
    groups = _req(data, "groups", "$")
    if not isinstance(groups, dict) or not groups:
        raise DefinitionError("$.groups", "must name at least one group")
    taken: set[str] = set()
    inputs: list[InputDef] = []
    for i, item in enumerate(_req(data, "inputs", "$")):
        p = f"$.inputs[{i}]"
        name = _name(_req(item, "name", p), f"{p}.name", taken)
        kind = _req(item, "type", p)
        if kind not in INPUT_TYPES:
            raise DefinitionError(f"{p}.type", f"must be one of {', '.join(INPUT_TYPES)}")
        cap = item.get("max")
        max_input = lo = hi = None
        if kind == "count" and cap is not None:
            if cap not in [x.name for x in inputs if x.type == "count"]:
                raise DefinitionError(f"{p}.max", f"{cap!r} is not an earlier count input")
            max_input = cap
        elif kind == "percent":
            lo, hi = Fraction(0), Fraction(100)
        elif kind == "points":
            lo, hi = _num(_req(item, "min", p), f"{p}.min"), _num(_req(item, "max", p), f"{p}.max")
        ledger = None
        if "ledger" in item:
            src = item["ledger"]
            if kind != "points":
                raise DefinitionError(f"{p}.ledger", "only points inputs are fed by the ledger")
            indicators = src.get("indicators") if isinstance(src, dict) else None
            if not indicators or not all(isinstance(x, str) and x for x in indicators):
                raise DefinitionError(f"{p}.ledger.indicators", "must list the ledger indicators summed here")
            ledger = LedgerSource(_num(src.get("start", 0), f"{p}.ledger.start"), tuple(indicators))
        metric = item.get("metric")
        if metric is None and ledger is None:
            raise DefinitionError(p, "needs a metric (from case history) or a ledger source")
        inputs.append(InputDef(name, str(item.get("label", name)), kind, metric, max_input, lo, hi, ledger))
    known = set(taken)
    volume = _req(data, "volume", "$")
    if volume not in [x.name for x in inputs if x.type == "count"]:
        raise DefinitionError("$.volume", "must name a count input (units with 0 get no score)")
    params: dict[str, dict[str, Fraction]] = {}
    for pname, per_group in (data.get("params") or {}).items():
        p = f"$.params.{pname}"
        _name(pname, p, taken)
        if not isinstance(per_group, dict) or set(per_group) != set(groups):
            raise DefinitionError(p, f"must give a value for every group: {', '.join(groups)}")
        params[pname] = {g: _num(v, f"{p}.{g}") for g, v in per_group.items()}
        known.add(pname)
    rates, parts = [], []
    for i, item in enumerate(data.get("rates") or []):
        rates.append(_formula(item, f"$.rates[{i}]", known, taken))
        known.add(rates[-1].name)
    for i, item in enumerate(data.get("parts") or []):
        parts.append(_formula(item, f"$.parts[{i}]", known, taken))
        known.add(parts[-1].name)
    score = _formula(_req(data, "score", "$"), "$.score", known, taken)
    if score.round is None:
        raise DefinitionError("$.score.round", "the score must say how many decimals it is rounded to")
    tiers = None
    if data.get("tiers"):
        t = data["tiers"]
        if t.get("input") not in [x.name for x in inputs]:
            raise DefinitionError("$.tiers.input", "must name an input")
        if not set(t.get("groups", [])) <= set(groups):
            raise DefinitionError("$.tiers.groups", "unknown group")
        tiers = Tiers(t["input"], tuple(t["groups"]), _bands(_req(t, "bands", "$.tiers"), "$.tiers.bands", "tier"))
    columns = set(taken)
    ranking = []
    for i, key in enumerate(_req(_req(data, "ranking", "$"), "order", "$.ranking")):
        if key.get("column") not in columns:
            raise DefinitionError(f"$.ranking.order[{i}].column", f"unknown column {key.get('column')!r}")
        ranking.append(SortKey(key["column"], bool(key.get("desc", True))))
    top = data.get("top") or {}
    top_input = top.get("input", volume)
    if top_input not in [x.name for x in inputs]:
        raise DefinitionError("$.top.input", "must name an input")
    floors = {g: _num(v, f"$.top.floors.{g}") for g, v in (top.get("floors") or {}).items()}
    if not set(floors) <= set(groups):
        raise DefinitionError("$.top.floors", "unknown group")
    grades = _bands(data.get("grades") or [], "$.grades", "grade")
    summary = tuple((str(s["label"]), tuple(s["grades"])) for s in data.get("grade_summary") or [])
    for label, members in summary:
        if not set(members) <= {b.label for b in grades}:
            raise DefinitionError("$.grade_summary", f"{label}: unknown grade")
    ledger_conf = data.get("ledger") or {}
    mode = ledger_conf.get("mode", "beside")
    if mode not in LEDGER_MODES:
        raise DefinitionError("$.ledger.mode", f"must be one of {', '.join(LEDGER_MODES)}")
    if (mode == "columns") != any(i.ledger for i in inputs):
        raise DefinitionError("$.ledger.mode", "'columns' exactly when some input has a ledger source")
    auto = ledger_conf.get("auto") or {}
    for rule, conf in auto.items():
        _auto_rule(rule, conf, grades=grades, mode=mode, inputs=inputs)
    _manual_lines(ledger_conf.get("manual") or [])
    size = top.get("size", 3)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise DefinitionError("$.top.size", "must be a positive whole number")
    box = _req(data, "box", "$")
    if box not in ("hotline", "mailbox"):
        raise DefinitionError("$.box", "must be hotline or mailbox")
    return SchemeDef(
        name=str(_req(data, "name", "$")), title=str(data.get("title", "")), city=str(data.get("city", "")),
        box=box, groups={str(k): str(v) for k, v in groups.items()}, inputs=tuple(inputs), volume=volume,
        params=params, rates=tuple(rates), parts=tuple(parts), score=score, grades=grades, tiers=tiers,
        ranking=tuple(ranking), top_size=size, top_input=top_input, top_floors=floors, grade_summary=summary,
        ledger_mode=mode, auto=dict(auto),
    )


def rule_evidence(rule: str, conf: dict[str, Any]) -> str:
    """What a rule of `ledger.auto` reads: its `evidence`, or its own name."""
    return str(conf.get("evidence") or rule)


def _auto_rule(rule: str, conf: Any, *, grades: tuple[Band, ...], mode: str, inputs: list[InputDef]) -> None:
    path = f"$.ledger.auto.{rule}"
    if not isinstance(conf, dict) or not conf.get("indicator"):
        raise DefinitionError(f"{path}.indicator", "missing")
    if not isinstance(rule, str) or not rule.isidentifier() or not rule.isascii():
        raise DefinitionError(path, "a rule name is letters, digits and underscores")
    evidence = rule_evidence(rule, conf)
    if evidence not in AUTO_RULES:
        raise DefinitionError(f"{path}.evidence" if "evidence" in conf else path,
                              f"unknown rule; known: {', '.join(AUTO_RULES)}")
    if evidence == "grade_penalty":
        if not grades:
            raise DefinitionError(path, "the scheme has no grades")
        for g, pts in (conf.get("points") or {}).items():
            if pts is not None:
                _num(pts, f"{path}.points.{g}")
        if mode == "columns" and any(conf["indicator"] in (i.ledger.indicators if i.ledger else ()) for i in inputs):
            raise DefinitionError(path, "a grade penalty cannot feed the score it comes from")
        return
    _num(_req(conf, "points", path), f"{path}.points")
    if conf.get("per", "case") not in PER_VALUES:
        raise DefinitionError(f"{path}.per", f"must be one of {', '.join(PER_VALUES)}")
    for key in ("working_days", "first_contact_working_days"):
        days = conf.get(key, 5 if key == "working_days" else 0)
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 60:
            raise DefinitionError(f"{path}.{key}", "must be a whole number 0-60")
    lists = {"case_faults": "codes", "appeal_type": "codes", "case_mark": "marks"}
    if evidence in lists:
        items = conf.get(lists[evidence])
        if evidence == "case_faults" and not items and not conf.get("first_contact_working_days"):
            raise DefinitionError(f"{path}.codes", "name the reason codes (or a first-contact limit)")
        if items is not None and (not isinstance(items, list) or not all(isinstance(x, str) and x for x in items)):
            raise DefinitionError(f"{path}.{lists[evidence]}", "must be a list of codes")
        if evidence != "case_faults" and not items:
            raise DefinitionError(f"{path}.{lists[evidence]}", "must be a list of codes")


def _manual_lines(items: Any) -> None:
    """`ledger.manual`: the lines staff enter by hand (with evidence), offered by the entry form."""
    if not isinstance(items, list):
        raise DefinitionError("$.ledger.manual", "must be a list")
    keys: set[str] = set()
    for i, item in enumerate(items):
        path = f"$.ledger.manual[{i}]"
        if not isinstance(item, dict):
            raise DefinitionError(path, "must be an object")
        for key in ("key", "indicator", "label", "why"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise DefinitionError(f"{path}.{key}", "missing")
        if item["key"] in keys:
            raise DefinitionError(f"{path}.key", "already used")
        keys.add(item["key"])
        _num(_req(item, "points", path), f"{path}.points")


def shipped_definition(name: str) -> dict[str, Any]:
    """The definition shipped with the product under schemes/<name>.json."""
    if name not in SHIPPED:
        raise KeyError(name)
    text = resources.files("hotline.assessment").joinpath("schemes", f"{name}.json").read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result
