"""Forms of the dispatcher desk: queue filters, bulk dispatch, one case's (re-)dispatch. Input checks only."""
from __future__ import annotations

from typing import Any

from django import forms

from hotline.directory.models import Category, Channel
from hotline.directory.selectors import category_subtree_ids, intake_taxonomy, region_choices
from hotline.desks.widgets import unit_field
from hotline.workorders.models import Status

STATUS_CHOICES = [("", "全部待派"), (Status.NEW, "新受理"), (Status.RETURNED, "退回待改派")]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=STATUS_CHOICES, required=False,
                               error_messages={"invalid_choice": "状态无效"})
    channel = forms.ModelChoiceField(label="渠道", queryset=Channel.objects.order_by("code"), required=False,
                                     empty_label="全部渠道", error_messages={"invalid_choice": "渠道不存在"})
    category = forms.ModelChoiceField(label="分类", queryset=Category.objects.none(), required=False,
                                      empty_label="全部分类", error_messages={"invalid_choice": "分类不存在"})
    region = forms.TypedChoiceField(label="区域", coerce=int, choices=(), required=False, empty_value=None,
                                    error_messages={"invalid_choice": "区域不存在"})
    disputed = forms.BooleanField(label="只看争议工单", required=False)
    q = forms.CharField(label="编号/电话/姓名", required=False, max_length=40,
                        error_messages={"max_length": "最多 40 个字"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
            taxonomy=intake_taxonomy(), parent__isnull=True).order_by("id")
        self.fields["region"].choices = [("", "全部区域"), *region_choices()]  # type: ignore[attr-defined]
        for name in ("status", "channel", "category", "region"):
            self.fields[name].widget.attrs["data-autosubmit"] = ""

    def queue_kwargs(self) -> dict[str, Any]:
        """Selector arguments from the valid filters; a bad filter is reported on the form and left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        d = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        category = d.get("category")
        return {
            "status": d.get("status") or "", "channel_id": d["channel"].pk if d.get("channel") else None,
            "region_id": d.get("region"), "disputed": bool(d.get("disputed")), "q": d.get("q") or "",
            "category_ids": category_subtree_ids(category.pk) if category else None,
        }


class BulkDispatchForm(forms.Form):
    """The picked rows arrive as `picks` (case numbers) with a hidden `v-<number>` each: see picked_items()."""

    unit = unit_field(required=False, label="派往单位（不选则按建议单位）")
    reason = forms.CharField(label="改派理由（退回件必填）", required=False, max_length=500,
                             error_messages={"max_length": "最多 500 个字"})

    MAX_PICKS = 100

    def picked(self) -> list[tuple[str, int | None]]:
        """(number, version seen) of each picked row; checked on clean()."""
        out = []
        for number in self.data.getlist("picks")[: self.MAX_PICKS]:  # type: ignore[attr-defined]
            raw = self.data.get(f"v-{number}", "")
            out.append((number.strip()[:32], int(raw) if raw.isdigit() else None))
        return [(n, v) for n, v in out if n]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.picked():
            raise forms.ValidationError("请先勾选要派单的工单")
        return data


class DispatchOneForm(forms.Form):
    unit = unit_field(required=True)
    reason = forms.CharField(label="派单说明 / 改派理由", required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}), error_messages={"max_length": "最多 500 个字"})
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0,
                                 error_messages={"required": "缺少版本号，请刷新页面", "invalid": "版本号无效，请刷新页面"})
