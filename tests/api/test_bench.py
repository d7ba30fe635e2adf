"""`hotline bench intake`: end to end in its own throwaway database, and its guards."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.bench import REGISTRY
from hotline.bench.harness import check_throwaway_database, percentile


def test_intake_bench_runs_end_to_end_in_a_throwaway_database(tmp_path):
    env = {**os.environ, "HOTLINE_DATA_DIR": str(tmp_path), "TMPDIR": str(tmp_path)}
    env.pop("HOTLINE_BENCH_CHILD", None)
    result = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "bench", "intake", "--n", "10", "--storm", "5"],
        # Every wait inside the bench is bounded (server start, requests, the storm's barrier, shutdown);
        # this outer limit only keeps a defect from stalling the suite.
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert re.search(r"service layer \(create_order\): 10 cases in .* cases/s; latency p50 .* p99 ", out)
    assert re.search(r"HTTP POST /api/intake \(gunicorn 2 workers, 1 client\(s\)\): 10 cases .* p99 ", out)
    assert "idempotency storm: 5 identical concurrent requests -> 1 case" in out
    assert "service: 10/10" in out and "http: 10/10" in out
    # The throwaway directory is gone and the configured database was never created.
    assert list(tmp_path.iterdir()) == []


def test_registry_names_the_intake_benchmark():
    assert "intake" in REGISTRY and REGISTRY["intake"].help


def test_bad_options_are_refused_before_anything_runs():
    with pytest.raises(CommandError, match="--n"):
        call_command("bench", "intake", "--n", "-1")


def test_benchmark_refuses_a_database_it_was_not_started_for(monkeypatch):
    monkeypatch.setenv("HOTLINE_BENCH_CHILD", "1")
    monkeypatch.setenv("HOTLINE_SQLITE_PATH", "/nonexistent/bench.sqlite3")
    with pytest.raises(CommandError, match="throwaway"):
        check_throwaway_database()


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.50), percentile(values, 0.99), percentile([3.0], 0.99)) == (50.0, 99.0, 3.0)


@pytest.mark.parametrize("name", ["assess", "desks"])
def test_bench_refuses_a_postgres_database_not_named_for_benches(name, tmp_path):
    # Checked before any child starts: the bench fills its database and must never fill a city's.
    with pytest.raises(CommandError, match="bench"):
        call_command("bench", name, "--orders", "1", "--db", str(tmp_path / "b.sqlite3"),
                     "--postgres", "postgres://hotline@127.0.0.1/hotline_prod")
    assert not (tmp_path / "b.sqlite3").exists()
