"""`hotline kb import|export|search`: bad rows named by line and field, nothing half-imported, versions on re-import."""
import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from hotline.knowledge.models import Article, ArticleStatus, ArticleVersion

pytestmark = pytest.mark.django_db

HEADER = "key,title,body,category,unit,valid_until,public\n"


def kb(*args):
    out = io.StringIO()
    call_command("kb", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_csv_then_reimport_keeps_a_version(kb_city, tmp_path):
    path = write(tmp_path, "a.csv", HEADER + "yb-1,医保异地备案,到外地就医前办理备案。,城市管理类,甲区人民政府,2099-12-31,1\n"
                 "gjj-1,公积金提取,购房可提取公积金。,,,,0\n")
    assert "新建 2 条" in kb("import", "--input", path)
    article = Article.objects.get(key="yb-1")
    assert (article.status, article.unit.name, article.public) == (ArticleStatus.PUBLISHED, "甲区人民政府", True)
    assert Article.objects.get(key="gjj-1").public is False
    path = write(tmp_path, "b.csv", HEADER + "yb-1,医保异地备案,线上即可办理备案。,,,,1\n")
    assert "更新 1 条" in kb("import", "--input", path)
    assert list(ArticleVersion.objects.filter(article=article).values_list("version", "body").order_by("version")) == [
        (1, "到外地就医前办理备案。"), (2, "线上即可办理备案。")]
    assert "未变 1 条" in kb("import", "--input", path)


def test_import_jsonl(kb_city, tmp_path):
    path = write(tmp_path, "a.jsonl", json.dumps({"key": "k1", "title": "标题", "body": "正文", "public": False},
                                                 ensure_ascii=False) + "\n")
    kb("import", "--input", path)
    assert Article.objects.get(key="k1").public is False


@pytest.mark.parametrize("row, line, field", [
    ("k2,,正文,,,,\n", 3, "title"),
    ("k2,标题,正文,,不存在的单位,,\n", 3, "unit"),
    ("k2,标题,正文,,,2025-13-01,\n", 3, "valid_until"),
    ("k2,标题,正文,,,,也许\n", 3, "public"),
    ("k1,标题,正文,,,,\n", 3, "key"),
])
def test_bad_row_names_line_and_field_and_imports_nothing(kb_city, tmp_path, row, line, field):
    path = write(tmp_path, "bad.csv", HEADER + "k1,好的,正文,,,,\n" + row)
    with pytest.raises(CommandError) as err:
        kb("import", "--input", path)
    assert f"第 {line} 行，字段 {field}" in str(err.value)
    assert Article.objects.count() == 0


def test_bad_json_line(kb_city, tmp_path):
    path = write(tmp_path, "bad.jsonl", '{"key": "a", "title": "t", "body": "b"}\n{oops\n')
    with pytest.raises(CommandError, match="第 2 行"):
        kb("import", "--input", path)
    assert Article.objects.count() == 0


def test_export_round_trip(kb_city, tmp_path):
    kb("import", "--input", write(tmp_path, "a.csv", HEADER + "k1,标题,正文,,,,1\n"))
    out = tmp_path / "out.csv"
    kb("export", "--output", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["key"], r["title"], r["status"]) for r in rows] == [("k1", "标题", "published")]
    assert "未变 1 条" in kb("import", "--input", str(out))


def test_search_one_and_batch(kb_city, tmp_path):
    kb("import", "--input", write(tmp_path, "a.csv", HEADER + "yb,医保异地就医备案,到外地就医前办理备案。,,,,1\n"
                                  "lamp,路灯报修,路灯不亮请报修。,,,,1\n"))
    assert kb("search", "--query", "路灯不亮", "--limit", "1").split("\t")[:2] == ["1", "lamp"]
    queries = write(tmp_path, "q.csv", "id,query\nq1,异地就医\nq2,路灯\n")
    out = tmp_path / "r.csv"
    kb("search", "--queries", queries, "--output", str(out), "--limit", "5")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["id"], r["rank"], r["key"]) for r in rows if r["rank"] == "1"] == [("q1", "1", "yb"), ("q2", "1", "lamp")]
