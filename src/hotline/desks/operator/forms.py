"""The intake form of the operator desk: input checks only; the rules are in hotline.workorders.intake."""
from __future__ import annotations

import re
from typing import Any

from django import forms
from django.urls import reverse

from hotline.directory.models import AppealType, Category, Channel, Region
from hotline.directory.selectors import category_children, intake_taxonomy, region_choices
from hotline.desks.widgets import unit_field
from hotline.workcalendar.models import Urgency
from hotline.workorders.intake import Outcome

PHONE_RE = re.compile(r"^\+?[\d\s-]{7,20}$")
REQUIRED = {"required": "此项必填"}


def _text(label: str, max_length: int, *, required: bool = False, **attrs: Any) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": attrs.pop("rows")}) if "rows" in attrs else forms.TextInput()
    widget.attrs.update(attrs)
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=widget,
        error_messages={**REQUIRED, "max_length": f"最多 {max_length} 个字"},
    )


class IntakeForm(forms.Form):
    citizen_phone = _text("来电号码", 32, autofocus=True, autocomplete="off", inputmode="tel",
                          placeholder="输入号码查来电记录")
    citizen_name = _text("诉求人", 60, autocomplete="off")
    confidential = forms.BooleanField(label="保密（不向承办单位透露身份）", required=False)
    channel = forms.ModelChoiceField(label="受理渠道", queryset=Channel.objects.order_by("code"), empty_label=None,
                                     error_messages={**REQUIRED, "invalid_choice": "所选渠道不存在"})
    appeal_type = forms.ModelChoiceField(label="诉求类型", queryset=AppealType.objects.order_by("code"),
                                         empty_label="—", error_messages={**REQUIRED, "invalid_choice": "所选诉求类型不存在"})
    category_parent = forms.ModelChoiceField(label="一级分类", queryset=Category.objects.none(), empty_label="—",
                                             error_messages={**REQUIRED, "invalid_choice": "所选分类不存在"})
    category = forms.ModelChoiceField(label="二级分类", queryset=Category.objects.none(), required=False,
                                      empty_label="—", error_messages={"invalid_choice": "所选二级分类不属于该一级分类"})
    region = forms.TypedChoiceField(label="所属区域", coerce=int, choices=(), empty_value=None,
                                    error_messages={**REQUIRED, "invalid_choice": "所选区域不存在"})
    address = _text("详细地址", 200)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL,
                                error_messages={"invalid_choice": "紧急程度无效"})
    title = _text("标题", 200)
    content = _text("诉求内容", 4000, required=True, rows=5)
    answer = _text("答复内容（直接答复时填写）", 4000, rows=2)
    unit = unit_field(required=False, label="承办单位（立即派单时选择）")
    # Set by a duplicate hint's button (name="repeat_of" value=<number>): record this call as its repeat.
    repeat_of = forms.CharField(required=False, max_length=32, error_messages={"max_length": "工单编号过长"})
    kb_article = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    kb_query = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    kb_missing = forms.BooleanField(label="知识库未覆盖", required=False)
    outcome = forms.ChoiceField(required=False, choices=[(o, o) for o in Outcome.ALL])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taxonomy = intake_taxonomy()
        roots = Category.objects.filter(taxonomy=taxonomy, parent__isnull=True).order_by("id")
        self.fields["category_parent"].queryset = roots  # type: ignore[attr-defined]
        parent_id = self._parent_id()
        if parent_id:
            self.fields["category"].queryset = Category.objects.filter(parent_id=parent_id)  # type: ignore[attr-defined]
        self.fields["region"].choices = [("", "—"), *region_choices()]  # type: ignore[attr-defined]
        self.fields["category_parent"].widget.attrs.update({
            "hx-get": reverse("desks:operator_categories"), "hx-target": "#id_category", "hx-trigger": "change",
        })
        hints = {"hx-get": reverse("desks:operator_hints"), "hx-target": "#caller-hints", "hx-include": "#intake-form"}
        self.fields["citizen_phone"].widget.attrs.update({**hints, "hx-trigger": "input changed delay:350ms"})
        self.fields["region"].widget.attrs.update({**hints, "hx-trigger": "change"})
        self.fields["content"].widget.attrs.update({**hints, "hx-trigger": "input changed delay:800ms"})

    def _parent_id(self) -> int | None:
        raw = self.data.get(self.add_prefix("category_parent")) if self.is_bound else None
        return int(raw) if raw and str(raw).isdigit() else None

    def clean_citizen_phone(self) -> str:
        phone: str = self.cleaned_data["citizen_phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError("号码只能包含数字（7-20 位），可带空格或短横线")
        return phone

    def clean_region(self) -> Region | None:
        region_id = self.cleaned_data.get("region")
        return Region.objects.filter(pk=region_id).first() if region_id else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parent, child = data.get("category_parent"), data.get("category")
        if parent is not None and child is None and category_children(parent.pk):
            self.add_error("category", "请选择二级分类")
        data["outcome"] = Outcome.REPEAT if data.get("repeat_of") else (data.get("outcome") or Outcome.ORDER)
        return data

    def work_order_fields(self) -> dict[str, Any]:
        """The cleaned input as WorkOrder fields for the intake service."""
        d = self.cleaned_data
        return {
            "channel": d["channel"], "citizen_name": d["citizen_name"].strip(), "citizen_phone": d["citizen_phone"],
            "confidential": d["confidential"], "title": d["title"].strip(), "content": d["content"].strip(),
            "address": d["address"].strip(), "region": d["region"], "appeal_type": d["appeal_type"],
            "category": d.get("category") or d["category_parent"], "urgency": d["urgency"],
        }

