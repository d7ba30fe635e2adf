"""Writes of the bulletin: staff texts, drafting the month's files, and publishing (freezing) a bulletin."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from hotline.bulletin.compose import Document, compose
from hotline.bulletin.figures import compute_figures, used_runs
from hotline.bulletin.models import BulletinText, PublishedBulletin, PublishedFile
from hotline.bulletin.period import BulletinError, Month
from hotline.bulletin.styles import load_style, text_keys
from hotline.directory.models import User

FORMATS = ("docx", "pdf", "xlsx")
MAX_TEXT = 20_000


def enter_text(*, month: Month, style: str, section: str, text: str, actor: User | None,
               at: dt.datetime | None = None) -> BulletinText | None:
    """Enter (or replace) one narrative section for a month; empty text clears it (returns None)."""
    keys = text_keys(load_style(style))
    if section not in keys:
        raise BulletinError(f"样式 {style} 没有文字栏目“{section}”，可选：{'、'.join(keys)}", field="section")
    if len(text) > MAX_TEXT:
        raise BulletinError(f"内容过长（最多 {MAX_TEXT} 字）", field="text")
    with transaction.atomic():
        existing = BulletinText.objects.select_for_update().filter(
            month=month.first_day, style=style, section=section).first()
        if not text.strip():
            if existing is not None:
                existing.delete()
            return None
        row = existing or BulletinText(month=month.first_day, style=style, section=section)
        row.text, row.entered_by, row.entered_at = text.strip(), actor, at or timezone.now()
        row.save()
    return row


def month_texts(month: Month, style: str) -> dict[str, str]:
    return dict(BulletinText.objects.filter(month=month.first_day, style=style).values_list("section", "text"))


@dataclass
class Built:
    month: Month
    style: dict[str, Any]
    figures: dict[str, Any]
    texts: dict[str, str]
    document: Document
    files: dict[str, bytes] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def base_name(self) -> str:
        return f"{self.month}-{self.style['key']}"


def build(*, month: Month, style: str, as_of: dt.datetime | None = None, issued_on: dt.date | None = None,
          formats: tuple[str, ...] = FORMATS, run_ids: dict[str, int] | None = None) -> Built:
    """Compute the figures, compose the document and render the requested formats (nothing is stored)."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise BulletinError(f"未知输出格式：{'、'.join(unknown) or '（空）'}，可选：{'、'.join(FORMATS)}", field="formats")
    definition = load_style(style)
    clock = time.perf_counter()
    figures = compute_figures(style=definition, month=month, as_of=as_of, issued_on=issued_on, run_ids=run_ids)
    texts = month_texts(month, style)
    document = compose(style=definition, figures=figures, texts=texts, labels=text_keys(definition))
    built = Built(month, definition, figures, texts, document)
    built.seconds["figures"] = time.perf_counter() - clock
    render(built, formats)
    return built


def render(built: Built, formats: tuple[str, ...]) -> None:
    """Render the requested formats of a composed bulletin into built.files (charts always, for the docx)."""
    from hotline.bulletin.charts import render_chart
    from hotline.bulletin.render_docx import render_docx
    from hotline.bulletin.render_pdf import render_pdf
    from hotline.bulletin.render_xlsx import render_xlsx

    name = built.base_name()
    clock = time.perf_counter()
    charts = {c.number: render_chart(c) for c in built.document.charts}
    for number, png in charts.items():
        built.files[f"{name}-chart{number}.png"] = png
    built.seconds["charts"] = time.perf_counter() - clock
    if "docx" in formats or "pdf" in formats:
        clock = time.perf_counter()
        docx = render_docx(built.document, charts)
        built.seconds["docx"] = time.perf_counter() - clock
        if "docx" in formats:
            built.files[f"{name}.docx"] = docx
        if "pdf" in formats:
            clock = time.perf_counter()
            built.files[f"{name}.pdf"] = render_pdf(docx)
            built.seconds["pdf"] = time.perf_counter() - clock
    if "xlsx" in formats:
        clock = time.perf_counter()
        built.files[f"{name}.xlsx"] = render_xlsx(built.document)
        built.seconds["xlsx"] = time.perf_counter() - clock


def write_files(files: dict[str, bytes], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in sorted(files.items()):
        path = out / name
        # Beside the target, then renamed: a run killed mid-write leaves the old file or none, never half a one.
        partial = out / f".{name}.partial"
        partial.write_bytes(content)
        os.replace(partial, path)
        written.append(path)
    return written


def content_hash(*, month: Month, style: dict[str, Any], figures: dict[str, Any], texts: dict[str, str]) -> str:
    payload = {"month": str(month), "style": style, "figures": figures, "texts": texts}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Publication:
    bulletin: PublishedBulletin
    created: bool


def publish(*, built: Built, actor: User | None, now: dt.datetime | None = None) -> Publication:
    """Freeze a built bulletin as the next version of its month, or return the latest if nothing changed.

    Requires every assessment the style uses to have a published run, a cut-off already passed and
    all three formats rendered.
    """
    now = now or timezone.now()
    missing = [f for f in FORMATS if f"{built.base_name()}.{f}" not in built.files]
    if missing:
        raise BulletinError(f"发布需要全部格式，缺少：{'、'.join(missing)}", field="formats")
    as_of = dt.datetime.fromisoformat(built.figures["meta"]["as_of"])
    if as_of > now:
        raise BulletinError(f"数据截至时间 {timezone.localtime(as_of):%Y-%m-%d %H:%M} 尚未到达，不能发布", field="as_of")
    for name, scope in built.figures["assessment"].items():
        if isinstance(scope, dict) and "scheme" in scope and not (scope.get("run") or {}).get("published"):
            raise BulletinError(f"{built.month.label}考核（{scope['scheme']}）尚未发布，请先发布考核结果",
                                field="assessment")
    digest = content_hash(month=built.month, style=built.style, figures=built.figures, texts=built.texts)
    with transaction.atomic():
        versions = PublishedBulletin.objects.select_for_update().filter(
            style=built.style["key"], month=built.month.first_day)
        latest = versions.order_by("-version").first()
        if latest is not None and latest.content_hash == digest:
            return Publication(latest, created=False)
        bulletin = PublishedBulletin(
            month=built.month.first_day, style=built.style["key"], version=(latest.version + 1) if latest else 1,
            as_of=as_of, issued_on=dt.date.fromisoformat(built.figures["meta"]["issued_date"]),
            assessment_runs=used_runs(built.figures), figures=built.figures, texts=built.texts,
            style_definition=built.style, content_hash=digest, published_by=actor, published_at=now,
        )
        bulletin.save(force_insert=True)
        for name, content in sorted(built.files.items()):
            PublishedFile(bulletin=bulletin, name=name, kind=name.rsplit(".", 1)[-1], content=content,
                          size=len(content), sha256=hashlib.sha256(content).hexdigest()).save(force_insert=True)
    return Publication(bulletin, created=True)


def published_files(bulletin: PublishedBulletin) -> dict[str, bytes]:
    return {f.name: bytes(f.content) for f in bulletin.files.all()}
