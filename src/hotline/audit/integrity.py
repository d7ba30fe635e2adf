"""`hotline integrity`: is the database sound? The storage (SQLite's own checks), the hash chains, and
loads that were interrupted (import runs still marked running)."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection

from hotline.audit.chain import Broken
from hotline.audit.verification import CHECKS


@dataclass
class IntegrityReport:
    ok_lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def storage_problems() -> list[str]:
    """SQLite: page-level integrity and dangling foreign keys. PostgreSQL keeps both by itself."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        pages = [row[0] for row in cursor.fetchall()]
        cursor.execute("PRAGMA foreign_key_check")
        dangling = cursor.fetchall()
    problems = [f"SQLite integrity_check: {line}" for line in pages if line != "ok"]
    problems += [f"外键悬空：表 {t} 行 {rowid} 引用 {parent}" for t, rowid, parent, _ in dangling[:20]]
    return problems


def check_integrity() -> IntegrityReport:
    report = IntegrityReport()
    report.problems += storage_problems()
    if not report.problems:
        report.ok_lines.append(f"存储检查通过（{connection.vendor}）")
    for name, check in CHECKS.items():
        try:
            chain = check()
        except Broken as exc:
            report.problems.append(f"哈希链 {exc.chain}: 第一处损坏 {exc.row}: {exc.reason}")
        else:
            report.ok_lines.append(f"哈希链 {chain.name}: {chain.rows} 条完整")
    # Interrupted loads are not damage (each batch is whole) but the months they touch are incomplete.
    ImportRun = apps.get_model("workorders", "ImportRun")
    for run in ImportRun.objects.filter(status="running"):
        report.warnings.append(f"{run} 未完成（已载入 {run.cases_loaded}/{run.cases_total} 件）："
                               f"重新运行同一命令即可续完")
    return report
