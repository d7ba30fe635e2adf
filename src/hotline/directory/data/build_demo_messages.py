"""Developer tool, not used at run time: rebuild demo/messages.csv from the 2020 Teddy Cup data.

    python src/hotline/directory/data/build_demo_messages.py /work/shared/data/external/taidi2020c

Takes a few hundred citizens' messages (title, text, and the unit's reply where the source has one),
spread evenly over the source's first-level labels, cleans the board's whitespace padding, and maps
each message to an item of the Yueyang classification (categories_yueyang.csv) by keywords in the
title, falling back to a default item for the source label. Selection is deterministic.
"""
from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

# The keyword table that maps a title to a Yueyang item, and the clipping, are the simulator's builder's
# (one table for both data sets, so a demo message and a simulated one of the same title get the same item).
from hotline.simulate.data.build_messages import clip, rule_match

HERE = Path(__file__).resolve().parent
WITH_REPLIES = 260  # from messages_with_replies.csv
WITHOUT_REPLIES = 190  # from labelled_raw_sample.csv
MAX_CONTENT = 500
MAX_REPLY = 400

LABEL_DEFAULTS: dict[str, tuple[str, str]] = {
    "城乡建设": ("住房与城乡建设类", "其他"),
    "劳动和社会保障": ("人力资源和社会保障类", "其他"),
    "教育文体": ("教育文体类", "学校管理"),
    "卫生计生": ("卫生健康类", "医疗服务"),
    "交通运输": ("交通运输与交通秩序类", "其他"),
    "商贸旅游": ("市场管理类", "其他"),
    "环境保护": ("环境保护类", "其他"),
    "农村农业": ("农业农村类", "其他"),
    "政法": ("社会治安与综合治理类", "其他"),
    "民政": ("民政类", "其他"),
    "党务政务": ("政务服务类", "政务服务效能"),
    "纪检监察": ("政务服务类", "干部作风"),
    "经济管理": ("市场管理类", "其他"),
    "国土资源": ("住房与城乡建设类", "其他"),
    "科技与信息产业": ("公共服务类", "通信管理"),
}


def clean(text: str) -> str:
    # The source was exported from Excel, which writes a carriage return inside a cell as "_x000D_".
    return re.sub(r"\s+", " ", text.replace("_x000D_", " ")).strip()


def classify(title: str, label: str) -> tuple[str, str]:
    return rule_match(title) or LABEL_DEFAULTS[label]


def usable(r: dict[str, str]) -> bool:
    return 20 <= len(clean(r["留言详情"])) <= 1500 and bool(clean(r["留言主题"]))


def pick_labelled(rows: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    """Round-robin over the source's labels, rows in source order."""
    by_label: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        if usable(r):
            by_label[r["一级标签"]].append(r)
    labels = sorted(by_label)
    chosen: list[dict[str, str]] = []
    i = 0
    while len(chosen) < count and any(by_label.values()):
        bucket = by_label[labels[i % len(labels)]]
        if bucket:
            chosen.append(bucket.pop(0))
        i += 1
    return chosen


def pick_replied(rows: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    """Messages whose title a keyword rule classifies (the file has no label), spread over the file."""
    fit = [r for r in rows if usable(r) and rule_match(clean(r["留言主题"])) and len(clean(r["答复意见"])) >= 30]
    step = max(1, len(fit) // count)
    return fit[::step][:count]


def row(r: dict[str, str], category: str, item: str, reply: str) -> dict[str, str]:
    return {
        "title": clean(r["留言主题"])[:100], "content": clip(clean(r["留言详情"]), MAX_CONTENT),
        "reply": reply, "category": category, "item": item,
    }


def main(source: Path) -> None:
    with (source / "messages_with_replies.csv").open(encoding="utf-8") as fh:
        replied = list(csv.DictReader(fh))
    with (source / "labelled_raw_sample.csv").open(encoding="utf-8") as fh:
        labelled = list(csv.DictReader(fh))
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for r in pick_replied(replied, WITH_REPLIES):
        title = clean(r["留言主题"])
        if title not in seen:
            seen.add(title)
            category, item = rule_match(title) or ("其他类", "其他")
            out.append(row(r, category, item, clip(clean(r["答复意见"]), MAX_REPLY)))
    for r in pick_labelled(labelled, WITHOUT_REPLIES):
        title = clean(r["留言主题"])
        if title not in seen:
            seen.add(title)
            out.append(row(r, *classify(title, r["一级标签"]), ""))
    with (HERE / "demo" / "messages.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["title", "content", "reply", "category", "item"])
        writer.writeheader()
        writer.writerows(out)
    print(f"wrote {len(out)} messages")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
