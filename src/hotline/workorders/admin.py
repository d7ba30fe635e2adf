from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from hotline.audit.services import client_ip
from hotline.workorders.models import CODED_ACTIONS, Action, Event, ReasonCode, WorkOrder
from hotline.workorders.services import record_case_view


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    readonly_fields = ("seq", "kind", "at", "actor", "actor_role", "from_status", "to_status", "unit", "reason", "data")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only: orders come from intake (services) with their first event, and change only through the
    transition service; never a raw add or edit here."""

    list_display = ("number", "box", "status", "unit", "received_at", "deadline", "overdue")
    list_filter = ("box", "status", "overdue", "channel")
    search_fields = ("number",)
    exclude = ("citizen_phone",)
    inlines = [EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",  # type: ignore[override]
                    extra_context: Any = None) -> Any:
        # Opening a case here shows its citizen's name and address: audited like the case page.
        order = WorkOrder.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if order is not None:
            record_case_view(actor=request.user, order=order, ip=client_ip(request), via="admin")  # type: ignore[arg-type]
        return super().change_view(request, object_id, form_url, extra_context)

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
