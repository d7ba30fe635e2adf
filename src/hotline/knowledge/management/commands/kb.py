"""`hotline kb import|export|search|reindex|learn|sweep`: the knowledge base from the command line."""
from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hotline.knowledge.exchange import ImportError_, export_articles, import_articles


class Command(BaseCommand):
    help = "知识库：导入（CSV/JSON Lines）、导出、检索、重建索引、到期处理。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import articles (columns key,title,body[,category,unit,valid_until,public])")
        imp.add_argument("--input", required=True, help="a .csv or .jsonl file")
        exp = sub.add_parser("export", help="export every article")
        exp.add_argument("--output", help="file to write (default: standard output)")
        exp.add_argument("--format", choices=["csv", "jsonl"], help="default: from --output's suffix, else csv")
        sea = sub.add_parser("search", help="search like the operator's desk does")
        sea.add_argument("--query", help="one query")
        sea.add_argument("--queries", help="CSV with columns id,query (batch)")
        sea.add_argument("--output", help="batch results CSV: id,rank,key,score (default: standard output)")
        sea.add_argument("--limit", type=int, default=10)
        sea.add_argument("--public", action="store_true", help="public articles only (as a public channel sees)")
        sub.add_parser("reindex", help="rebuild the search index from the articles")
        sub.add_parser("learn", help="index each article with the titles of past closed cases it answered (reindexes)")
        sub.add_parser("sweep", help="expire articles past their validity and list the expiry reminders due")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "do_" + options["action"])(options)

    def do_import(self, options: dict[str, Any]) -> None:
        path = Path(options["input"])
        if not path.is_file():
            raise CommandError(f"--input: 文件不存在：{path}")
        started = time.perf_counter()
        try:
            result = import_articles(path=path)
        except ImportError_ as exc:
            raise CommandError(f"{path}: {exc}（未导入任何条目）") from None
        took = time.perf_counter() - started
        self.stdout.write(f"新建 {result.created} 条，更新 {result.updated} 条，未变 {result.unchanged} 条，用时 {took:.1f} 秒")

    def do_export(self, options: dict[str, Any]) -> None:
        out_path = options.get("output")
        fmt = options.get("format") or ("jsonl" if out_path and out_path.endswith((".jsonl", ".json")) else "csv")
        if out_path:
            with open(out_path, "w", encoding="utf-8", newline="") as out:
                count = export_articles(out=out, fmt=fmt)
            self.stderr.write(f"导出 {count} 条 → {out_path}")
        else:
            export_articles(out=self.stdout, fmt=fmt)

    def do_search(self, options: dict[str, Any]) -> None:
        from hotline.knowledge.search import search

        if options["limit"] < 1 or options["limit"] > 100:
            raise CommandError("--limit: 应为 1–100")
        if bool(options.get("query")) == bool(options.get("queries")):
            raise CommandError("请给出 --query 或 --queries 之一")
        if options.get("query"):
            for rank, hit in enumerate(search(options["query"], limit=options["limit"], public_only=options["public"],
                                              snippets=False), start=1):
                self.stdout.write(f"{rank}\t{hit.article.key}\t{hit.score:.4f}\t{hit.article.title}")
            return
        queries = self._queries(Path(options["queries"]))
        out = open(options["output"], "w", encoding="utf-8", newline="") if options.get("output") else self.stdout
        try:
            writer = csv.writer(out)
            writer.writerow(["id", "rank", "key", "score"])
            for qid, text in queries:
                hits = search(text, limit=options["limit"], public_only=options["public"], snippets=False)
                for rank, hit in enumerate(hits, start=1):
                    writer.writerow([qid, rank, hit.article.key, f"{hit.score:.4f}"])
        finally:
            if out is not self.stdout:
                out.close()

    def _queries(self, path: Path) -> list[tuple[str, str]]:
        if not path.is_file():
            raise CommandError(f"--queries: 文件不存在：{path}")
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if not {"id", "query"} <= set(reader.fieldnames or []):
                raise CommandError(f"{path}: 第 1 行，应有 id,query 两列")
            rows = []
            for row in reader:
                if not (row.get("id") or "").strip():
                    raise CommandError(f"{path}: 第 {reader.line_num} 行，字段 id：不能为空")
                rows.append((row["id"].strip(), row.get("query") or ""))
        return rows

    def do_reindex(self, options: dict[str, Any]) -> None:
        from hotline.knowledge.index import rebuild

        started = time.perf_counter()
        count = rebuild()
        self.stdout.write(f"已重建索引：{count} 条已发布条目，用时 {time.perf_counter() - started:.1f} 秒")

    def do_learn(self, options: dict[str, Any]) -> None:
        from hotline.knowledge.learn import learn_from_history

        started = time.perf_counter()
        count = learn_from_history()
        self.stdout.write(f"已从历史工单学习：{count} 条条目获得历史诉求标题，用时 {time.perf_counter() - started:.1f} 秒")

    def do_sweep(self, options: dict[str, Any]) -> None:
        from hotline.knowledge.services import expire_articles, send_expiry_reminders

        today = timezone.localdate()
        expired = expire_articles(today=today)
        reminders = send_expiry_reminders(today=today)
        self.stdout.write(f"过期 {expired} 条；到期提醒 {len(reminders)} 条")
        for r in reminders:
            self.stdout.write(f"  {r.key}\t{r.title}\t有效期至 {r.valid_until}")
        sys.stdout.flush()
