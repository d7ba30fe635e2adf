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
from hotline.assessment.models import AssessmentRun, CaseMark, Exemption, LeaderDay, LedgerEntry, RunStatus, Scheme
from hotline.assessment.records import (
    exempt, exempt_entry, mark_case, record_leader_day, withdraw_exemption, withdraw_mark,
)
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


def manual_line_choices() -> list[tuple[str, str]]:
    """The manual ledger lines of the newest version of every scheme (`ledger.manual`)."""
    install_shipped_schemes()
    choices = [("", "（不按方案条目，自行填写）")]
    latest: dict[str, Scheme] = {}
    for scheme in Scheme.objects.order_by("name", "-version"):
        latest.setdefault(scheme.name, scheme)
    for name, scheme in latest.items():
        for line in (scheme.definition.get("ledger") or {}).get("manual") or []:
            choices.append((f"{name}:{line['key']}", f"{name}｜{line['indicator']} {line['points']}｜{line['label']}"))
    return choices


def manual_line(value: str) -> dict[str, Any] | None:
    name, _, key = value.partition(":")
    scheme = Scheme.objects.filter(name=name).order_by("-version").first()
    lines = ((scheme.definition.get("ledger") or {}).get("manual") or []) if scheme else []
    return next((dict(line, scheme=name) for line in lines if line.get("key") == key), None)


class LedgerEntryForm(forms.ModelForm):
    """A manual entry; choosing a scheme's manual line fills indicator, points and scheme, and the
    reason must then state the evidence (what was seen, where it can be checked)."""

    line = forms.ChoiceField(label="方案条目", required=False, choices=())
    evidence = forms.CharField(label="依据（证据）", required=False, max_length=1000, widget=forms.Textarea,
                               help_text="选择方案条目时必填：证据材料、出处、日期")

    class Meta:
        model = LedgerEntry
        fields = ("unit", "month", "box", "scheme_name", "indicator", "points", "reason", "case_numbers")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = manual_line_choices()  # type: ignore[attr-defined]
        for name in ("indicator", "points", "reason"):
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        line = manual_line(data.get("line") or "") if data.get("line") else None
        if line is not None:
            data["indicator"] = data.get("indicator") or line["indicator"]
            data["points"] = data.get("points") or line["points"]
            data["scheme_name"] = data.get("scheme_name") or line["scheme"]
            if not (data.get("evidence") or "").strip():
                self.add_error("evidence", "按方案条目录入时须填写依据")
            else:
                note = (data.get("reason") or "").strip()
                data["reason"] = f"{line['label']}{'：' + note if note else ''}（依据：{data['evidence'].strip()}）"
        for name in ("indicator", "points", "reason"):
            if data.get(name) in (None, ""):
                self.add_error(name, "必填")
        return data

    def clean_points(self) -> Any:
        points = self.cleaned_data.get("points")
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

    @admin.action(description="冲销所选记录（自动规则的记录同时豁免，以后的计算不再计入）")
    def reverse(self, request: HttpRequest, queryset: QuerySet[LedgerEntry]) -> None:
        for entry in queryset:
            try:
                if entry.rule and entry.reverses_id is None:
                    exempt_entry(entry=entry, reason="管理员冲销并豁免", actor=request.user)  # type: ignore[arg-type]
                else:
                    reverse_entry(entry=entry, actor=request.user, reason="管理员冲销")  # type: ignore[arg-type]
            except AssessmentError as exc:
                self.message_user(request, f"{entry}：{exc.message}", messages.ERROR)


class _ServiceAdmin(admin.ModelAdmin):
    """Records created through their service (which checks them); shown read-only afterwards."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields] if obj else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        try:
            obj.pk = self.create(request, form.cleaned_data).pk
        except AssessmentError as exc:
            self.message_user(request, exc.message, messages.ERROR)


@admin.register(Exemption)
class ExemptionAdmin(_ServiceAdmin):
    fields = ("scheme_name", "rule", "rule_key", "unit", "month", "reason")
    list_display = ("rule", "rule_key", "unit", "month", "scheme_name", "reason", "created_by", "created_at",
                    "withdrawn_at")
    list_filter = ("rule", "scheme_name")
    search_fields = ("rule_key", "reason")
    autocomplete_fields = ("unit",)
    actions = ("withdraw",)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        month = data.get("month")
        return exempt(rule=data["rule"], rule_key=data["rule_key"], reason=data["reason"], actor=request.user,  # type: ignore[arg-type]
                      scheme_name=data.get("scheme_name") or "", unit=data.get("unit"),
                      month=month.replace(day=1) if month else None)

    @admin.action(description="撤销所选豁免")
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Exemption]) -> None:
        for item in queryset.filter(withdrawn_at__isnull=True):
            withdraw_exemption(exemption=item, actor=request.user)  # type: ignore[arg-type]


class CaseMarkForm(forms.ModelForm):
    number = forms.CharField(label="工单编号", max_length=32)

    class Meta:
        model = CaseMark
        fields = ("kind", "month", "reason")

    def clean_number(self) -> Any:
        from hotline.workorders.models import WorkOrder

        order = WorkOrder.objects.filter(number=self.cleaned_data["number"].strip()).first()
        if order is None:
            raise forms.ValidationError("没有该编号的工单")
        return order


@admin.register(CaseMark)
class CaseMarkAdmin(_ServiceAdmin):
    form = CaseMarkForm
    list_display = ("order", "kind", "unit", "month", "reason", "marked_by", "marked_at", "withdrawn_at")
    list_filter = ("kind", "month")
    actions = ("withdraw",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in CaseMark._meta.fields] if obj else ("number", "kind", "month", "reason")

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return mark_case(order=data["number"], kind=data["kind"], reason=data["reason"], actor=request.user,  # type: ignore[arg-type]
                         month=data["month"].replace(day=1))

    @admin.action(description="撤销所选标记")
    def withdraw(self, request: HttpRequest, queryset: QuerySet[CaseMark]) -> None:
        for mark in queryset.filter(withdrawn_at__isnull=True):
            withdraw_mark(mark=mark, actor=request.user)  # type: ignore[arg-type]


@admin.register(LeaderDay)
class LeaderDayAdmin(_ServiceAdmin):
    fields = ("leader", "title", "leader_user", "unit", "date", "session", "note")
    list_display = ("date", "session", "leader", "title", "unit", "calls", "supervised")
    list_filter = ("session",)
    autocomplete_fields = ("unit",)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return record_leader_day(leader=data["leader"], title=data.get("title") or "", unit=data["unit"],
                                 date=data["date"], session=data["session"], actor=request.user,  # type: ignore[arg-type]
                                 leader_user=data.get("leader_user"), note=data.get("note") or "")

    @admin.display(description="接听")
    def calls(self, obj: LeaderDay) -> int:
        from hotline.assessment.selectors import leader_day_cases

        return len(leader_day_cases(day=obj).calls)

    @admin.display(description="督办")
    def supervised(self, obj: LeaderDay) -> int:
        from hotline.assessment.selectors import leader_day_cases

        return len(leader_day_cases(day=obj).supervised)
