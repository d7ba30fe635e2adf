"""`hotline assess score|month|explain|rankings|schemes`: monthly assessment from the console."""
from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from hotline.assessment.definition import SHIPPED, DefinitionError, SchemeDef, compile_definition, shipped_definition
from hotline.assessment.engine import InputError, score_csv
from hotline.assessment.services import AssessmentError, compiled, compute_month, get_scheme, parse_month


class Command(BaseCommand):
    help = "月度考核：按方案评分、计算月度结果、追溯数据来源"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        score = sub.add_parser("score", help="score a CSV of per-unit inputs; CSV table on stdout")
        score.add_argument("--scheme", required=True)
        score.add_argument("--scheme-version", type=int, default=None)
        score.add_argument("--input", required=True, help="CSV file, or - for stdin")
        score.add_argument("--summary", action="store_true", help="grade counts and top lists on stderr")

        month = sub.add_parser("month", help="compute a month from the case history and store it as a run")
        month.add_argument("--scheme", required=True)
        month.add_argument("--month", required=True, help="YYYY-MM")
        month.add_argument("--as-of", default=None, help="ISO datetime; default: the month's documented cut-off")
        month.add_argument("--publish", action="store_true")

        explain = sub.add_parser("explain", help="list the cases behind one input of one unit")
        explain.add_argument("--scheme", required=True)
        explain.add_argument("--month", required=True)
        explain.add_argument("--unit", required=True, help="unit name")
        explain.add_argument("--group", default=None, help="when the name is used in more than one group")
        explain.add_argument("--input", required=True, help="an input of the scheme, e.g. due")

        ranks = sub.add_parser("rankings", help="grade counts and top lists of the latest run of a month")
        ranks.add_argument("--scheme", required=True)
        ranks.add_argument("--month", required=True)

        sub.add_parser("schemes", help="list scheme versions")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['action']}")(**options)
        except (AssessmentError, InputError, DefinitionError) as exc:
            raise CommandError(str(exc)) from None

    # --- score ----------------------------------------------------------------------------------

    def _definition(self, name: str, version: int | None) -> SchemeDef:
        try:
            return compiled(get_scheme(name, version))
        except DatabaseError:
            if name in SHIPPED and version in (None, 1):
                return compile_definition(shipped_definition(name))
            raise CommandError(f"数据库不可用，且 {name} 不是随产品发布的方案") from None

    def do_score(self, *, scheme: str, scheme_version: int | None, input: str, summary: bool, **_: Any) -> None:
        sdef = self._definition(scheme, scheme_version)
        try:
            if input == "-":
                text = sys.stdin.read()
            else:
                with open(input, encoding="utf-8-sig") as fh:
                    text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取输入文件 {input}：{exc}") from None
        table = score_csv(sdef, text)  # raises before anything is written
        self.stdout.write(table.to_csv(), ending="")
        if summary:
            from hotline.assessment.selectors import table_rankings
            self._print_rankings(table_rankings(table))

    # --- month ----------------------------------------------------------------------------------

    def do_month(self, *, scheme: str, month: str, as_of: str | None, publish: bool, **_: Any) -> None:
        result = compute_month(scheme=scheme, month=parse_month(month), as_of=_as_of(as_of), publish=publish)
        run = result.run
        from hotline.assessment.selectors import run_rows
        cols = run.outputs["columns"]
        import csv
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(cols)
        for row in run_rows(run):
            writer.writerow([row[c] for c in cols])
        state = "新版本" if result.created else "内容未变，沿用"
        self.stderr.write(
            f"{run.scheme_name} v{run.scheme_version} {run.month:%Y-%m}：{state}第 {run.version} 版"
            f"（{run.get_status_display()}{'，本次发布' if result.published_now else ''}），"
            f"数据截至 {timezone.localtime(run.as_of).isoformat()}，sha256={run.content_hash}"
        )
        if result.created and run.compared_to_id:
            base = run.compared_to
            assert base is not None
            self.stderr.write(f"与第 {base.version} 版（{base.get_status_display()}）相比 {len(run.diff)} 处变化：")
            for change in run.diff:
                self.stderr.write(
                    f"  {change['unit']}（{change['group']}）{change['column']}: {change['old']} -> {change['new']}"
                )

    # --- explain --------------------------------------------------------------------------------

    def do_explain(self, *, scheme: str, month: str, unit: str, group: str | None, input: str, **_: Any) -> None:
        from hotline.assessment.selectors import explain, latest_run
        from hotline.directory.models import Unit

        the_month = parse_month(month)
        scheme_row = get_scheme(scheme)
        run = latest_run(scheme_name=scheme_row.name, month=the_month)
        sdef = compiled(run.scheme if run else scheme_row)
        units = Unit.objects.filter(name=unit.strip(), parent__isnull=True)
        if sdef.city:
            units = units.filter(city=sdef.city)
        if group:
            units = units.filter(group=group)
        found = list(units)
        if not found:
            raise CommandError(f"方案 {scheme} 所在城市没有名为“{unit}”的单位")
        if len(found) > 1:
            raise CommandError(f"“{unit}”在多个分组中：{', '.join(u.group for u in found)}；请用 --group 指定")
        value = None
        if run is not None:
            record = next((i for i in run.inputs if i["unit_id"] == found[0].pk), None)
            value = record["values"].get(input) if record else None
        result = explain(sdef=sdef, month=the_month, unit=found[0], input_name=input,
                         as_of=run.as_of if run else None, value=value)
        where = f"第 {run.version} 版，数据截至 {timezone.localtime(run.as_of).isoformat()}" if run else "尚无考核结果"
        self.stderr.write(f"{result.unit} {the_month:%Y-%m} {input} = {value if value is not None else '?'}（{where}）")
        if result.consistent is False:
            self.stderr.write("注意：按存档截止时间查到的工单数与存档数值不一致（存档后补录了更早时间的事件）")
        for source in result.sources:
            if len(result.sources) > 1:
                self.stdout.write(f"# {source['metric']}")
            for number in source["cases"]:
                self.stdout.write(number)
        for entry in result.ledger:
            cases = ",".join(entry["case_numbers"])
            self.stdout.write(f"{entry['points']}\t{entry['indicator']}\t{entry['reason']}\t{cases}")

    # --- rankings, schemes ----------------------------------------------------------------------

    def do_rankings(self, *, scheme: str, month: str, **_: Any) -> None:
        from hotline.assessment.selectors import latest_run, rankings

        run = latest_run(scheme_name=scheme, month=parse_month(month))
        if run is None:
            raise CommandError(f"{scheme} {month} 尚无考核结果；先运行 hotline assess month")
        self._print_rankings(rankings(run), out=self.stdout)

    def _print_rankings(self, ranks: Any, out: Any = None) -> None:
        out = out or self.stderr
        out.write(f"共 {ranks.units} 个单位：{ranks.summary}")
        for bucket in ranks.buckets:
            label = bucket.group_label + (f" {bucket.tier} 档" if bucket.tier else "")
            names = "、".join(f"{r['unit']}（{r[ranks.score_column]}）" for r in bucket.top)
            out.write(f"{label} 前{len(bucket.top)}名：{names or '无'}")

    def do_schemes(self, **_: Any) -> None:
        from hotline.assessment.models import Scheme
        from hotline.assessment.services import install_shipped_schemes

        install_shipped_schemes()
        for s in Scheme.objects.order_by("name", "version"):
            flag = "（已冻结）" if s.frozen else ""
            self.stdout.write(f"{s.name}\tv{s.version}\t{s.title}{flag}")


def _as_of(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of 应为 ISO 时间，实际为“{text}”") from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value
