"""Input limits of the work-order services: the longest text each input may hold, and its Chinese name.

The services enforce these (the API, the pages and the importers all pass through them); the desks'
forms use the same numbers as max_length so that a person meets the limit while typing.
"""
from __future__ import annotations

from typing import Any

REASON_MAX = 500  # reasons for a return, rework, refusal, supervision ...
TEXT_MAX = 4000  # a reply or a rectification reply
NOTE_MAX = 500  # the outcome of a contact with the citizen, free notes
CONTENT_MAX = 20000  # an appeal's content: mayor's mailbox letters and upper-platform transfers run long

# Keys of a transition's `data` (and `reason`) -> (Chinese name, longest length).
TEXT_LIMITS: dict[str, tuple[str, int]] = {
    "reason": ("理由", REASON_MAX),
    "text": ("答复内容", TEXT_MAX),
    "outcome": ("联系结果", NOTE_MAX),
    "note": ("备注", NOTE_MAX),
    "into": ("并入工单编号", 32),
}

# Chinese names of the inputs the services name in their errors.
FIELD_NAMES: dict[str, str] = {
    "unit": "承办单位", "co_units": "协办单位", "days": "延期工作日数", "text": "答复内容", "result": "回访结果",
    "method": "回访方式", "into": "并入工单编号", "upheld": "核实结果", "reason": "理由", "how": "联系方式",
    "when": "联系时间", "outcome": "联系结果", "attempts": "拨打次数", "content": "诉求内容",
    "citizen_name": "诉求人", "citizen_phone": "联系电话", "title": "标题", "address": "地址",
    "external_id": "外部编号",
}


def field_name(key: str) -> str:
    return FIELD_NAMES.get(key, key)


def text_problem(value: Any, *, label: str, limit: int) -> str | None:
    """Why a text input is refused, in Chinese, or None if it is fine."""
    if not isinstance(value, str):
        return f"{label}必须是文字"
    if "\x00" in value:
        return f"{label}不能包含空字符（\\x00）"
    if len(value) > limit:
        return f"{label}不能超过 {limit} 字（已输入 {len(value)} 字）"
    return None
