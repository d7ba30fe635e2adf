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

HERE = Path(__file__).resolve().parent
WITH_REPLIES = 260  # from messages_with_replies.csv
WITHOUT_REPLIES = 190  # from labelled_raw_sample.csv
MAX_CONTENT = 500
MAX_REPLY = 400

# (keywords, category, item): the first rule whose keyword occurs in the title wins.
RULES: list[tuple[tuple[str, ...], str, str]] = [
    (("社保卡",), "人力资源和社会保障类", "社保卡"),
    (("医保", "医疗保险", "生育保险", "生育津贴"), "人力资源和社会保障类", "医疗/生育保险"),
    (("退休", "养老金"), "人力资源和社会保障类", "退休服务"),
    (("工伤",), "人力资源和社会保障类", "工伤保险"),
    (("社保", "社会保险", "养老保险", "失业保险"), "人力资源和社会保障类", "社会保险"),
    (("工资", "欠薪", "拖欠", "劳动合同", "辞退", "加班", "农民工"), "人力资源和社会保障类", "劳动维权"),
    (("就业", "招聘", "创业", "失业"), "人力资源和社会保障类", "就业创业"),
    (("物业",), "住房与城乡建设类", "物业管理"),
    (("公积金",), "住房与城乡建设类", "住房公积金"),
    (("拆迁", "征收", "征地"), "住房与城乡建设类", "征地拆迁"),
    (("不动产", "房产证", "产权证"), "住房与城乡建设类", "不动产登记"),
    (("公租房", "廉租房", "保障房", "安置房"), "住房与城乡建设类", "保障性住房"),
    (("漏水", "开裂", "房屋质量", "渗水"), "住房与城乡建设类", "房屋质量"),
    (("开发商", "购房", "售楼", "楼盘", "交房", "商品房"), "住房与城乡建设类", "房产交易"),
    (("施工噪音", "夜间施工"), "环境保护类", "施工噪音"),
    (("噪音", "噪声", "扰民"), "环境保护类", "生活噪音"),
    (("油烟",), "环境保护类", "餐饮油烟"),
    (("污水", "排污", "水质", "河道污染"), "环境保护类", "水污染"),
    (("粉尘", "废气", "异味", "臭味", "焚烧", "空气"), "环境保护类", "大气污染"),
    (("停车",), "交通运输与交通秩序类", "停车管理"),
    (("公交",), "交通运输与交通秩序类", "公交客运"),
    (("出租车", "网约车", "的士"), "交通运输与交通秩序类", "出租车与网约车"),
    (("驾驶证", "驾照", "车牌", "年检"), "交通运输与交通秩序类", "驾驶证与车辆管理"),
    (("红绿灯", "拥堵", "交通秩序", "斑马线", "违停"), "交通运输与交通秩序类", "道路交通秩序"),
    (("基站", "信号", "宽带", "运营商", "话费", "联通", "电信", "移动公司"), "公共服务类", "通信管理"),
    (("停电", "供电", "电费", "电力"), "公共服务类", "供电服务"),
    (("停水", "自来水", "供水", "水费"), "公共服务类", "供水服务"),
    (("燃气", "天然气", "煤气"), "公共服务类", "燃气服务"),
    (("快递", "邮政"), "公共服务类", "邮政快递"),
    (("路灯",), "城市管理类", "路灯照明"),
    (("占道", "摆摊", "流动摊贩"), "城市管理类", "占道经营"),
    (("违建", "违章建筑", "违法建设", "违章搭建"), "城市管理类", "违法建设"),
    (("绿化", "树木"), "城市管理类", "园林绿化"),
    (("渣土",), "城市管理类", "渣土运输"),
    (("垃圾", "环境卫生", "卫生死角"), "城市管理类", "市容环境卫生"),
    (("井盖", "人行道", "下水道", "排水"), "城市管理类", "市政设施"),
    (("诈骗",), "社会治安与综合治理类", "电信网络诈骗"),
    (("集资", "传销", "P2P"), "社会治安与综合治理类", "非法集资"),
    (("户口", "户籍", "落户", "身份证"), "社会治安与综合治理类", "户籍管理"),
    (("消防",), "社会治安与综合治理类", "消防安全"),
    (("赌博", "黑恶", "治安", "打架", "盗窃"), "社会治安与综合治理类", "治安管理"),
    (("纠纷",), "社会治安与综合治理类", "矛盾纠纷"),
    (("食品", "餐馆", "外卖"), "市场管理类", "食品安全"),
    (("药店", "药品"), "市场管理类", "药品安全"),
    (("价格", "涨价", "乱收费", "收费标准"), "市场管理类", "价格监管"),
    (("旅游", "景区", "导游"), "市场管理类", "旅游市场"),
    (("电梯",), "市场管理类", "特种设备"),
    (("营业执照", "工商登记"), "市场管理类", "市场主体登记"),
    (("退款", "消费", "商家", "售后", "退费", "会员卡", "预付卡"), "市场管理类", "消费维权"),
    (("培训",), "教育文体类", "校外培训"),
    (("招生", "入学", "学位", "择校", "转学"), "教育文体类", "招生入学"),
    (("教师", "老师"), "教育文体类", "教师权益"),
    (("补课", "学费", "教辅"), "教育文体类", "教育收费"),
    (("学校", "学生", "中学", "小学", "幼儿园", "学院", "大学"), "教育文体类", "学校管理"),
    (("疫苗",), "卫生健康类", "疫苗接种"),
    (("计生", "二胎", "独生子女", "生育"), "卫生健康类", "计划生育"),
    (("医患", "医疗事故"), "卫生健康类", "医患纠纷"),
    (("医院", "医生", "诊所", "看病"), "卫生健康类", "医疗服务"),
    (("低保", "救助", "特困"), "民政类", "社会救助"),
    (("养老院", "敬老院", "养老服务", "老年"), "民政类", "养老服务"),
    (("残疾",), "民政类", "残疾人服务"),
    (("婚姻", "结婚", "离婚"), "民政类", "婚姻登记"),
    (("殡葬", "墓地", "公墓", "骨灰"), "民政类", "殡葬管理"),
    (("宅基地", "建房"), "农业农村类", "农村建房"),
    (("土地流转", "承包", "确权"), "农业农村类", "土地承包"),
    (("补贴", "补助"), "农业农村类", "惠农补贴"),
    (("审批", "办证", "办事"), "政务服务类", "行政审批"),
    (("作风", "不作为", "乱作为", "腐败"), "政务服务类", "干部作风"),
]

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


def clip(text: str, limit: int) -> str:
    """Cut at the last full stop before `limit` characters (or hard at the limit)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    stop = cut.rfind("。")
    return cut[: stop + 1] if stop > limit // 2 else cut + "……"


def rule_match(title: str) -> tuple[str, str] | None:
    for keywords, category, item in RULES:
        if any(k in title for k in keywords):
            return category, item
    return None


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
