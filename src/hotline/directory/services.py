"""Writes on the directory: integration tokens for channel integrations, the acting role of a user."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.utils import timezone

from hotline.directory.models import Channel, IntegrationToken, Role, User

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
