"""Shared machinery for benchmarks: a throwaway SQLite database, a gunicorn server, latency statistics."""
from __future__ import annotations

import csv
import gzip
import http.client
import io
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from django.conf import settings
from django.core.management.base import CommandError


class Output(Protocol):
    """Where a benchmark prints (a text stream or a management command's stdout)."""

    def write(self, text: str) -> Any: ...

    def flush(self) -> Any: ...


# Set in the environment of the re-executed benchmark process that owns the throwaway database.
CHILD_ENV = "HOTLINE_BENCH_CHILD"


def in_throwaway_process() -> bool:
    return os.environ.get(CHILD_ENV) == "1"


def throwaway_env(directory: Path) -> dict[str, str]:
    """Environment for a process (bench or gunicorn) that must use only a fresh SQLite file in `directory`."""
    env = dict(os.environ)
    env.pop("HOTLINE_DATABASE_URL", None)
    env.update({
        "HOTLINE_SQLITE_PATH": str(directory / "bench.sqlite3"),
        "HOTLINE_DATA_DIR": str(directory),
        "HOTLINE_DEBUG": "0",
        "HOTLINE_API_TOKEN_RATE": "",  # the benchmark measures throughput, not the per-token limit
        CHILD_ENV: "1",
    })
    return env


def check_throwaway_database() -> None:
    """Refuse to run unless the configured database is the throwaway file this process was started for."""
    db = settings.DATABASES["default"]
    expected = os.environ.get("HOTLINE_SQLITE_PATH", "")
    if not (in_throwaway_process() and str(db["ENGINE"]).endswith("sqlite3") and str(db["NAME"]) == expected):
        raise CommandError("benchmarks run only in their own throwaway SQLite database")


def start_throwaway(out: Output) -> None:
    """In the throwaway process: check the database, print the machine line, migrate (timed)."""
    from django.core.management import call_command

    check_throwaway_database()
    out.write(machine_line() + "\n")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    out.write(f"throwaway SQLite database migrated in {time.perf_counter() - started:.1f} s\n")
    out.flush()


def respawn_in_throwaway(argv: Sequence[str], out: Output, *, keep: bool = False) -> None:
    """Run `hotline <argv>` again in a subprocess whose database is a new temporary SQLite file.

    The configured database (SQLite or PostgreSQL) is never touched. Output is relayed line by line.
    """
    directory = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    (directory / "static").mkdir()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hotline.cli", *argv], env=throwaway_env(directory),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            out.flush()
        if proc.wait() != 0:
            raise CommandError(f"benchmark failed (exit status {proc.returncode})")
    finally:
        if keep:
            out.write(f"throwaway database kept in {directory}\n")
        else:
            shutil.rmtree(directory, ignore_errors=True)


def run_per_database(name: str, options: dict[str, Any], out: Output, *, sqlite: bool = True) -> None:
    """Run `hotline bench <name> --orders N --repeat R` again in a child per bench database.

    The bench database is a reusable SQLite file (`--db`, default in the temp directory) and, with
    `--postgres URL`, a PostgreSQL database whose name contains "bench" (the bench fills it, never empties it).
    """
    out.write(machine_line() + "\n")
    db = options["db"] or os.path.join(tempfile.gettempdir(), f"hotline-bench-{name}-{options['orders']}.sqlite3")
    targets = [("SQLite", {"HOTLINE_SQLITE_PATH": db})] if sqlite else []
    if options["postgres"]:
        if "bench" not in urlparse(options["postgres"]).path:
            raise CommandError("--postgres: the database name must contain 'bench' (the bench fills it)")
        targets.append(("PostgreSQL", {"HOTLINE_DATABASE_URL": options["postgres"]}))
    for label, extra in targets:
        out.write(f"== {label} ==\n")
        out.flush()
        env = {k: v for k, v in os.environ.items() if k != "HOTLINE_DATABASE_URL"} | extra | {CHILD_ENV: "1"}
        argv = [sys.executable, "-m", "hotline.cli", "bench", name, "--orders", str(options["orders"]),
                "--repeat", str(options["repeat"])]
        if subprocess.run(argv, env=env).returncode != 0:
            raise CommandError(f"{label} run failed")


def package_csv(name: str, package: str = "hotline.intelligence") -> list[dict[str, str]]:
    """Rows of a gzip-compressed CSV shipped in `package`'s data folder (the benches' real-data sets)."""
    data = resources.files(package) / "data" / name
    with gzip.open(io.BytesIO(data.read_bytes()), "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    host: str
    port: int

    def connection(self, timeout: float = 60) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)


@contextmanager
def gunicorn(*, workers: int = 2, threads: int = 4, ready_path: str = "/api/openapi.json",
             timeout: float = 60) -> Iterator[Server]:
    """A production gunicorn (gthread workers, keep-alive) on a free local port, same environment and database.

    gunicorn runs in its own process group with its output in a log file: a worker that outlives its
    arbiter must neither keep the benchmark's output pipe open (the parent would wait for EOF forever)
    nor survive the benchmark. The log's tail is printed when the server fails.
    """
    port = free_port()
    cmd = [
        sys.executable, "-m", "gunicorn", "hotline.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
        "--keep-alive", "30", "--log-level", "warning",
    ]
    with tempfile.TemporaryFile(mode="w+", prefix="hotline-gunicorn-") as log:
        proc = subprocess.Popen(cmd, env=dict(os.environ), stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        server = Server("127.0.0.1", port)
        try:
            _wait_ready(server, proc, ready_path, timeout)
            yield server
        except BaseException:
            log.seek(0)
            tail = log.read()[-2000:]
            if tail.strip():
                sys.stderr.write(f"gunicorn log (last lines):\n{tail}\n")
            raise
        finally:
            _stop_group(proc)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT (quick shutdown: nothing is in flight any more), then SIGKILL the whole group after 30 s."""
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:  # workers left behind by an arbiter that died or hung
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _wait_ready(server: Server, proc: subprocess.Popen[bytes], path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CommandError(f"gunicorn exited with status {proc.returncode}")
        conn = server.connection(timeout=5)
        try:
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise CommandError("gunicorn did not become ready in time")


@dataclass(frozen=True)
class Stats:
    count: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_seconds: float | None = None  # this process's CPU time, when the work ran in this process

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else math.inf

    def line(self, label: str) -> str:
        cpu = ""
        if self.cpu_seconds is not None and self.count:
            cpu = f"; CPU {self.cpu_seconds / self.count * 1000:.2f} ms/case"
        return (
            f"{label}: {self.count} cases in {self.seconds:.2f} s = {self.per_second:.0f} cases/s; "
            f"latency p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms, max {self.max_ms:.2f} ms{cpu}"
        )


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending sequence."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def stats(latencies: Sequence[float], seconds: float, cpu_seconds: float | None = None) -> Stats:
    ordered = sorted(latencies)
    return Stats(
        count=len(ordered), seconds=seconds, p50_ms=percentile(ordered, 0.50) * 1000,
        p99_ms=percentile(ordered, 0.99) * 1000, max_ms=(ordered[-1] * 1000 if ordered else 0.0),
        cpu_seconds=cpu_seconds,
    )


def machine_line() -> str:
    """CPU count and load, so that figures from a busy machine are read as such."""
    one, five, _ = os.getloadavg()
    return f"machine: {os.cpu_count()} CPUs, load average {one:.2f} (1 min), {five:.2f} (5 min)"


class Progress:
    """Prints `label: done/total` about every tenth of a long run."""

    def __init__(self, label: str, total: int, out: Output) -> None:
        self.label, self.total, self.out = label, total, out
        self.step = max(total // 10, 1)
        self.started = time.perf_counter()

    def tick(self, done: int) -> None:
        if done % self.step == 0 or done == self.total:
            rate = done / max(time.perf_counter() - self.started, 1e-9)
            self.out.write(f"  {self.label}: {done}/{self.total} ({rate:.0f}/s)\n")
            self.out.flush()
