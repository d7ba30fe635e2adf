"""Reads of the audit trail."""
from __future__ import annotations

from django.db.models import QuerySet

from hotline.audit.models import AuditEntry


def citizen_trail(*, citizen_phone: str) -> QuerySet[AuditEntry]:
    """Who looked at or changed this citizen's data, newest first."""
    return AuditEntry.objects.filter(citizen_phone=citizen_phone.strip()).select_related("actor").order_by("-seq")


def user_trail(*, user_id: int) -> QuerySet[AuditEntry]:
    """What one user looked at or changed, newest first."""
    return AuditEntry.objects.filter(actor_id=user_id).order_by("-seq")
