"""The `hotline-cases` v1 exchange format (docs/exchange.md): natural-key directory and line validation.

Pure checks on one parsed line at a time; cross-line and database checks live in exchange.py.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hotline.directory.models import AppealType, Category, Channel, Region, Role, Tag, Unit, User
from hotline.workcalendar.models import Box, Urgency
from hotline.workorders.models import Action, Status, WorkOrder

FORMAT = "hotline-cases"
VERSION = 1
CASE_FIELDS = (
    "number", "box", "channel", "citizen_name", "citizen_phone", "confidential", "title", "content", "address",
    "region", "appeal_type", "category", "tags", "urgency", "unit", "co_units", "status", "received_at",
    "dispatched_at", "deadline", "deadline_fallback", "extension_pending", "overdue", "reminded", "merged_into",
    "source", "idempotency_key", "external_id", "events",
)
EVENT_FIELDS = ("seq", "kind", "at", "actor", "actor_role", "from_status", "to_status", "unit", "reason", "data")
_CASE_KEYS, _EVENT_KEYS = frozenset(CASE_FIELDS), frozenset(EVENT_FIELDS)
# Event data keys that hold database ids in the system and natural keys in the file: kind -> key -> (ref, list?).
DATA_REFS: dict[str, dict[str, tuple[str, bool]]] = {
    Action.CREATE: {"channel": ("channel", False)},
    Action.DISPATCH: {"unit": ("unit", False), "co_units": ("unit", True)},
    Action.REDISPATCH: {"unit": ("unit", False), "co_units": ("unit", True), "from_unit": ("unit", False)},
}
_REF_LABEL = {"channel": "channel code", "region": "region code", "appeal_type": "appeal type code",
              "tag": "tag code", "unit": "unit code", "user": "username"}
_CHOICES: dict[type, frozenset[str]] = {c: frozenset(c.values) for c in (Box, Urgency, Status, Action, Role)}
_MAXLEN = {f.name: f.max_length for f in WorkOrder._meta.fields if getattr(f, "max_length", None)}


@dataclass(frozen=True)
class Issue:
    """One problem in the file: 1-based line number, the field (dotted path) and why."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


@dataclass
class Directory:
    """Natural keys <-> ids of everything a case refers to, read once per import/export."""

    by_id: dict[str, dict[int, str]]
    by_code: dict[str, dict[str, int]]
    categories: dict[int, tuple[str, tuple[str, ...]]]  # id -> (taxonomy, names from the root)
    category_ids: dict[tuple[str, tuple[str, ...]], int]

    @classmethod
    def load(cls) -> Directory:
        by_id = {
            "channel": dict(Channel.objects.values_list("id", "code")),
            "region": dict(Region.objects.values_list("id", "code")),
            "appeal_type": dict(AppealType.objects.values_list("id", "code")),
            "tag": dict(Tag.objects.values_list("id", "code")),
            "unit": dict(Unit.objects.values_list("id", "code")),
            "user": dict(User.objects.values_list("id", "username")),
        }
        nodes = {pk: (tax, parent, name) for pk, tax, parent, name in
                 Category.objects.values_list("id", "taxonomy", "parent_id", "name")}
        paths: dict[int, tuple[str, ...]] = {}

        def path(pk: int) -> tuple[str, ...]:
            if pk not in paths:
                _, parent, name = nodes[pk]
                paths[pk] = (path(parent) if parent else ()) + (name,)
            return paths[pk]

        categories = {pk: (nodes[pk][0], path(pk)) for pk in nodes}
        return cls(by_id, {k: {c: i for i, c in m.items()} for k, m in by_id.items()}, categories,
                   {v: k for k, v in categories.items()})

    def code(self, kind: str, pk: int | None) -> str | None:
        return None if pk is None else self.by_id[kind][pk]


@dataclass
class CaseRow:
    """A validated case line, ready to insert."""

    number: str
    fields: dict[str, Any]  # WorkOrder keyword arguments (ids for foreign keys), number and version excluded
    tags: list[int]
    co_units: list[int]
    merged_into: str | None
    events: list[dict[str, Any]]  # Event keyword arguments, order excluded


_MISSING: Any = object()


class _Check:
    """Reads typed values out of one JSON object, collecting (field, reason) problems."""

    def __init__(self, obj: dict[str, Any], prefix: str, errors: list[tuple[str, str]], d: Directory) -> None:
        self.obj, self.prefix, self.errors, self.d = obj, prefix, errors, d

    def err(self, key: str, reason: str) -> None:
        self.errors.append((self.prefix + key, reason))

    def get(self, key: str, required: bool = False) -> Any:
        if key in self.obj:
            return self.obj[key]
        if required:
            self.err(key, "required field is missing")
        return _MISSING

    def text(self, key: str, *, required: bool = False, nullable: bool = False) -> str | None:
        v = self.get(key, required)
        if v is _MISSING or (v is None and nullable):
            return None if nullable else ""
        if not isinstance(v, str):
            self.err(key, "must be a string" + (" or null" if nullable else ""))
            return None
        if required and not v.strip():
            self.err(key, "must not be empty")
        limit = _MAXLEN.get(key) if not self.prefix else None
        if limit and len(v) > limit:
            self.err(key, f"longer than {limit} characters")
        return v

    def flag(self, key: str) -> bool:
        v = self.get(key)
        if v is _MISSING:
            return False
        if not isinstance(v, bool):
            self.err(key, "must be true or false")
        return v is True

    def choice(self, key: str, choices: type, *, required: bool = False, default: str | None = None,
               blank: bool = False) -> str | None:
        v = self.get(key, required)
        if v is _MISSING:
            return default
        if v == "" and blank:
            return ""
        if not isinstance(v, str) or v not in _CHOICES[choices]:
            self.err(key, f"unknown value {v!r}; expected one of {', '.join(sorted(_CHOICES[choices]))}")
            return None
        return v

    def when(self, key: str, *, required: bool = False) -> dt.datetime | None:
        v = self.get(key, required)
        if v is _MISSING:
            return None
        if v is None:
            if required:
                self.err(key, "must not be null")
            return None
        try:
            parsed = dt.datetime.fromisoformat(v) if isinstance(v, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            self.err(key, f"{v!r} is not an ISO 8601 date-time")
        elif parsed.tzinfo is None:
            self.err(key, f"{v!r} has no UTC offset (write e.g. +08:00)")
            return None
        return parsed

    def ref(self, key: str, kind: str, *, required: bool = False) -> int | None:
        v = self.get(key, required)
        if v is _MISSING or v is None:
            if v is None and required:
                self.err(key, "must not be null")
            return None
        return self._lookup(key, kind, v)

    def _lookup(self, key: str, kind: str, v: Any) -> int | None:
        if not isinstance(v, str):
            self.err(key, f"must be a {_REF_LABEL[kind]} (string)")
            return None
        pk = self.d.by_code[kind].get(v)
        if pk is None:
            self.err(key, f"unknown {_REF_LABEL[kind]} {v!r}")
        return pk

    def refs(self, key: str, kind: str) -> list[int]:
        v = self.get(key)
        if v is _MISSING or v is None:
            return []
        if not isinstance(v, list):
            self.err(key, f"must be a list of {_REF_LABEL[kind]}s")
            return []
        if len(set(map(str, v))) != len(v):
            self.err(key, "lists a code twice")
        return [pk for pk in (self._lookup(key, kind, c) for c in v) if pk is not None]


def check_header(obj: Any) -> list[tuple[str, str]]:
    if not isinstance(obj, dict):
        return [("line", "the first line must be the header object")]
    if obj.get("format") != FORMAT:
        return [("format", f"expected {FORMAT!r}, got {obj.get('format')!r}")]
    version = obj.get("version")
    if type(version) is not int or version != VERSION:
        return [("version", f"unsupported version {version!r}; this importer reads version {VERSION}")]
    if obj.get("view") is not None:
        return [("view", "a user's masked export (hotline export --as) cannot be imported; "
                         "use an administrator's full export (--all)")]
    return []


def check_case(obj: Any, d: Directory) -> tuple[CaseRow | None, list[tuple[str, str]]]:
    """Validate one case line; returns the row to insert, or None and the problems found."""
    if not isinstance(obj, dict):
        return None, [("line", "must be a JSON object")]
    errors = [(k, "unknown field") for k in obj.keys() - _CASE_KEYS]
    c = _Check(obj, "", errors, d)
    number = c.text("number", required=True)
    fields: dict[str, Any] = {
        "box": c.choice("box", Box, default=Box.HOTLINE), "channel_id": c.ref("channel", "channel", required=True),
        "citizen_name": c.text("citizen_name"), "citizen_phone": c.text("citizen_phone"),
        "confidential": c.flag("confidential"), "title": c.text("title"),
        "content": c.text("content", required=True), "address": c.text("address"),
        "region_id": c.ref("region", "region"), "appeal_type_id": c.ref("appeal_type", "appeal_type"),
        "category_id": _category(c), "urgency": c.choice("urgency", Urgency, default=Urgency.NORMAL),
        "unit_id": c.ref("unit", "unit"), "status": c.choice("status", Status, required=True),
        "received_at": c.when("received_at", required=True), "dispatched_at": c.when("dispatched_at"),
        "deadline": c.when("deadline"), "deadline_fallback": c.flag("deadline_fallback"),
        "extension_pending": c.flag("extension_pending"), "overdue": c.flag("overdue"),
        "reminded": c.flag("reminded"), "source": c.text("source"),
        "idempotency_key": c.text("idempotency_key", nullable=True), "external_id": c.text("external_id"),
    }
    tags, co_units = c.refs("tags", "tag"), c.refs("co_units", "unit")
    if fields["unit_id"] is not None and fields["unit_id"] in co_units:
        c.err("co_units", "the responsible unit cannot also be a co-handling unit")
    merged_into = c.text("merged_into", nullable=True)
    if fields["status"] == Status.MERGED and not merged_into:
        c.err("merged_into", "required when status is merged")
    elif merged_into is not None and fields["status"] not in (None, Status.MERGED):
        c.err("merged_into", "must be null unless status is merged")
    elif merged_into is not None and merged_into == number:
        c.err("merged_into", "a case cannot be merged into itself")
    events = _check_events(c, fields)
    if errors:
        return None, errors
    assert number is not None
    return CaseRow(number, fields, tags, co_units, merged_into, events), []


def _category(c: _Check) -> int | None:
    v = c.get("category")
    if v is _MISSING or v is None:
        return None
    if (not isinstance(v, dict) or set(v) != {"taxonomy", "path"} or not isinstance(v["taxonomy"], str)
            or not isinstance(v["path"], list) or not v["path"] or not all(isinstance(n, str) for n in v["path"])):
        c.err("category", 'must be {"taxonomy": string, "path": [names from the root, ...]} or null')
        return None
    pk = c.d.category_ids.get((v["taxonomy"], tuple(v["path"])))
    if pk is None:
        c.err("category", f"unknown category {' > '.join(v['path'])!r} in taxonomy {v['taxonomy']!r}")
    return pk


def _check_events(c: _Check, case: dict[str, Any]) -> list[dict[str, Any]]:
    raw = c.get("events", required=True)
    if raw is _MISSING:
        return []
    if not isinstance(raw, list) or not raw:
        c.err("events", "must be a non-empty list")
        return []
    out: list[dict[str, Any]] = []
    prev: dict[str, Any] | None = None
    seq_reported = False
    for i, obj in enumerate(raw):
        if not isinstance(obj, dict):
            c.errors.append((f"events[{i}]", "must be an object"))
            prev = None
            continue
        c.errors.extend((f"events[{i}].{k}", "unknown field") for k in obj.keys() - _EVENT_KEYS)
        e = _Check(obj, f"events[{i}].", c.errors, c.d)
        seq = e.get("seq", required=True)
        if seq is not _MISSING and not seq_reported and (type(seq) is not int or seq != i + 1):
            e.err("seq", f"expected {i + 1}, got {seq!r}: seq must run 1, 2, ... n without gaps")
            seq_reported = True
        ev = {
            "seq": i + 1, "kind": e.choice("kind", Action, required=True), "at": e.when("at", required=True),
            "actor_id": e.ref("actor", "user"), "actor_role": e.choice("actor_role", Role, required=True),
            "from_status": e.choice("from_status", Status, required=True, blank=True),
            "to_status": e.choice("to_status", Status, required=True), "unit_id": e.ref("unit", "unit"),
            "reason": e.text("reason"), "data": _event_data(e),
        }
        if i == 0:
            if ev["kind"] != Action.CREATE or ev["from_status"] != "" or ev["to_status"] != Status.NEW:
                e.err("kind", 'the first event must be kind "create" from status "" to status "new"')
            if ev["at"] and case["received_at"] and ev["at"] != case["received_at"]:
                e.err("at", "the create event's time must equal received_at")
        elif prev is not None:
            if None not in (prev["to_status"], ev["from_status"]) and ev["from_status"] != prev["to_status"]:
                e.err("from_status", f"must equal the previous event's to_status {prev['to_status']!r}")
            if prev["at"] and ev["at"] and ev["at"] < prev["at"]:
                e.err("at", "earlier than the previous event: times must not decrease")
        out.append(ev)
        prev = ev
    last = out[-1]["to_status"] if out and len(out) == len(raw) else None
    if last and case["status"] and last != case["status"]:
        c.err("status", f"{case['status']!r} does not match the last event's to_status {last!r}")
    return out


def _event_data(e: _Check) -> dict[str, Any]:
    data = e.get("data")
    if data is _MISSING:
        return {}
    if not isinstance(data, dict):
        e.err("data", "must be a JSON object")
        return {}
    kind = e.obj.get("kind")
    refs = DATA_REFS.get(kind) if isinstance(kind, str) else None
    if not refs:
        return data
    data = dict(data)
    for key, (ref, many) in refs.items():
        v = data.get(key)
        if v is None:
            continue
        if many:
            ids = [e._lookup(f"data.{key}", ref, code) for code in v] if isinstance(v, list) else None
            if ids is None:
                e.err(f"data.{key}", f"must be a list of {_REF_LABEL[ref]}s")
            data[key] = ids
        else:
            data[key] = e._lookup(f"data.{key}", ref, v)
    return data
