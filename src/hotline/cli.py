"""The `hotline` console command: a thin wrapper around Django's manage.py."""
from __future__ import annotations

import os
import sys

# Commands that serve or drive a throwaway local instance over plain HTTP on 127.0.0.1: they opt out of
# the production defaults (a required secret key, HTTPS-only cookies, HSTS, HTTPS redirect) and say so.
LOCAL_COMMANDS = frozenset({"demo", "bench"})


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in LOCAL_COMMANDS and os.environ.get("HOTLINE_INSECURE_LOCAL") is None:
        os.environ["HOTLINE_INSECURE_LOCAL"] = "1"
        print(f"hotline {args[0]}：本机演示模式（HOTLINE_INSECURE_LOCAL=1：内置密钥、明文 HTTP、无 HSTS），"
              "不得用于生产。", file=sys.stderr)
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        engine = str(settings.DATABASES["default"]["ENGINE"])
    except ImproperlyConfigured as exc:
        # An expected misconfiguration gets one line, not a traceback.
        print(f"hotline: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if engine.endswith("sqlite3"):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    execute_from_command_line(["hotline", *args])


if __name__ == "__main__":
    main()
