"""Backup and restore of the whole database: SQLite's online backup API (safe while the server writes),
pg_dump / pg_restore for PostgreSQL. A restore goes into an empty database only, then migrates it to
this version and verifies the hash chains (docs/decisions.md, "Backup and restore")."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class BackupResult:
    path: Path
    vendor: str
    size: int


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def backup(*, out: Path) -> BackupResult:
    """Write a consistent copy of the database to `out` (beside it first, renamed when complete)."""
    tmp = _partial(out)
    try:
        if connection.vendor == "sqlite":
            _sqlite_backup(Path(str(connection.settings_dict["NAME"])), tmp)
        elif connection.vendor == "postgresql":
            _pg(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(tmp)],
                connection.settings_dict)
        else:
            raise BackupError(f"不支持的数据库：{connection.vendor}")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(out, connection.vendor, out.stat().st_size)


def _sqlite_backup(source: Path, target: Path) -> None:
    # The online backup API copies a consistent snapshot while other connections keep writing (WAL).
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg(argv: list[str], db: dict[str, Any], *, database: str | None = None) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"找不到 {argv[0]}：请安装 PostgreSQL 客户端（Debian: postgresql-client）")
    env = dict(os.environ, PGPASSWORD=str(db.get("PASSWORD") or ""))
    conn = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or "5432"),
            "--username", str(db.get("USER") or "")]
    result = subprocess.run([*argv, *conn, "--dbname", database or str(db["NAME"])], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["?"])[-1]
        raise BackupError(f"{argv[0]} 失败：{detail}")


def kind_of(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} 不是 hotline 备份文件（既非 SQLite 数据库，也非 pg_dump 归档）")


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(*, path: Path) -> str:
    """Load a backup into the configured, empty database; returns the vendor."""
    kind = kind_of(path)
    if kind != connection.vendor:
        raise BackupError(f"这是 {kind} 的备份，当前配置的数据库是 {connection.vendor}：请恢复到同类数据库")
    if not database_is_empty():
        raise BackupError("目标数据库不是空的：只能恢复到空的数据目录或空数据库（请另设 HOTLINE_DATA_DIR 或新建数据库）")
    if kind == "sqlite":
        _sqlite_restore(path, Path(str(connection.settings_dict["NAME"])))
    else:
        _pg(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", str(path)],
            connection.settings_dict)
    connection.close()
    return kind


def _sqlite_restore(path: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = src.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"备份文件已损坏：{verdict}")
        connection.close()  # the empty database file is replaced under Django's feet
        tmp = _partial(target)
        dst = sqlite3.connect(tmp)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
        os.replace(tmp, target)
        for suffix in ("-wal", "-shm"):  # journal files of the empty database must not be replayed
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    finally:
        src.close()
