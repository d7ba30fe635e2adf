"""`hotline worker`: runs background jobs (django-tasks database backend) and enqueues the periodic
ones (deadline sweep and reminders every few minutes, chain verification daily)."""
from __future__ import annotations

import os
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks_db.management.commands.db_worker import Worker

from hotline.workorders.schedule import enqueue_due


class Command(BaseCommand):
    help = "后台任务进程：定时运行时限扫描与提醒、每日校验审计链，并执行排队的后台任务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between checks (default 5)")
        parser.add_argument("--once", action="store_true", help="enqueue what is due, run every ready task, stop")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0:
            raise CommandError("--interval must be positive")
        worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                        max_tasks=None, worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64],
                        excluded_queue_names=[])
        worker.configure_signals()  # Ctrl+C / SIGTERM: finish the running task, then stop
        if options["verbosity"] >= 1:
            self.stdout.write(f"后台任务进程已启动（每 {options['interval']:g} 秒检查一次），按 Ctrl+C 停止。")
        while worker.running:
            queued = enqueue_due()
            if queued and options["verbosity"] >= 2:
                self.stdout.write("enqueued " + ", ".join(queued))
            worker.run()
            if options["once"]:
                return
            time.sleep(options["interval"])
