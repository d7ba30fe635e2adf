"""Article import and export (CSV or JSON Lines): columns key,title,body and optional
category,unit,valid_until,public. Every row is checked before anything is written; a bad row stops the
import with its line and field named, and nothing is imported. Re-importing a key updates the article
and keeps a version (an unchanged row writes nothing)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from hotline.directory.models import Category, Unit, User
from hotline.knowledge import index
from hotline.knowledge.models import Article, ArticleStatus, ArticleVersion
from hotline.knowledge.services import TEXT_LIMITS

REQUIRED = ("key", "title", "body")
OPTIONAL = ("category", "unit", "valid_until", "public")
TRUE = {"1", "true", "yes", "y", "是", "公开"}
FALSE = {"0", "false", "no", "n", "否", "内部", "不公开"}
CHUNK = 2000


class ImportError_(ValueError):
    """A bad row: `line` (1-based, the header is line 1 in CSV) and `field` name it."""

    def __init__(self, message: str, *, line: int, field: str) -> None:
        super().__init__(f"第 {line} 行，字段 {field}：{message}")
        self.line, self.field, self.reason = line, field, message


@dataclass
class Row:
    line: int
    key: str
    title: str
    body: str
    category: Category | None
    unit: Unit | None
    valid_until: dt.date | None
    public: bool


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, raw row) from a .csv or .jsonl/.json file (decided by the suffix, else by content)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson") or text.lstrip().startswith("{"):
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportError_(f"不是合法的 JSON（{exc.msg}）", line=n, field="-") from None
            if not isinstance(row, dict):
                raise ImportError_("每行应为一个 JSON 对象", line=n, field="-")
            yield n, row
        return
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportError_("缺少必需的列", line=1, field=",".join(missing))
    for row in reader:
        if None in row:
            raise ImportError_("列数多于表头", line=reader.line_num, field="-")
        yield reader.line_num, row


class _Lookups:
    def __init__(self) -> None:
        self.units: dict[str, Unit] = {}
        for unit in Unit.objects.all():
            self.units.setdefault(unit.name, unit)
            self.units[unit.code] = unit
        self.categories: dict[str, Category] = {}
        for cat in Category.objects.select_related("parent"):
            self.categories.setdefault(cat.name, cat)
            if cat.parent is not None:
                self.categories.setdefault(f"{cat.parent.name}/{cat.name}", cat)


def _text(raw: dict[str, Any], name: str, line: int, *, required: bool) -> str:
    value = raw.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise ImportError_("不能为空", line=line, field=name)
    limit = TEXT_LIMITS.get(name, 80)
    if len(value) > limit:
        raise ImportError_(f"超过 {limit} 字", line=line, field=name)
    return value


def parse_row(line: int, raw: dict[str, Any], lookups: _Lookups) -> Row:
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL) - {"status"})
    if unknown:
        raise ImportError_("未知的列", line=line, field=unknown[0])
    key = _text(raw, "key", line, required=True)
    if len(key) > 80:
        raise ImportError_("超过 80 字符", line=line, field="key")
    category = unit = None
    if name := _text(raw, "category", line, required=False):
        category = lookups.categories.get(name)
        if category is None:
            raise ImportError_(f"未知的分类“{name}”", line=line, field="category")
    if name := _text(raw, "unit", line, required=False):
        unit = lookups.units.get(name)
        if unit is None:
            raise ImportError_(f"未知的单位“{name}”", line=line, field="unit")
    valid_until = None
    if value := _text(raw, "valid_until", line, required=False):
        try:
            valid_until = dt.date.fromisoformat(value)
        except ValueError:
            raise ImportError_(f"日期应为 YYYY-MM-DD，实际为“{value}”", line=line, field="valid_until") from None
    public = True
    flag_value = raw.get("public")
    if isinstance(flag_value, bool):
        public = flag_value
    elif flag_value is not None and str(flag_value).strip():
        flag = str(flag_value).strip().lower()
        if flag not in TRUE | FALSE:
            raise ImportError_(f"应为 1/0、true/false 或 是/否，实际为“{flag_value}”", line=line, field="public")
        public = flag in TRUE
    return Row(line, key, _text(raw, "title", line, required=True), _text(raw, "body", line, required=True),
               category, unit, valid_until, public)


def import_articles(*, path: Path, actor: User | None = None, today: dt.date | None = None) -> ImportResult:
    """Check every row, then write them all in one transaction (published; expired if past valid_until)."""
    lookups = _Lookups()
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for line, raw in read_rows(path):
        row = parse_row(line, raw, lookups)
        if row.key in seen:
            raise ImportError_(f"编号与第 {seen[row.key]} 行重复", line=line, field="key")
        seen[row.key] = line
        rows.append(row)
    today = today or timezone.localdate()
    created = updated = 0
    with transaction.atomic():
        for lo in range(0, len(rows), CHUNK):
            c, u = _write_chunk(rows[lo:lo + CHUNK], actor=actor, today=today)
            created, updated = created + c, updated + u
    return ImportResult(created, updated, len(rows) - created - updated)


def _status(row: Row, today: dt.date) -> str:
    return ArticleStatus.EXPIRED if row.valid_until and row.valid_until < today else ArticleStatus.PUBLISHED


def _write_chunk(rows: list[Row], *, actor: User | None, today: dt.date) -> tuple[int, int]:
    now = timezone.now()
    existing = Article.objects.in_bulk([r.key for r in rows], field_name="key")
    fresh, changed, touched = [], [], []
    for row in rows:
        fields = {"title": row.title, "body": row.body, "unit": row.unit, "valid_until": row.valid_until,
                  "public": row.public, "status": _status(row, today)}
        article = existing.get(row.key)
        if article is None:
            fresh.append(Article(key=row.key, created_at=now, updated_at=now, updated_by=actor, published_at=now,
                                 version=1, **fields))
            continue
        if all(getattr(article, k) == v for k, v in fields.items()):
            continue
        for k, v in fields.items():
            setattr(article, k, v)
        article.version, article.updated_at, article.updated_by = article.version + 1, now, actor
        changed.append(article)
    Article.objects.bulk_create(fresh, batch_size=1000)
    if not any(a.pk for a in fresh):  # backends without RETURNING on bulk insert
        ids = Article.objects.in_bulk([a.key for a in fresh], field_name="key")
        for a in fresh:
            a.pk = ids[a.key].pk
    Article.objects.bulk_update(changed, ["title", "body", "unit", "valid_until", "public", "status", "version",
                                          "updated_at", "updated_by"], batch_size=1000)
    touched = fresh + changed
    cats = {r.key: r.category.pk for r in rows if r.category is not None}
    ArticleVersion.objects.bulk_create([
        ArticleVersion(article=a, version=a.version, action="import", title=a.title, body=a.body,
                       keywords=a.keywords, public=a.public, valid_from=a.valid_from, valid_until=a.valid_until,
                       status=a.status, unit=a.unit, changed_by=actor, changed_at=now,
                       category_ids=[cats[a.key]] if a.key in cats else [])
        for a in touched], batch_size=1000)
    through = Article.categories.through
    through.objects.filter(article_id__in=[a.pk for a in changed]).delete()
    through.objects.bulk_create([through(article_id=a.pk, category_id=cats[a.key]) for a in touched if a.key in cats],
                                batch_size=2000)
    index.reindex(touched)
    return len(fresh), len(changed)


EXPORT_COLUMNS = ("key", "title", "body", "category", "unit", "valid_until", "public", "status")


def export_rows() -> Iterator[dict[str, Any]]:
    qs = Article.objects.select_related("unit").prefetch_related("categories").order_by("key")
    for a in qs.iterator(chunk_size=2000):
        cats = list(a.categories.all())
        yield {"key": a.key, "title": a.title, "body": a.body, "category": cats[0].name if cats else "",
               "unit": a.unit.name if a.unit else "", "valid_until": a.valid_until.isoformat() if a.valid_until else "",
               "public": "1" if a.public else "0", "status": a.status}


def export_articles(*, out: Any, fmt: str = "csv") -> int:
    count = 0
    if fmt == "jsonl":
        for row in export_rows():
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    for row in export_rows():
        writer.writerow(row)
        count += 1
    return count
