"""One form per action; Chinese errors next to each field."""
from __future__ import annotations

from django import forms

from hotline.directory.models import Unit


class ArticleForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="正文", max_length=20000, widget=forms.Textarea(attrs={"rows": 12}))
    keywords = forms.CharField(label="关键词", max_length=300, required=False, help_text="以空格或逗号分隔")
    public = forms.BooleanField(label="可公开（公众渠道可见）", required=False, initial=True)
    valid_from = forms.DateField(label="生效日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label="有效期至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="修改说明", max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=500)


class DutyForm(forms.Form):
    unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.filter(active=True))
    title = forms.CharField(label="任务", max_length=200)
    reason = forms.CharField(label="原因", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    working_days = forms.IntegerField(label="时限（工作日）", min_value=1, max_value=30, initial=5)


class PanelSearchForm(forms.Form):
    q = forms.CharField(label="检索知识库", max_length=200, required=False)
