"""Choice fields by primary key that refuse what no row can have before asking the database.

Django's ModelChoiceField hands the posted value to a query; a value beyond the 64-bit range then
fails inside the database driver (SQLite: OverflowError) instead of as a form error. These fields
check that each value is a whole number in range first and answer like an unknown choice.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

PK_MAX = 2**63 - 1


def _in_range(value: Any) -> bool:
    text = str(value).strip()
    return text.isdigit() and 0 < int(text) <= PK_MAX


class ModelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if not _in_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def _check_values(self, value: Any) -> Any:
        for v in value:
            if not _in_range(v):
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": v})
        return super()._check_values(value)  # type: ignore[misc]
