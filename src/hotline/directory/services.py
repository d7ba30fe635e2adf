"""Writes on the directory: integration tokens for channel integrations, the acting role of a user."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.directory.models import Channel, IdempotencyRecord, IntegrationToken, Role, User

TOKEN_PREFIX = "hlt_"


class TokenError(ValueError):
    """Bad input for a token operation; `field` names it."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_integration_token(
    *, name: str, channel: Channel, source: str, created_by: User | None = None,
) -> tuple[IntegrationToken, str]:
    """Issue a token bound to one channel and source. Returns the row and the raw token (shown only once)."""
    name, source = name.strip(), source.strip()
    if not name:
        raise TokenError("name is required", field="name")
    if not source:
        raise TokenError("source is required", field="source")
    if len(source) > IntegrationToken._meta.get_field("source").max_length:  # type: ignore[operator]
        raise TokenError("source is too long", field="source")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = IntegrationToken.objects.create(
        name=name, channel=channel, source=source, token_hash=token_digest(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 6], created_by=created_by,
    )
    return token, raw


def revoke_integration_token(*, token: IntegrationToken, at: dt.datetime | None = None) -> IntegrationToken:
    """Revoke a token; revoking twice keeps the first revocation time."""
    if token.revoked_at is None:
        token.revoked_at = at or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def active_integration_token(raw: str) -> IntegrationToken | None:
    """The live token for a presented bearer value, or None (unknown or revoked)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    rows = IntegrationToken.objects.select_related("channel").filter(
        token_hash=token_digest(raw), revoked_at__isnull=True,
    ).order_by()[:1]
    return next(iter(rows), None)


class RoleError(ValueError):
    """A role switch the user may not make."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = "role"


def switch_role(*, user: User, role: str) -> User:
    """Make `role` the user's acting role. Only roles the user holds; a unit handler role needs a unit."""
    if role not in Role.values or role == Role.SYSTEM:
        raise RoleError("未知角色")
    if role not in user.held_roles:
        raise RoleError("您未被授予该角色")
    if role == Role.UNIT_HANDLER and user.unit_id is None:
        raise RoleError("承办单位角色须绑定承办单位")
    if role != user.role:
        others = [r for r in user.held_roles if r != role]
        user.role, user.extra_roles = role, others
        user.save(update_fields=["role", "extra_roles"])
    return user


# --- idempotent API calls -----------------------------------------------------------------------

class IdempotencyConflict(ValueError):
    """The key was used before by this user for a different request."""


def request_fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def run_once(
    *, user: User, key: str, fingerprint: str, work: Callable[[], tuple[int, dict[str, Any]]],
) -> tuple[int, dict[str, Any], bool]:
    """Run `work` (returning status and JSON body) once per (user, key); a retry gets the first answer.

    Returns (status, body, replayed). The record is claimed first, in the same transaction as the work: a
    concurrent duplicate waits on the unique key (or on SQLite's write lock) and then replays the answer, and
    work that fails rolls the claim back, so a failed call may be retried with the same key. Raises
    IdempotencyConflict when the key was used for a different request.
    """
    def stored() -> IdempotencyRecord | None:
        return IdempotencyRecord.objects.filter(user=user, key=key).first()

    def replay(record: IdempotencyRecord) -> tuple[int, dict[str, Any], bool]:
        if record.fingerprint != fingerprint:
            raise IdempotencyConflict("该幂等键已用于另一个不同的请求")
        return record.status, record.body, True

    record = stored()
    if record is not None:
        return replay(record)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(user=user, key=key, fingerprint=fingerprint, status=0, body={})
            status, body = work()
            if 200 <= status < 300:
                record.status, record.body = status, body
                record.save(update_fields=["status", "body"])
            else:
                record.delete()
    except IntegrityError:
        record = stored()
        if record is None:
            raise
        return replay(record)
    return status, body, False
