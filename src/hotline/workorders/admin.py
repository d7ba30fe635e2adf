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

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(PhoneAccess)
class PhoneAccessAdmin(admin.ModelAdmin):
    """Audit rows are written only by the audited reveal (selectors.reveal_phone); here they are only read."""

    list_display = ("at", "user", "order", "via")
    list_select_related = ("user", "order")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

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
