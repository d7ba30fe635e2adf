"""Admin building blocks shared by the apps."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """An admin that lists and shows rows but never adds, changes or deletes them.

    For records that only a service writes (audit trail, published bulletins, knowledge articles and
    their versions): the admin is a window onto them, and a write there would bypass the service's rules.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
