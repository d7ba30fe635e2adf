"""The `hotline` console command: a thin wrapper around Django's manage.py.

Before a command touches the database it checks that the database exists and is migrated, and says in
one line what to run when it is not (never creating an empty SQLite file). Expected failures (no
database server, a locked or damaged file, a full disk, Ctrl+C) end in one line, not a traceback.
Files the product creates are readable by their owner only (umask 077).
"""
from __future__ import annotations

import os
import sys

# Commands that run without a migrated database: they migrate it themselves (demo, migrate), fill an
# empty one (restore), use a throwaway one (bench) or none.
NO_DB_CHECK = frozenset({
    "migrate", "makemigrations", "sqlmigrate", "showmigrations", "squashmigrations", "check", "help", "version",
    "--help", "-h", "--version", "demo", "restore", "bench", "collectstatic", "findstatic", "shell", "dbshell",
    "test", "diffsettings", "startapp", "startproject", "compilemessages", "makemessages",
})
# File in, file out, no database: scoring a CSV with a shipped scheme, and the text classifier on CSV files
# (`classify train --from-cases` learns from the database's cases, so it is checked).
NO_DB_SUBCOMMANDS = frozenset({("assess", "score"), ("classify", "train"), ("classify", "predict"),
                               ("classify", "evaluate")})


def needs_migrated_db(args: list[str]) -> bool:
    if not args or args[0] in NO_DB_CHECK:
        return False
    if tuple(args[:2]) == ("classify", "train") and "--from-cases" in args:
        return True
    return tuple(args[:2]) not in NO_DB_SUBCOMMANDS


def database_problem() -> str | None:
    """One line saying what to run when the configured database is missing or not fully migrated."""
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    db = settings.DATABASES["default"]
    if str(db["ENGINE"]).endswith("sqlite3") and not os.path.exists(str(db["NAME"])):
        return (f"数据目录 {settings.DATA_DIR} 中还没有数据库：请先运行 `hotline migrate`"
                "（或 `hotline demo` 建库并载入示例数据），或用 HOTLINE_DATA_DIR 指向已有的数据目录")
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return f"数据库尚未建立或需要升级（{len(pending)} 个迁移未应用）：请先运行 `hotline migrate`"
    return None


def _fail(message: str, code: int = 1) -> None:
    sys.stderr.write(f"hotline: {message}\n")
    raise SystemExit(code)


# Commands that serve or drive a throwaway local instance over plain HTTP on 127.0.0.1: they opt out of
# the production defaults (a required secret key, HTTPS-only cookies, HSTS, HTTPS redirect) and say so.
LOCAL_COMMANDS = frozenset({"demo", "bench"})


def main(argv: list[str] | None = None) -> None:
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in LOCAL_COMMANDS and os.environ.get("HOTLINE_INSECURE_LOCAL") is None:
        os.environ["HOTLINE_INSECURE_LOCAL"] = "1"
        print(f"hotline {args[0]}：本机演示模式（HOTLINE_INSECURE_LOCAL=1：内置密钥、明文 HTTP、无 HSTS），"
              "不得用于生产。", file=sys.stderr)
    try:
        _run(args)
    except KeyboardInterrupt:
        _fail("已中断", 130)
    except Exception as exc:
        message = _expected(exc)
        if message is None:
            raise
        _fail(message)


def _run(args: list[str]) -> None:
    import django
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        engine = str(settings.DATABASES["default"]["ENGINE"])
    except ImproperlyConfigured as exc:  # an expected misconfiguration: one line, not a traceback
        _fail(str(exc), 2)
    except ValueError as exc:  # a malformed HOTLINE_DATABASE_URL
        _fail(f"配置错误：{exc}")
    if engine.endswith("sqlite3"):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    if needs_migrated_db(args):
        django.setup()
        problem = database_problem()
        if problem:
            _fail(problem, 2)
    execute_from_command_line(["hotline", *args])


def _expected(exc: BaseException) -> str | None:
    """The one-line message for a failure the environment causes, or None for a bug (shown in full)."""
    from django.db import DatabaseError, InterfaceError

    if isinstance(exc, (DatabaseError, InterfaceError)):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"数据库错误：{first}（检查数据库是否可用；SQLite 文件可用 `hotline integrity` 检查）"
    if isinstance(exc, OSError):
        return f"文件或系统错误：{exc.strerror or exc}" + (f"：{exc.filename}" if exc.filename else "")
    return None


if __name__ == "__main__":
    main()
