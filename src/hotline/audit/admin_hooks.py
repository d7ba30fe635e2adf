"""Changes made in the Django admin reach the audit trail, with the request's address.

Django's admin logs each change through three ModelAdmin methods (log_addition, log_change,
log_deletions); a bulk delete writes its LogEntry rows with bulk_create, which sends no signal, so
the methods themselves are wrapped, once, for every admin class. Infrastructure, not a business rule.
"""
from __future__ import annotations

import functools
from typing import Any

from django.contrib import admin

from hotline.audit.models import AuditAction

_FLAGS = {"log_addition": "add", "log_change": "change", "log_deletions": "delete"}


def _wrap(name: str) -> None:
    original = getattr(admin.ModelAdmin, name)
    if getattr(original, "_audited", False):
        return

    @functools.wraps(original)
    def logged(self: admin.ModelAdmin, request: Any, target: Any, *args: Any) -> Any:
        from hotline.audit.services import client_ip, record_access

        result = original(self, request, target, *args)
        objects = list(target) if name == "log_deletions" else [target]
        record_access(
            actor=request.user, action=AuditAction.ADMIN_CHANGE, ip=client_ip(request),
            obj=objects[0] if len(objects) == 1 and name != "log_deletions" else None,
            detail={"flag": _FLAGS[name], "model": self.model._meta.label_lower,
                    "objects": [f"{o.pk}: {str(o)[:80]}" for o in objects[:100]], "count": len(objects),
                    "message": args[0] if args else ""},
        )
        return result

    logged._audited = True  # type: ignore[attr-defined]
    setattr(admin.ModelAdmin, name, logged)


def install() -> None:
    for name in _FLAGS:
        _wrap(name)
