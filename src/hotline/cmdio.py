"""Raw writers over a management command's OutputWrapper, which would append a newline to each write."""
from __future__ import annotations

from django.core.management.base import OutputWrapper


class RawStream:
    """Writes text as given: tqdm's carriage-return updates (stderr) or whole exported lines (stdout)."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, s: str) -> None:
        self.out.write(s, ending="")

    def flush(self) -> None:
        self.out.flush()
