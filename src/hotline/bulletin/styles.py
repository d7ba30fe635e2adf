"""Bulletin styles: plain JSON data (section structure, sentence templates, masthead and closing).

A style names its sections and, for each, the blocks that fill it; the code only knows the block
types below. Shipped styles live in `bulletin/style_files/*.json`; a directory named by the setting
or environment variable HOTLINE_BULLETIN_STYLE_DIR may add or override styles without code.
"""
from __future__ import annotations

import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from django.conf import settings

from hotline.bulletin.period import BulletinError

BLOCK_TYPES = {
    "text": ("key", "label"),          # staff text for the month, or a marked placeholder (or a draft)
    "sentence": ("template",),         # one paragraph from a template over the figures
    "list": ("source", "item"),        # one paragraph joining the rows of a figure list
    "each": ("source", "template"),    # one paragraph per row
    "chart": ("source", "kind", "title"),  # a numbered figure (图N) with a picture
    "knowledge": ("source", "template"),   # the knowledge-base section (placeholder until the base exists)
}
CHART_KINDS = ("pie", "bar")
TABLE_KINDS = ("assessment", "ledger")
REQUIRED = ("key", "city", "title", "scopes", "sections", "attachments", "masthead", "closing", "addressees")
_TOKEN = re.compile(r"\{([A-Za-z0-9_.]+)(?:\|([a-z_]+))?\}")
FILTERS = ("pct", "change", "cases", "chain")


def _extra_dir() -> Path | None:
    value = getattr(settings, "HOTLINE_BULLETIN_STYLE_DIR", "") or os.environ.get("HOTLINE_BULLETIN_STYLE_DIR", "")
    return Path(value) if value else None


def style_keys() -> list[str]:
    keys = {p.name[:-5] for p in resources.files("hotline.bulletin").joinpath("style_files").iterdir()
            if p.name.endswith(".json")}
    extra = _extra_dir()
    if extra and extra.is_dir():
        keys |= {p.stem for p in extra.glob("*.json")}
    return sorted(keys)


def load_style(key: str) -> dict[str, Any]:
    """The style's definition, checked; BulletinError(field='style') names what is wrong."""
    if key not in style_keys():
        raise BulletinError(f"未知通报样式“{key}”，可选：{'、'.join(style_keys())}", field="style")
    extra = _extra_dir()
    path = extra / f"{key}.json" if extra else None
    try:
        if path is not None and path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
        else:
            text = resources.files("hotline.bulletin").joinpath("style_files", f"{key}.json").read_text(encoding="utf-8")
            data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BulletinError(f"样式 {key} 不是合法的 JSON：{exc}", field="style") from None
    check_style(data)
    return data


def _fail(path: str, message: str) -> None:
    raise BulletinError(f"样式定义错误 {path}：{message}", field="style")


def _check_template(text: Any, path: str) -> None:
    if not isinstance(text, str):
        _fail(path, "应为字符串")
    for match in _TOKEN.finditer(text):
        if match.group(2) and match.group(2) not in FILTERS:
            _fail(path, f"未知格式 |{match.group(2)}")
    if re.search(r"\{(?![A-Za-z0-9_.]+(?:\|[a-z_]+)?\})", text):
        _fail(path, "花括号内应为数据路径，如 {hotline.headline.received}")


def _check_blocks(blocks: Any, path: str, depth: int) -> None:
    if not isinstance(blocks, list):
        _fail(path, "blocks 应为列表")
    if depth > 4:
        _fail(path, "标题层级最多四级")
    for i, block in enumerate(blocks):
        where = f"{path}[{i}]"
        if not isinstance(block, dict):
            _fail(where, "应为对象")
        if "heading" in block:
            _check_template(block["heading"], f"{where}.heading")
            _check_blocks(block.get("blocks", []), f"{where}.blocks", depth + 1)
            continue
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            _fail(where, f"未知块类型 {kind!r}，应为 {', '.join(BLOCK_TYPES)}")
        for field in BLOCK_TYPES[kind]:
            if field not in block:
                _fail(where, f"{kind} 块缺少 {field}")
        for field in ("template", "item", "intro", "outro", "title"):
            if field in block:
                _check_template(block[field], f"{where}.{field}")
        if kind == "chart" and block["kind"] not in CHART_KINDS:
            _fail(f"{where}.kind", f"应为 {', '.join(CHART_KINDS)}")
        if kind == "text" and "draft" in block:
            if any(isinstance(b, dict) and "heading" in b for b in block["draft"]):
                _fail(f"{where}.draft", "草拟内容中不能有标题")
            _check_blocks(block["draft"], f"{where}.draft", depth)
        if "items" in block:
            _check_template(block["items"].get("template"), f"{where}.items.template")


def check_style(data: Any) -> None:
    if not isinstance(data, dict):
        _fail("$", "应为对象")
    for key in REQUIRED:
        if key not in data:
            _fail("$", f"缺少 {key}")
    if not isinstance(data["scopes"], dict) or "hotline" not in data["scopes"]:
        _fail("$.scopes", "应至少定义 hotline 范围")
    for name, boxes in data["scopes"].items():
        if not boxes or any(b not in ("hotline", "mailbox") for b in boxes):
            _fail(f"$.scopes.{name}", "业务应为 hotline 或 mailbox")
    _check_template(data["title"], "$.title")
    _check_blocks(data["sections"], "$.sections", 1)
    for i, att in enumerate(data["attachments"]):
        where = f"$.attachments[{i}]"
        if not isinstance(att, dict) or "title" not in att or "table" not in att or "sheet" not in att:
            _fail(where, "附件应有 title、sheet、table")
        if att["table"].get("kind") not in TABLE_KINDS:
            _fail(f"{where}.table.kind", f"应为 {', '.join(TABLE_KINDS)}")
        if len(att["sheet"]) > 31:
            _fail(f"{where}.sheet", "工作表名最多 31 个字符")
    for key in ("issuer", "number", "title", "date"):
        if key not in data["masthead"]:
            _fail("$.masthead", f"缺少 {key}")
    for key in ("signature", "distribution", "printer", "printed"):
        if key not in data["closing"]:
            _fail("$.closing", f"缺少 {key}")


def text_keys(style: dict[str, Any]) -> dict[str, str]:
    """Staff text sections of a style: key -> label (plus the issue number of the masthead)."""
    keys: dict[str, str] = {}

    def walk(blocks: list[dict[str, Any]]) -> None:
        for block in blocks:
            if "heading" in block:
                walk(block.get("blocks", []))
            elif block.get("type") == "text":
                keys[block["key"]] = block["label"]

    walk(style["sections"])
    keys["number"] = "期号"
    return keys
