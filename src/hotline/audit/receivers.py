"""Changes made in the Django admin reach the audit trail: Django writes a LogEntry for each one."""
from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry
from django.db.models.signals import post_save
from django.dispatch import receiver

from hotline.audit.models import AuditAction


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_change")
def _admin_change(sender: type[LogEntry], instance: LogEntry, created: bool, **kwargs: Any) -> None:
    # Infrastructure, not a business rule: the admin offers no hook with the request for every change.
    if not created:
        return
    from hotline.audit.services import record_access

    record_access(
        actor=instance.user, action=AuditAction.ADMIN_CHANGE, obj=None,
        detail={"model": str(instance.content_type) if instance.content_type_id else "",
                "object_id": instance.object_id or "", "object": instance.object_repr,
                "flag": {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, str(instance.action_flag)),
                "message": instance.get_change_message()},
    )
