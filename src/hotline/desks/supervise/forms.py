"""One form per supervisor action, with only that action's fields (Chinese messages)."""
from __future__ import annotations

from typing import Any

from django import forms

from hotline.directory.models import User
from hotline.workorders.reports import NOTE_MAX, leaders

REASON_MAX = 500


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "缺少版本号，请刷新页面"})


class VerifyForm(_Versioned):
    upheld = forms.TypedChoiceField(
        label="核实结论", choices=[("true", "属实（不满意成立）"), ("false", "不属实")], widget=forms.RadioSelect,
        coerce=lambda v: v == "true", error_messages={"required": "请选择核实结论"},
    )
    reason = forms.CharField(label="核实情况", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写核实情况",
                                             "max_length": f"核实情况不能超过 {REASON_MAX} 字"})


class SuperviseForm(_Versioned):
    reason = forms.CharField(label="督办意见", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写督办意见",
                                             "max_length": f"督办意见不能超过 {REASON_MAX} 字"})
    days = forms.IntegerField(label="督办时限（工作日）", required=False, min_value=1, max_value=30,
                              help_text="留空则按办理时限规则", widget=forms.NumberInput(attrs={"style": "width:6rem"}),
                              error_messages={"min_value": "督办时限应为 1 至 30 个工作日",
                                              "max_value": "督办时限应为 1 至 30 个工作日",
                                              "invalid": "请输入整数"})


class LeaderField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class ReportForm(_Versioned):
    leader = LeaderField(label="报送领导", queryset=User.objects.none(), empty_label="请选择领导",
                         error_messages={"required": "请选择报送领导", "invalid_choice": "请选择列表中的领导"})
    note = forms.CharField(label="报送说明", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写报送说明", "max_length": f"报送说明不能超过 {NOTE_MAX} 字"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["leader"]
        assert isinstance(field, LeaderField)
        field.queryset = leaders()


class UnitPickForm(forms.Form):
    unit = forms.IntegerField(required=False)
