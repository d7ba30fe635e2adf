"""`hotline backup` / `hotline restore`: a demo database round-trips into an empty data directory (SQLite)
or an empty database (PostgreSQL) with the same row counts and an intact audit and event chain."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from hotline.audit.models import AuditAction, AuditEntry
from hotline.audit.services import record_access
from hotline.workorders.demo import MIN_CASES, set_up_demo

TABLES = ["workorders_workorder", "workorders_event", "workorders_tenure", "audit_auditentry", "directory_user"]


def counts(cursor) -> dict[str, int]:
    out = {}
    for table in TABLES:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        out[table] = cursor.fetchone()[0]
    cursor.execute("SELECT hash FROM audit_auditentry ORDER BY seq DESC LIMIT 1")
    out["audit head"] = cursor.fetchone()[0]
    return out


def cli_env(tmp: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env["HOTLINE_DATA_DIR"] = str(tmp)
    if database_url:
        env["HOTLINE_DATABASE_URL"] = database_url
    return env


def hotline(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def target(tmp_path):
    """Where the restore goes: a fresh data directory, or a new empty PostgreSQL database."""
    if connection.vendor != "postgresql":
        yield None, None
        return
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_restore"
    params = dict(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"], dbname="postgres",
                  autocommit=True)
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"
    yield url, lambda: psycopg.connect(**{**params, "dbname": name})
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_demo_database_round_trips_with_counts_and_chains(calendar, tmp_path, target):
    set_up_demo(cases=MIN_CASES)
    record_access(actor=None, action=AuditAction.OTHER, detail={"before": "backup"})
    backup_file = tmp_path / "hotline.backup"
    call_command("backup", "--out", str(backup_file), stdout=io.StringIO())
    assert backup_file.stat().st_size > 0 and not list(tmp_path.glob(".*partial"))
    with connection.cursor() as cursor:
        before = counts(cursor)
    assert AuditEntry.objects.filter(action=AuditAction.BACKUP).count() == 1  # in the backup too

    url, connect = target
    data = tmp_path / "restored"
    env = cli_env(data, url)
    restored = hotline(env, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert "哈希链完整" in restored.stdout
    if connect is None:
        import sqlite3

        with sqlite3.connect(data / "hotline.sqlite3") as conn:
            after = counts(conn.cursor())
    else:
        with connect() as conn, conn.cursor() as cursor:
            after = counts(cursor)
    # The restore adds exactly one audit row (its own), chained onto the backed-up head.
    assert {**after, "audit_auditentry": after["audit_auditentry"] - 1, "audit head": before["audit head"]} == before
    assert after["audit head"] != before["audit head"]
    verified = hotline(env, "audit", "verify")
    assert verified.returncode == 0, verified.stderr

    again = hotline(env, "restore", str(backup_file))
    assert again.returncode == 1 and "不是空的" in again.stderr  # never over existing data


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    junk = tmp_path / "x.bin"
    junk.write_bytes(b"hello")
    with pytest.raises(CommandError, match="不是 hotline 备份文件"):
        call_command("restore", str(junk), stdout=io.StringIO())
