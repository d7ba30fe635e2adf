"""Crash safety of the real `hotline` command in its own data directory (SQLite): an import killed with
SIGKILL half-way leaves a database that passes `hotline integrity`, the month reads as incomplete, and the
same command run again completes the load without duplicates. Plus the fresh-data-directory rule."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest


def env_for(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    return {**env, "HOTLINE_DATA_DIR": str(data), "HOTLINE_LOG_LEVEL": "ERROR"}


def hotline(data: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=env_for(data), capture_output=True,
                            text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def month_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict]]:
    """A migrated data directory with the Yueyang directory, and a small simulated month as a file."""
    data = tmp_path_factory.mktemp("data")
    hotline(data, "migrate", "--verbosity", "0")
    out = data / "month.jsonl"
    hotline(data, "simulate", "--city", "yueyang", "--month", "2024-05", "--scale", "0.005", "--seed", "2",
            "--no-load", "--out", str(out), "--verbosity", "0")
    cases = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    return data, out, cases


def test_kill_9_mid_import_then_rerun_completes_without_duplicates(month_file):
    data, path, cases = month_file
    db = data / "hotline.sqlite3"
    proc = subprocess.Popen([sys.executable, "-m", "hotline.cli", "import", str(path), "--batch-size", "4",
                             "--pause", "0.2", "--verbosity", "0"], env=env_for(data),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    loaded = 0
    while time.monotonic() < deadline and proc.poll() is None:
        rows = query(db, "SELECT cases_loaded FROM workorders_importrun")
        loaded = rows[0][0] if rows else 0
        if loaded >= 8:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    in_db = query(db, "SELECT COUNT(*) FROM workorders_workorder")[0][0]
    assert 8 <= in_db < len(cases), "the kill must land half-way"
    assert query(db, "SELECT status FROM workorders_importrun") == [("running",)]

    checked = hotline(data, "integrity", check=False)
    assert checked.returncode == 0, checked.stderr  # whole batches only, chains intact
    assert "未完成" in checked.stderr
    refused = hotline(data, "assess", "month", "--scheme", "yueyang-2024", "--month", "2024-05", check=False)
    assert refused.returncode == 1 and "数据不完整" in refused.stderr and "Traceback" not in refused.stderr

    rerun = hotline(data, "import", str(path), "--verbosity", "0")
    assert f"{in_db} cases were already loaded" in rerun.stderr
    numbers = query(db, "SELECT number FROM workorders_workorder")
    assert sorted(n for (n,) in numbers) == sorted(c["number"] for c in cases)  # every case, once
    events = query(db, "SELECT COUNT(*) FROM workorders_event")[0][0]
    assert events == sum(len(c["events"]) for c in cases)
    merged = sum(1 for c in cases if c["merged_into"])
    assert query(db, "SELECT COUNT(*) FROM workorders_workorder WHERE merged_into_id IS NOT NULL")[0][0] == merged
    assert query(db, "SELECT status FROM workorders_importrun") == [("complete",)]
    again = hotline(data, "import", str(path), check=False)
    assert again.returncode == 1 and "不再重复导入" in again.stderr


def test_every_command_on_a_fresh_data_directory_says_what_to_run(tmp_path):
    for args in (["tick"], ["export", "--as", "admin"],
                 ["bulletin", "--month", "2024-05", "--style", "yueyang", "--out", str(tmp_path / "b")]):
        result = hotline(tmp_path, *args, check=False)
        assert result.returncode == 2 and "hotline migrate" in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # not even an empty database file


def test_files_the_cli_creates_are_owner_only(month_file):
    data, path, _ = month_file
    assert (data / "hotline.sqlite3").stat().st_mode & 0o077 == 0
    assert path.stat().st_mode & 0o077 == 0
