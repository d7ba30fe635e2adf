"""The `hotline` console command: a thin wrapper around Django's manage.py."""
from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    execute_from_command_line(["hotline", *args])


if __name__ == "__main__":
    main()
