"""hotline bulletin --month YYYY-MM --style yueyang|xiangtan --out DIR [--publish]"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hotline.bulletin.period import BulletinError, Month


class Command(BaseCommand):
    help = "生成月度运行情况通报（Word、PDF、Excel），可选发布（冻结）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--style", required=True, help="通报样式，如 yueyang、xiangtan")
        parser.add_argument("--out", required=True, help="输出目录")
        parser.add_argument("--publish", action="store_true", help="发布（冻结）本月通报")
        parser.add_argument("--as-of", dest="as_of", default=None,
                            help="数据截至时间（ISO 8601，默认为次月 10 日 0 时）")
        parser.add_argument("--date", default=None, help="印发日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--formats", default="docx,pdf,xlsx", help="输出格式，逗号分隔")
        parser.add_argument("--text", action="append", default=[], metavar="KEY=FILE",
                            help="先录入文字栏目（如 work_news=动态.txt；number=6 直接给值）")
        parser.add_argument("--user", default=None, help="录入/发布人用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        from hotline.bulletin.charts import FontMissingError
        from hotline.bulletin.render_pdf import PdfError
        from hotline.bulletin.services import build, enter_text, publish, write_files

        started = time.perf_counter()
        try:
            month = Month.parse(options["month"])
            as_of = _parse_as_of(options["as_of"])
            issued = _parse_date(options["date"])
            actor = _user(options["user"])
            for item in options["text"]:
                key, sep, value = item.partition("=")
                if not sep or not key.strip():
                    raise BulletinError(f"--text 应为 KEY=FILE：{item!r}", field="text")
                path = Path(value)
                content = path.read_text(encoding="utf-8") if path.is_file() else value
                enter_text(month=month, style=options["style"], section=key.strip(), text=content, actor=actor)
            formats = tuple(f.strip() for f in options["formats"].split(",") if f.strip())
            built = build(month=month, style=options["style"], as_of=as_of, issued_on=issued, formats=formats)
            written = write_files(built.files, Path(options["out"]))
            publication = publish(built=built, actor=actor) if options["publish"] else None
        except BulletinError as exc:
            raise CommandError(f"{exc.field or 'bulletin'}: {exc.message}") from None
        except (PdfError, FontMissingError) as exc:
            raise CommandError(str(exc)) from None
        for path in written:
            self.stdout.write(f"{path}  {path.stat().st_size} bytes")
        timings = "，".join(f"{k} {v:.2f}s" for k, v in built.seconds.items())
        self.stdout.write(f"用时 {time.perf_counter() - started:.2f}s（{timings}）")
        if publication is not None:
            b = publication.bulletin
            state = "已发布" if publication.created else "内容未变化，沿用已发布的"
            self.stdout.write(f"{state}：{b.month:%Y-%m} {b.style} 第{b.version}版，内容哈希 {b.content_hash}")


def _parse_as_of(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BulletinError(f"截止时间应为 ISO 8601 格式：{text!r}", field="as_of") from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _parse_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BulletinError(f"印发日期应为 YYYY-MM-DD：{text!r}", field="date") from None


def _user(username: str | None) -> Any:
    from hotline.directory.models import User

    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise BulletinError(f"没有用户 {username}", field="user")
    return user
