"""Small synthetic labelled texts: three subjects with their own words, raw or pre-segmented."""
from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

SUBJECTS = {
    "交通运输": ["公交", "线路", "站台", "司机", "出租车", "拥堵", "红绿灯", "停车场", "班次", "路口"],
    "教育文体": ["学校", "老师", "学生", "学费", "幼儿园", "招生", "课程", "教室", "补课", "校车"],
    "环境保护": ["噪音", "污染", "排放", "垃圾", "臭味", "工地", "粉尘", "河道", "油烟", "污水"],
}
FILLER = ["市民", "反映", "希望", "尽快", "处理", "小区", "附近", "问题", "请求", "相关", "部门"]


def sentence(rng: random.Random, label: str, n: int = 8) -> list[str]:
    words = rng.sample(SUBJECTS[label], 5) + rng.sample(FILLER, 3)
    rng.shuffle(words)
    return words[:n]


def labelled_rows(n_per_label: int = 25, seed: int = 1) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [(" ".join(sentence(rng, label)), label) for label in SUBJECTS for _ in range(n_per_label)]


def write_csv(path: Path, header: list[str], rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def train_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "train.csv", ["text", "label"], labelled_rows())


@pytest.fixture
def models_in_tmp(settings, tmp_path):
    """Model files under a fresh data directory, and no model cached from another test."""
    from hotline.intelligence.selectors import forget_models

    settings.DATA_DIR = tmp_path
    forget_models()
    yield tmp_path
    forget_models()
