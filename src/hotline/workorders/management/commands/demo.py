"""`hotline demo`: a working Yueyang hotline with demo users and cases, served by gunicorn."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.directory.seeds import SeedError
from hotline.workorders.demo import MIN_CASES, DemoRefused, DemoSummary, demo_event_count, set_up_demo
from hotline.workorders.models import Status


class Command(BaseCommand):
    help = "建库、载入岳阳示例数据、创建各角色演示账号和各状态演示工单，然后用 gunicorn 启动服务。可重复运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
        parser.add_argument("--no-serve", action="store_true", help="set up and stop; do not start the server")
        parser.add_argument("--cases", type=int, default=400, help=f"demo cases to have (at least {MIN_CASES})")
        parser.add_argument("--seed", type=int, default=1, help="random seed for the demo cases")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cases"] < MIN_CASES:
            raise CommandError(f"--cases: 至少为 {MIN_CASES}（每种状态至少一件）")
        if not 0 < options["port"] < 65536:
            raise CommandError("--port: 端口应在 1–65535 之间")
        started = time.monotonic()
        self.stdout.write("1/5 建立/升级数据库 …")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"2/5 载入基础数据、岳阳单位名录和演示工单（{options['cases']} 件）…")
        try:
            summary = set_up_demo(cases=options["cases"], seed=options["seed"])
        except (DemoRefused, SeedError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("3/5 训练分类、派单建议模型（首次）…")
        self.train_suggesters()
        self.stdout.write("4/5 收集静态文件 …")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"5/5 完成，用时 {time.monotonic() - started:.0f} 秒。\n")
        self.report(summary, host=options["host"], port=options["port"])
        if options["no_serve"]:
            return
        self.serve(host=options["host"], port=options["port"], workers=options["workers"])

    def train_suggesters(self) -> None:
        """The desks' category and unit suggestions need models learnt from closed cases: trained once, when
        the demo city has enough of them (a re-run keeps the usable models it has)."""
        from hotline.intelligence.selectors import model_ready
        from hotline.intelligence.services import CaseTrainingError, train_from_cases

        for target, label in (("category", "分类"), ("unit", "派单")):
            # A model file of an older format (or a damaged one) is not usable: train again rather than keep it.
            if model_ready(target):
                self.stdout.write(f"  {label}建议模型：已有，沿用")
                continue
            try:
                result = train_from_cases(target=target)
            except CaseTrainingError:
                self.stdout.write(f"  {label}建议模型：已结案工单太少，暂不训练（hotline classify train --from-cases）")
                continue
            self.stdout.write(f"  {label}建议模型：学习 {result.rows} 件已结案工单，用时 {result.seconds:.0f} 秒")

    def report(self, summary: DemoSummary, *, host: str, port: int) -> None:
        db = settings.DATABASES["default"]
        where = db["NAME"] if str(db["ENGINE"]).endswith("sqlite3") else f"{db['ENGINE']} {db['NAME']}"
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        url = f"http://{shown}:{port}/"
        total = sum(summary.by_status.values())
        self.stdout.write(f"数据库：{where}")
        self.stdout.write(
            f"演示工单：共 {total} 件（本次新建 {summary.created}），事件 {demo_event_count()} 条；"
            + "，".join(f"{Status(s).label} {n}" for s, n in summary.by_status.items())
        )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"访问地址：{url}"))
        self.stdout.write(f"  管理后台：{url}admin/")
        self.stdout.write(f"  接口文档：{url}api/docs")
        self.stdout.write("")
        self.stdout.write("演示账号（密码均为 %s；领导、管理员首次登录须用手机验证器绑定两步验证）：" % summary.logins[0].password)
        rows = [("用户名", "角色", "姓名", "所属单位")] + [
            (login.username, login.role, login.name, login.unit or "—") for login in summary.logins
        ]
        widths = [max(_width(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            self.stdout.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        self.stdout.write("")

    def serve(self, *, host: str, port: int, workers: int) -> None:
        if host in ("0.0.0.0", "::", "") and "HOTLINE_ALLOWED_HOSTS" not in os.environ:
            # Bound to every interface: accept whatever name the visitor used (demo only).
            os.environ["HOTLINE_ALLOWED_HOSTS"] = "*"
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        argv = [sys.executable, "-m", "gunicorn", "hotline.wsgi:application", "--bind", bind,
                "--workers", str(workers), "--access-logfile", "-"]
        self.stdout.write(f"启动 gunicorn（{bind}，{workers} 个进程）和后台任务进程（hotline worker：时限扫描、提醒），"
                          "按 Ctrl+C 停止。")
        sys.stdout.flush()
        sys.stderr.flush()
        # The worker beside the server: overdue flags and reminders happen by themselves. Both are children
        # of this process and stop with it (Ctrl+C reaches the whole process group).
        worker = subprocess.Popen([sys.executable, "-m", "hotline.cli", "worker", "--verbosity", "0"])
        server = subprocess.Popen(argv)
        try:
            server.wait()
        except KeyboardInterrupt:
            server.wait()
        finally:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
