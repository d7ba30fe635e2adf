"""`hotline token create|revoke|list`: integration tokens for channel integrations."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.directory.models import Channel, IntegrationToken
from hotline.directory.services import TokenError, create_integration_token, revoke_integration_token


class Command(BaseCommand):
    help = "Issue, revoke and list integration tokens (the raw token is printed once, at creation)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create")
        create.add_argument("--channel", required=True, help="channel code, e.g. wechat")
        create.add_argument("--source", required=True, help="integration name; idempotency keys are scoped to it")
        create.add_argument("--name", required=True, help="a label for administrators")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("--prefix", required=True, help="the token prefix shown by `list`")
        sub.add_parser("list")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"_{opts['verb']}")(opts)

    def _create(self, opts: dict[str, Any]) -> None:
        channel = Channel.objects.filter(code=opts["channel"]).first()
        if channel is None:
            raise CommandError(f"--channel: unknown channel code {opts['channel']!r}")
        try:
            _, raw = create_integration_token(name=opts["name"], channel=channel, source=opts["source"])
        except TokenError as exc:
            raise CommandError(f"--{exc.field}: {exc.message}") from exc
        self.stdout.write(raw)

    def _revoke(self, opts: dict[str, Any]) -> None:
        tokens = list(IntegrationToken.objects.filter(prefix=opts["prefix"]))
        if len(tokens) != 1:
            raise CommandError(f"--prefix: {len(tokens)} tokens match {opts['prefix']!r}; need exactly one")
        revoke_integration_token(token=tokens[0])
        self.stdout.write(f"revoked {tokens[0].prefix}")

    def _list(self, opts: dict[str, Any]) -> None:
        for t in IntegrationToken.objects.select_related("channel").order_by("id"):
            state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
            self.stdout.write(f"{t.prefix}\t{t.channel.code}\t{t.source}\t{t.name}\t{state}")
