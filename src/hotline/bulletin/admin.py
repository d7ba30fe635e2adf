"""Admin: staff enter the month's narrative sections; published bulletins are shown read-only."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from hotline.adminbase import ReadOnlyAdmin
from hotline.bulletin.models import BulletinText, PublishedBulletin
from hotline.bulletin.period import BulletinError, Month
from hotline.bulletin.services import enter_text
from hotline.bulletin.styles import load_style, text_keys


class BulletinTextForm(forms.ModelForm):
    class Meta:
        model = BulletinText
        fields = ["month", "style", "section", "text"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        month = data.get("month")
        if month is not None and month.day != 1:
            self.add_error("month", "请填写当月 1 日")
        try:
            keys = text_keys(load_style(data.get("style", "")))
        except BulletinError as exc:
            self.add_error("style", exc.message)
            return data
        if data.get("section") not in keys:
            self.add_error("section", f"可选栏目：{'、'.join(f'{k}（{v}）' for k, v in keys.items())}")
        return data


@admin.register(BulletinText)
class BulletinTextAdmin(admin.ModelAdmin):
    form = BulletinTextForm
    list_display = ["month", "style", "section", "entered_by", "entered_at"]
    list_filter = ["style", "section"]
    readonly_fields = ["entered_by", "entered_at"]

    def save_model(self, request: HttpRequest, obj: BulletinText, form: Any, change: bool) -> None:
        saved = enter_text(month=Month(obj.month.year, obj.month.month), style=obj.style, section=obj.section,
                           text=obj.text, actor=request.user)  # type: ignore[arg-type]
        if saved is not None:
            obj.pk = saved.pk


@admin.register(PublishedBulletin)
class PublishedBulletinAdmin(ReadOnlyAdmin):
    list_display = ["month", "style", "version", "as_of", "issued_on", "published_by", "published_at", "content_hash"]
    list_filter = ["style"]
    readonly_fields = [f.name for f in PublishedBulletin._meta.fields]
