"""`hotline classify train|predict|evaluate` on small synthetic files."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hotline.intelligence.classifier import MAGIC
from tests.intelligence.conftest import labelled_rows, write_csv


def _train(train_csv: Path, tmp_path: Path) -> Path:
    model = tmp_path / "m.model"
    call_command("classify", "train", "--input", str(train_csv), "--model", str(model))
    return model


def _predict(model: Path, tmp_path: Path, rows: list[tuple[str, ...]], header: list[str] | None = None
             ) -> list[dict[str, str]]:
    src = write_csv(tmp_path / "in.csv", header or ["id", "text"], rows)
    out = tmp_path / "out.csv"
    call_command("classify", "predict", "--model", str(model), "--input", str(src), "--output", str(out))
    with out.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_predict_writes_one_row_per_input_in_order_with_scores(train_csv, tmp_path):
    model = _train(train_csv, tmp_path)
    rows = [("b7", "学校 老师 学费 招生"), ("a1", "公交 线路 站台 班次"), ("c3", "工地 噪音 粉尘 污水")]
    out = _predict(model, tmp_path, rows)
    assert [r["id"] for r in out] == ["b7", "a1", "c3"]
    assert [r["label"] for r in out] == ["教育文体", "交通运输", "环境保护"]
    assert all(0 <= float(r["score"]) <= 1 for r in out)


def test_raw_text_with_padding_and_punctuation_reads_like_segmented_text(train_csv, tmp_path):
    model = _train(train_csv, tmp_path)
    raw = "\n\t\t\t\t\n\t\t\t附近工地噪音很大，粉尘污染严重！！请尽快处理。\n\t\t\t\n\t\t"
    segmented = "附近 工地 噪音 很大 粉尘 污染 严重 请 尽快 处理"
    out = _predict(model, tmp_path, [("1", raw), ("2", segmented)])
    assert out[0]["label"] == out[1]["label"] == "环境保护"


def test_title_column_is_used_when_present(train_csv, tmp_path):
    model = _train(train_csv, tmp_path)
    out = _predict(model, tmp_path, [("1", "幼儿园 校车", "市民 反映")], header=["id", "title", "text"])
    assert out[0]["label"] == "教育文体"


def test_corrupt_model_file_is_refused_with_a_clear_error(train_csv, tmp_path):
    model = _train(train_csv, tmp_path)
    data = bytearray(model.read_bytes())
    data[-10] ^= 0xFF
    model.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="checksum mismatch"):
        _predict(model, tmp_path, [("1", "学校")])


def test_foreign_file_is_refused_with_a_clear_error(tmp_path):
    model = tmp_path / "foreign.model"
    model.write_bytes(b"PK\x03\x04 this is a zip, not a model")
    with pytest.raises(CommandError, match="not a hotline model file"):
        _predict(model, tmp_path, [("1", "学校")])


def test_model_of_another_format_version_is_refused(train_csv, tmp_path):
    model = _train(train_csv, tmp_path)
    head, _, rest = model.read_bytes()[len(MAGIC):].partition(b"\n")
    header = json.loads(head)
    header["format_version"] = 99
    model.write_bytes(MAGIC + json.dumps(header).encode() + b"\n" + rest)
    with pytest.raises(CommandError, match="format version 99"):
        _predict(model, tmp_path, [("1", "学校")])


def test_missing_column_names_the_line_and_column(tmp_path):
    src = write_csv(tmp_path / "bad.csv", ["text", "category"], [("学校", "教育")])
    with pytest.raises(CommandError, match=r"line 1: missing column\(s\) label"):
        call_command("classify", "train", "--input", str(src), "--model", str(tmp_path / "m"))
    assert not (tmp_path / "m").exists()


def test_empty_label_names_its_line(tmp_path):
    src = write_csv(tmp_path / "bad.csv", ["text", "label"], [("学校", "教育"), ("公交", "")])
    with pytest.raises(CommandError, match="line 3: column label is empty"):
        call_command("classify", "train", "--input", str(src), "--model", str(tmp_path / "m"))


def test_one_id_on_two_different_messages_is_refused(train_csv, tmp_path):
    model = _train(train_csv, tmp_path)
    with pytest.raises(CommandError, match="line 3: id 'x' appears twice with different text"):
        _predict(model, tmp_path, [("x", "学校"), ("x", "公交")])


def test_a_record_exported_twice_is_predicted_twice(train_csv, tmp_path):
    model = _train(train_csv, tmp_path)
    rows = _predict(model, tmp_path, [("x", "学校 老师"), ("y", "公交"), ("x", "学校 老师")])
    assert [r["id"] for r in rows] == ["x", "y", "x"] and rows[0]["label"] == rows[2]["label"]


def test_evaluate_prints_accuracy_and_macro_f1_per_fold_and_mean(tmp_path, capsys):
    src = write_csv(tmp_path / "e.csv", ["text", "label"], labelled_rows(n_per_label=20))
    call_command("classify", "evaluate", "--input", str(src), "--folds", "3")
    out = capsys.readouterr().out
    assert out.count("fold ") == 3
    mean = [line for line in out.splitlines() if line.startswith("mean over 3 folds")][0]
    accuracy = float(mean.split("accuracy ")[1].split(",")[0])
    assert accuracy >= 0.9


def test_the_opening_words_outweigh_the_same_number_of_words_later_on(train_csv, tmp_path):
    from tests.intelligence.conftest import FILLER, SUBJECTS

    model = _train(train_csv, tmp_path)
    # as many transport as education words, but the transport ones open the message (its title)
    opening = SUBJECTS["交通运输"] + FILLER[:2]
    later = SUBJECTS["教育文体"] + FILLER[2:4]
    out = _predict(model, tmp_path, [("1", " ".join(opening + later)), ("2", " ".join(later + opening))])
    assert [r["label"] for r in out] == ["交通运输", "教育文体"]


def test_the_console_command_trains_and_predicts_files_without_any_database(train_csv, tmp_path):
    """File in, file out: a fresh machine with no database (no `hotline migrate`) can use the classifier."""
    env = dict(os.environ, HOTLINE_DATA_DIR=str(tmp_path / "data"), HOTLINE_INSECURE_LOCAL="1")
    env.pop("HOTLINE_DATABASE_URL", None)
    model = tmp_path / "m.model"
    src = write_csv(tmp_path / "in.csv", ["id", "text"], [("a", "学校 老师")])
    for argv in (["train", "--input", str(train_csv), "--model", str(model)],
                 ["predict", "--model", str(model), "--input", str(src), "--output", str(tmp_path / "out.csv")]):
        done = subprocess.run([sys.executable, "-m", "hotline.cli", "classify", *argv],
                              capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").startswith("id,label,score")
    assert not (tmp_path / "data" / "hotline.sqlite3").exists()


def test_learning_from_cases_still_asks_for_a_migrated_database():
    from hotline.cli import needs_migrated_db

    assert needs_migrated_db(["classify", "train", "--from-cases", "--target", "unit"])
    assert not needs_migrated_db(["classify", "evaluate", "--input", "x.csv", "--folds", "5"])
