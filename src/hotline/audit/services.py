"""Writes of the audit trail. Every page, API endpoint and command that shows personal information or
changes something calls `record_access` (see docs/decisions.md, "Audit trail")."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from hotline.audit.chain import digest, stamp
from hotline.audit.models import AuditEntry, AuditHead

CLI = "cli"  # the `ip` of rows written by a command-line run


def entry_parts(*, seq: int, at: dt.datetime, actor_id: int | None, actor_name: str, ip: str, action: str,
                object_type: str, object_id: str, object_repr: str, citizen_phone: str,
                detail: Any) -> list[Any]:
    """The content an audit row's hash covers, in a fixed order (shared with verification)."""
    return [seq, stamp(at), actor_id, actor_name, ip, action, object_type, object_id, object_repr,
            citizen_phone, detail]


def client_ip(request: HttpRequest) -> str:
    """The caller's address. Behind a reverse proxy (HOTLINE_BEHIND_PROXY=1) the last X-Forwarded-For hop,
    which the proxy itself appended; otherwise the socket's peer, which a client cannot forge."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def record_access(
    *, actor: Any, action: str, obj: models.Model | None = None, citizen_phone: str = "", ip: str = "",
    detail: dict[str, Any] | None = None, at: dt.datetime | None = None,
) -> AuditEntry:
    """Append one audit row: who (`actor`, a User or None for the system), from where (`ip`, or CLI),
    what (`action`, an AuditAction), which object (`obj`), which citizen (`citizen_phone`), plus a JSON
    `detail`. Chained to the previous row under a lock on the chain head."""
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    actor_name = actor.get_username() if actor_id else ""
    values: dict[str, Any] = {
        "at": at or timezone.now(), "actor_id": actor_id, "actor_name": actor_name, "ip": ip[:64],
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "object_repr": str(obj)[:200] if obj is not None else "",
        "citizen_phone": (citizen_phone or "")[:32], "detail": _json_safe(detail or {}),
    }
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:  # a fresh table (or one a test flushed): the head row is created once
            head, _ = AuditHead.objects.get_or_create(pk=1)
            head = AuditHead.objects.select_for_update().get(pk=1)
        seq = head.seq + 1
        entry = AuditEntry(seq=seq, prev_hash=head.hash, **values)
        entry.hash = digest(head.hash, entry_parts(seq=seq, **values))
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=entry.hash)
    return entry


def _json_safe(value: Any) -> Any:
    """Detail as it will read back from the JSON column (dates and other objects as strings), so that the
    hash computed now equals the one recomputed by verify."""
    import json

    return json.loads(json.dumps(value, ensure_ascii=False, default=str))
