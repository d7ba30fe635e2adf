"""Django's file-based cache, creating its directory on the first write instead of at start-up (Django's
system checks instantiate every cache, so each command would otherwise create it in the data directory)."""
from __future__ import annotations

import os
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.filebased import FileBasedCache


class LazyFileBasedCache(FileBasedCache):
    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        BaseCache.__init__(self, params)
        self._dir = os.path.abspath(dir)
