"""Shared form pieces of the desks: the searchable unit picker."""
from __future__ import annotations

from typing import Any

from django import forms

from hotline.directory.selectors import unit_choices


def unit_choices_with_blank() -> list[tuple[Any, Any]]:
    return [("", "— 选择承办单位 —"), *unit_choices()]


class UnitPicker(forms.Select):
    """A <select> of units grouped by 县市区/园区/市直单位/公共服务企业; desks.js adds a filter box
    (data-unit-picker) so a unit is found by typing part of its name."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"data-unit-picker": "", **(attrs or {})})


def unit_field(*, required: bool = True, label: str = "承办单位") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=required, coerce=int, empty_value=None, choices=unit_choices_with_blank, widget=UnitPicker,
        error_messages={"required": "请选择承办单位", "invalid_choice": "所选承办单位不存在或已停用"},
    )
