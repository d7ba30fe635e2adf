"""Hash chains: each row's hash covers its own content and the previous row's hash.

Pure functions shared by every chained table (the audit trail, the work-order events). The content is
serialised canonically (JSON, object keys sorted, times as integer microseconds since the Unix epoch),
so a row read back from either database hashes exactly as it did when written. (Integer times, not ISO
strings: formatting a time cost more than the hash itself when chaining 7M generated events.)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
MICROSECOND = dt.timedelta(microseconds=1)
GENESIS = ""  # the "previous hash" of a chain's first row

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def stamp(moment: dt.datetime | None) -> int | None:
    """A time as the chain hashes it: microseconds since the epoch, whatever zone the value came in."""
    if moment is None:
        return None
    return (moment - EPOCH) // MICROSECOND


def digest(prev: str, parts: list[Any]) -> str:
    """SHA-256 (hex) over the previous hash and the row's content in a fixed order."""
    return hashlib.sha256(_dumps([prev, parts]).encode()).hexdigest()


class Broken(Exception):
    """A chain check found a row whose stored hash, order or link does not hold."""

    def __init__(self, chain: str, row: str, reason: str) -> None:
        super().__init__(f"{chain}: {row}: {reason}")
        self.chain, self.row, self.reason = chain, row, reason
