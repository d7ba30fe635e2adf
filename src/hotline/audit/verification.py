"""`hotline audit verify`: every registered chain is checked; the first broken row is named.

The audit trail's own chain is registered here; other apps register theirs in their AppConfig.ready()
(the work-order events: hotline.workorders.chain), so this app never imports them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hotline.audit.chain import GENESIS, Broken, digest
from hotline.audit.models import AuditEntry, AuditHead


@dataclass(frozen=True)
class ChainReport:
    name: str
    rows: int
    head: str  # the last hash: record it outside the database to anchor the chain


Check = Callable[[], ChainReport]  # raises Broken at the first bad row
CHECKS: dict[str, Check] = {}


def register(name: str, check: Check) -> None:
    CHECKS[name] = check


def verify_audit() -> ChainReport:
    from hotline.audit.services import entry_parts

    prev, expected = GENESIS, 1
    rows = AuditEntry.objects.order_by("seq").values_list(
        "id", "seq", "at", "actor_id", "actor_name", "ip", "action", "object_type", "object_id", "object_repr",
        "citizen_phone", "detail", "prev_hash", "hash")
    for (pk, seq, at, actor_id, actor_name, ip, action, object_type, object_id, object_repr, phone, detail,
         prev_hash, stored) in rows.iterator(chunk_size=2000):
        row = f"审计记录 id={pk} (seq {seq})"
        if seq != expected:
            raise Broken("audit", row, f"expected seq {expected}: rows missing or reordered")
        if prev_hash != prev:
            raise Broken("audit", row, "prev_hash does not match the previous row's hash")
        parts = entry_parts(seq=seq, at=at, actor_id=actor_id, actor_name=actor_name, ip=ip, action=action,
                            object_type=object_type, object_id=object_id, object_repr=object_repr,
                            citizen_phone=phone, detail=detail)
        if digest(prev, parts) != stored:
            raise Broken("audit", row, "content does not match its hash (the row was edited)")
        prev, expected = stored, expected + 1
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first() or (0, GENESIS)
    if head != (expected - 1, prev):
        raise Broken("audit", f"chain head (seq {head[0]})",
                     f"the newest row is seq {expected - 1}: rows after it were deleted or the head was edited")
    return ChainReport("audit", expected - 1, prev)


register("audit", verify_audit)


def verify_all() -> list[ChainReport]:
    """Check every chain; raises Broken at the first broken row of the first broken chain."""
    return [check() for check in CHECKS.values()]
