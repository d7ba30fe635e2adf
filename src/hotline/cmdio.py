"""Raw writers over a management command's OutputWrapper, which would append a newline to each write."""
from __future__ import annotations

from typing import Any

from django.core.management.base import OutputWrapper


class RawStream:
    """Writes text as given: tqdm's carriage-return updates (stderr) or whole exported lines (stdout)."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, s: str) -> None:
        self.out.write(s, ending="")

    def flush(self) -> None:
        self.out.flush()


def cli_user(username: str | None, *, hint: str) -> Any:
    """The active user a command acts as (`--as USER`); a one-line error otherwise."""
    from django.core.management.base import CommandError

    from hotline.directory.models import User

    if not username:
        raise CommandError(f"请用 --as 指定以哪个用户的身份运行：{hint}")
    user = User.objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(f"--as {username}: 没有这个在用的用户")
    return user
