from django import forms
from django.contrib import admin
from django.http import HttpRequest

from hotline.workorders.models import CODED_ACTIONS, Action, Event, PhoneAccess, ReasonCode, WorkOrder


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


@admin.register(PhoneAccess)
class PhoneAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "order", "via")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class ReasonCodeForm(forms.ModelForm):
    actions = forms.MultipleChoiceField(
        label="适用动作", choices=[(a, Action(a).label) for a in CODED_ACTIONS], widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ReasonCode
        fields = ("code", "label", "actions", "upheld", "active", "order")


@admin.register(ReasonCode)
class ReasonCodeAdmin(admin.ModelAdmin):
    """Administrators edit the lists; a code is deactivated, never deleted (events keep citing it)."""

    form = ReasonCodeForm
    list_display = ("code", "label", "actions", "upheld", "active", "order")
    list_filter = ("active",)
    list_editable = ("label", "active", "order")
    search_fields = ("code", "label")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
