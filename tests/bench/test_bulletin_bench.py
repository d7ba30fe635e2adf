"""`hotline bench bulletin`: end to end at a tiny scale in its own throwaway database, and its guards."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.bench import REGISTRY


@pytest.mark.skipif(shutil.which("soffice") is None, reason="the PDF needs LibreOffice (scripts/system-deps)")
def test_bulletin_bench_runs_end_to_end_and_keeps_its_files(tmp_path: Path) -> None:
    scratch, keep = tmp_path / "scratch", tmp_path / "keep"
    scratch.mkdir()
    env = {**os.environ, "HOTLINE_DATA_DIR": str(scratch), "TMPDIR": str(scratch)}
    env.pop("HOTLINE_BENCH_CHILD", None)
    result = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "bench", "bulletin", "--scale", "0.01", "--keep", str(keep)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert re.search(r"simulate yueyang 2024-05 scale 0.01 seed 1: (\d+) cases, \1 loaded .* cases/s", out)
    assert "assessment yueyang-hotline 2024-05 (draft run v1)" in out
    assert re.search(r"bulletin yueyang 2024-05 \(docx \+ pdf \+ xlsx\): [\d.]+ s \(figures .* pdf [\d.]+ s", out)
    assert re.search(r"peak RSS \(this process\): \d+ MB", out)
    kept = {p.name for p in keep.iterdir()}
    assert {"2024-05-yueyang.docx", "2024-05-yueyang.pdf", "2024-05-yueyang.xlsx", "bench.sqlite3"} <= kept
    # The throwaway directory is gone and the configured database was never created.
    assert list(scratch.iterdir()) == []


def test_registry_names_the_bulletin_benchmark() -> None:
    assert "bulletin" in REGISTRY and REGISTRY["bulletin"].help


@pytest.mark.parametrize("scale", ["0", "-1", "abc", "NaN"])
def test_a_bad_scale_is_refused_before_anything_runs(scale: str) -> None:
    with pytest.raises(CommandError, match="--scale"):
        call_command("bench", "bulletin", "--scale", scale)
