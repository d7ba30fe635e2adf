from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from hotline.directory.models import (
    AppealType, Category, Channel, DispatchRule, IntegrationToken, Region, Tag, Unit, User,
)


@admin.register(User)
class HotlineUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "role", "unit", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("热线角色", {"fields": ("role", "unit")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("热线角色", {"fields": ("role", "unit")}))
    autocomplete_fields = ("unit",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "city", "group", "parent", "active")
    list_filter = ("city", "group", "active")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent", "region")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "taxonomy", "depth", "parent", "hot")
    list_filter = ("taxonomy", "depth", "hot")
    search_fields = ("name",)
    autocomplete_fields = ("parent",)


admin.site.register(Channel, list_display=("name", "code", "upper_platform", "reply_days"))
admin.site.register(AppealType, list_display=("name", "code"))
admin.site.register(Tag, list_display=("name", "code"))


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `hotline token create` (the raw value is shown once); here only listed and revoked."""

    list_display = ("name", "prefix", "channel", "source", "revoked_at")
    readonly_fields = ("name", "prefix", "channel", "source", "token_hash", "created_by", "revoked_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):
    """The category x region -> unit table behind the dispatcher desk's suggested unit."""

    list_display = ("category", "region", "unit", "note")
    list_filter = ("category__taxonomy", "unit__group")
    search_fields = ("category__name", "region__name", "unit__name")
    autocomplete_fields = ("category", "region", "unit")
    list_select_related = ("category", "region", "unit")
