"""The audit trail in the admin: read-only; filter by user, search by citizen phone ("who looked at
this citizen's data")."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hotline.adminbase import ReadOnlyAdmin
from hotline.audit.models import AuditEntry


class CitizenPhoneFilter(admin.SimpleListFilter):
    """?citizen=<phone> keeps the rows about that citizen; the search box does the same."""

    title = "诉求人电话"
    parameter_name = "citizen"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = request.GET.get(self.parameter_name, "")
        return [(value, value)] if value else []

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        return queryset.filter(citizen_phone=value.strip()) if value else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_name", "ip", "action", "object_repr", "citizen_phone")
    list_filter = ("action", ("actor", admin.RelatedOnlyFieldListFilter), CitizenPhoneFilter)
    search_fields = ("=citizen_phone", "=actor_name", "=object_repr")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    list_select_related = ("actor",)
