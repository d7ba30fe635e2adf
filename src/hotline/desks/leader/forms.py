"""The leader's instruction (批示) on a special report."""
from __future__ import annotations

from django import forms

from hotline.workorders.reports import INSTRUCTION_MAX


class InstructForm(forms.Form):
    instruction = forms.CharField(
        label="批示", max_length=INSTRUCTION_MAX, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写批示内容", "max_length": f"批示内容不能超过 {INSTRUCTION_MAX} 字"},
    )
