from django.contrib import admin
from django.http import HttpRequest

from hotline.workorders.models import Event, WorkOrder


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    readonly_fields = ("seq", "kind", "at", "actor", "actor_role", "from_status", "to_status", "unit", "reason", "data")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only: changes go through the transition service, never a raw edit."""

    list_display = ("number", "box", "status", "unit", "received_at", "deadline", "overdue")
    list_filter = ("box", "status", "overdue", "channel")
    search_fields = ("number",)
    exclude = ("citizen_phone",)
    inlines = [EventInline]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
