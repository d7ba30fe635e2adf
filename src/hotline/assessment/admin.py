"""Admin: schemes are edited as data (copy as a new version, then edit until first used); runs and the
ledger are read-only records, changed only through their services."""
from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from hotline.assessment.definition import DefinitionError, compile_definition
from hotline.assessment.ledger import add_entry, reverse_entry
from hotline.assessment.models import AssessmentRun, LedgerEntry, RunStatus, Scheme
from hotline.assessment.services import (
    AssessmentError, copy_scheme, create_scheme, free_name, install_shipped_schemes, publish_run, update_scheme,
)


class SchemeForm(forms.ModelForm):
    class Meta:
        model = Scheme
        fields = ("name", "definition", "note")

    def clean_name(self) -> str:
        name = (self.cleaned_data.get("name") or "").strip()
        if self.instance.pk is None and Scheme.objects.filter(name=name).exists():
            raise forms.ValidationError("已有同名方案；请在列表中选择它并“复制为新版本”")
        return name

    def clean_definition(self) -> Any:
        data = self.cleaned_data["definition"]
        try:
            compile_definition(dict(data, name=self.cleaned_data.get("name") or data.get("name", "")))
        except DefinitionError as exc:
            raise forms.ValidationError(str(exc)) from None
        except (TypeError, AttributeError):
            raise forms.ValidationError("方案定义须为 JSON 对象") from None
        return data


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    form = SchemeForm
    list_display = ("name", "version", "title", "frozen", "created_by", "created_at")
    list_filter = ("name", "frozen")
    actions = ("copy_as_new_version", "copy_as_new_scheme")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        install_shipped_schemes()
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request: HttpRequest, obj: Scheme | None = None) -> Any:
        if obj is None:
            return ()
        if obj.frozen:
            return ("name", "version", "definition_text", "note", "copied_from", "created_by")
        return ("name", "version", "copied_from", "created_by")

    def get_fields(self, request: HttpRequest, obj: Scheme | None = None) -> Any:
        if obj is not None and obj.frozen:
            return ("name", "version", "note", "copied_from", "created_by", "definition_text")
        return ("name", "version", "note", "copied_from", "created_by", "definition") if obj else ("name", "definition", "note")

    @admin.display(description="定义")
    def definition_text(self, obj: Scheme) -> str:
        return json.dumps(obj.definition, ensure_ascii=False, indent=2)

    def has_delete_permission(self, request: HttpRequest, obj: Scheme | None = None) -> bool:
        return obj is not None and not obj.frozen and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Scheme, form: Any, change: bool) -> None:
        try:
            if change:
                update_scheme(scheme=obj, definition=form.cleaned_data["definition"], actor=request.user)  # type: ignore[arg-type]
            else:
                created = create_scheme(name=obj.name, definition=form.cleaned_data["definition"],
                                        actor=request.user, note=obj.note)  # type: ignore[arg-type]
                obj.pk = created.pk
        except AssessmentError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    @admin.action(description="复制为新版本")
    def copy_as_new_version(self, request: HttpRequest, queryset: QuerySet[Scheme]) -> None:
        for scheme in queryset:
            new = copy_scheme(scheme=scheme, actor=request.user)  # type: ignore[arg-type]
            self.message_user(request, f"已创建 {new}（可修改，首次用于考核后冻结）")

    @admin.action(description="复制为新方案")
    def copy_as_new_scheme(self, request: HttpRequest, queryset: QuerySet[Scheme]) -> None:
        for scheme in queryset:
            new = copy_scheme(scheme=scheme, actor=request.user, new_name=free_name(f"{scheme.name}-copy"))  # type: ignore[arg-type]
            self.message_user(request, f"已创建 {new}；请修改名称与参数")


@admin.register(AssessmentRun)
class AssessmentRunAdmin(admin.ModelAdmin):
    list_display = ("scheme_name", "month", "version", "status", "scheme_version", "as_of", "created_at",
                    "published_at")
    list_filter = ("scheme_name", "status", "month")
    actions = ("publish",)

    def get_readonly_fields(self, request: HttpRequest, obj: AssessmentRun | None = None) -> Any:
        return [f.name for f in AssessmentRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AssessmentRun | None = None) -> bool:
        return False

    @admin.action(description="发布（冻结）")
    def publish(self, request: HttpRequest, queryset: QuerySet[AssessmentRun]) -> None:
        for run in queryset.filter(status=RunStatus.DRAFT):
            try:
                publish_run(run=run, actor=request.user)  # type: ignore[arg-type]
                self.message_user(request, f"已发布 {run}")
            except AssessmentError as exc:
                self.message_user(request, f"{run}：{exc.message}", messages.ERROR)


class LedgerEntryForm(forms.ModelForm):
    class Meta:
        model = LedgerEntry
        fields = ("unit", "month", "box", "scheme_name", "indicator", "points", "reason", "case_numbers")

    def clean_points(self) -> Any:
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError("分值不能为 0")
        return points

    def clean_box(self) -> str:
        box = self.cleaned_data["box"]
        if box not in ("hotline", "mailbox"):
            raise forms.ValidationError("业务须为 hotline 或 mailbox")
        return box

    def clean_case_numbers(self) -> Any:
        numbers = self.cleaned_data.get("case_numbers") or []
        if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
            raise forms.ValidationError("工单/信件编号须为字符串列表")
        return numbers


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    form = LedgerEntryForm
    list_display = ("unit", "month", "box", "indicator", "points", "rule", "entered_by", "entered_at", "reverses")
    list_filter = ("box", "month", "indicator", "rule")
    search_fields = ("unit__name", "reason")
    autocomplete_fields = ("unit",)
    actions = ("reverse",)

    def get_readonly_fields(self, request: HttpRequest, obj: LedgerEntry | None = None) -> Any:
        return [f.name for f in LedgerEntry._meta.fields] if obj else ()

    def has_delete_permission(self, request: HttpRequest, obj: LedgerEntry | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: LedgerEntry, form: Any, change: bool) -> None:
        if change:
            return
        data = form.cleaned_data
        try:
            created = add_entry(
                unit=data["unit"], month=data["month"].replace(day=1), box=data["box"],
                scheme_name=data.get("scheme_name") or "", indicator=data["indicator"], points=data["points"],
                reason=data["reason"], case_numbers=data.get("case_numbers") or [], actor=request.user,  # type: ignore[arg-type]
            )
            obj.pk = created.pk
        except AssessmentError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    @admin.action(description="冲销所选记录")
    def reverse(self, request: HttpRequest, queryset: QuerySet[LedgerEntry]) -> None:
        for entry in queryset:
            try:
                reverse_entry(entry=entry, actor=request.user, reason="管理员冲销")  # type: ignore[arg-type]
            except AssessmentError as exc:
                self.message_user(request, f"{entry}：{exc.message}", messages.ERROR)
