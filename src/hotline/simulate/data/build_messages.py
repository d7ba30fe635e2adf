"""Developer tool, not used at run time: rebuild messages.csv.gz from the 2020 Teddy Cup data.

    .venv/bin/python src/hotline/simulate/data/build_messages.py /work/shared/data/external/taidi2020c

Reads the real citizens' messages (and the units' replies where the source has them), keeps those a
keyword rule maps to an item of the city classification (categories_yueyang.csv), cleans them and
turns the source's anonymised places into placeholders the simulator fills per case:

    A市 -> {city}     A3区 / K9县 / C4市 (the first coded place) -> {county}, a second one -> {county2}
    西地省 -> 湖南省   0731 (the source city's area code) -> {tel}   years 2017-2020 -> {y1} {y2} {y3} (one, two, three years before the simulated year)
    user ids (UU0081473, A00045581) and the board's preambles are removed.

At most PER_ITEM messages per item, picked evenly over the source order; texts are clipped at a full
stop. The selection is deterministic: the same source gives the same file.
"""
from __future__ import annotations

import csv
import gzip
import io
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
PER_ITEM = 70
MAX_CONTENT = 260
MAX_REPLY = 300
MIN_REPLY = 60

# (keywords, category, item): the first rule whose keyword occurs in the title wins.
RULES: list[tuple[tuple[str, ...], str, str]] = [
    (("社保卡",), "人力资源和社会保障类", "社保卡"),
    (("医保", "医疗保险", "生育保险", "生育津贴"), "人力资源和社会保障类", "医疗/生育保险"),
    (("退休", "养老金"), "人力资源和社会保障类", "退休服务"),
    (("工伤",), "人力资源和社会保障类", "工伤保险"),
    (("社保", "社会保险", "养老保险", "失业保险"), "人力资源和社会保障类", "社会保险"),
    (("工资", "欠薪", "拖欠", "劳动合同", "辞退", "加班", "农民工"), "人力资源和社会保障类", "劳动维权"),
    (("就业", "招聘", "创业", "失业"), "人力资源和社会保障类", "就业创业"),
    (("人才", "职称", "编制", "事业单位"), "人力资源和社会保障类", "人事人才"),
    (("物业",), "住房与城乡建设类", "物业管理"),
    (("公积金",), "住房与城乡建设类", "住房公积金"),
    (("拆迁", "征收", "征地"), "住房与城乡建设类", "征地拆迁"),
    (("不动产", "房产证", "产权证"), "住房与城乡建设类", "不动产登记"),
    (("公租房", "廉租房", "保障房", "安置房"), "住房与城乡建设类", "保障性住房"),
    (("漏水", "开裂", "房屋质量", "渗水"), "住房与城乡建设类", "房屋质量"),
    (("开发商", "购房", "售楼", "楼盘", "交房", "商品房"), "住房与城乡建设类", "房产交易"),
    (("工地", "施工安全", "建筑工地"), "住房与城乡建设类", "建筑施工"),
    (("施工噪音", "夜间施工"), "环境保护类", "施工噪音"),
    (("噪音", "噪声", "扰民"), "环境保护类", "生活噪音"),
    (("油烟",), "环境保护类", "餐饮油烟"),
    (("污水", "排污", "水质", "河道污染"), "环境保护类", "水污染"),
    (("粉尘", "废气", "异味", "臭味", "焚烧", "空气"), "环境保护类", "大气污染"),
    (("化工", "工厂污染", "搅拌站"), "环境保护类", "工业污染"),
    (("停车",), "交通运输与交通秩序类", "停车管理"),
    (("公交",), "交通运输与交通秩序类", "公交客运"),
    (("出租车", "网约车", "的士"), "交通运输与交通秩序类", "出租车与网约车"),
    (("驾驶证", "驾照", "车牌", "年检"), "交通运输与交通秩序类", "驾驶证与车辆管理"),
    (("违章", "罚款", "电子眼", "超速"), "交通运输与交通秩序类", "交通违法处理"),
    (("红绿灯", "拥堵", "交通秩序", "斑马线", "违停"), "交通运输与交通秩序类", "道路交通秩序"),
    (("修路", "路面", "坑洼", "道路破损", "公路"), "交通运输与交通秩序类", "道路养护"),
    (("基站", "信号", "宽带", "运营商", "话费", "联通", "电信", "移动公司"), "公共服务类", "通信管理"),
    (("停电", "供电", "电费", "电力"), "公共服务类", "供电服务"),
    (("停水", "自来水", "供水", "水费"), "公共服务类", "供水服务"),
    (("燃气", "天然气", "煤气"), "公共服务类", "燃气服务"),
    (("快递", "邮政"), "公共服务类", "邮政快递"),
    (("有线电视", "广电"), "公共服务类", "广播电视"),
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
    (("体育", "健身", "图书馆", "文化"), "教育文体类", "文化体育"),
    (("学校", "学生", "中学", "小学", "幼儿园", "学院", "大学"), "教育文体类", "学校管理"),
    (("疫苗",), "卫生健康类", "疫苗接种"),
    (("计生", "二胎", "独生子女", "生育"), "卫生健康类", "计划生育"),
    (("医患", "医疗事故"), "卫生健康类", "医患纠纷"),
    (("疫情", "防控", "传染"), "卫生健康类", "疾病防控"),
    (("医院", "医生", "诊所", "看病"), "卫生健康类", "医疗服务"),
    (("低保", "救助", "特困"), "民政类", "社会救助"),
    (("养老院", "敬老院", "养老服务", "老年"), "民政类", "养老服务"),
    (("残疾",), "民政类", "残疾人服务"),
    (("婚姻", "结婚", "离婚"), "民政类", "婚姻登记"),
    (("殡葬", "墓地", "公墓", "骨灰"), "民政类", "殡葬管理"),
    (("宅基地", "建房"), "农业农村类", "农村建房"),
    (("土地流转", "承包", "确权"), "农业农村类", "土地承包"),
    (("补贴", "补助"), "农业农村类", "惠农补贴"),
    (("村道", "农村公路", "饮水", "水渠"), "农业农村类", "农村基础设施"),
    (("养殖", "种植", "农药", "化肥"), "农业农村类", "农业生产"),
    (("审批", "办证", "办事"), "政务服务类", "行政审批"),
    (("作风", "不作为", "乱作为", "腐败"), "政务服务类", "干部作风"),
    (("政策",), "政务服务类", "政策咨询"),
]

_PLACE = re.compile(r"(?<![A-Z])([A-M]\d{1,2}(?=市|区|县)|[A-M](?=市))(市|区|县)")  # A3区, K9县, B市 (not "B区": a block)
_LEFT = re.compile(r"[A-Z]\d{1,2}(市|区|县)|[A-Z]市|西地省")  # anything still anonymised: the message is dropped
_USER = re.compile(r"[“\"]?(UU|A0)\d{4,}[”\"]?")
_YEARS = {"2020": "{y1}", "2019": "{y1}", "2018": "{y2}", "2017": "{y3}"}


def clean(text: str) -> str:
    text = text.replace("_x000D_", " ").replace("{", "（").replace("}", "）")
    return re.sub(r"\s+", " ", text).strip()


def clip(text: str, limit: int) -> str:
    """Cut at the last full stop before `limit` characters (or hard at the limit)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    stop = max(cut.rfind("。"), cut.rfind("！"), cut.rfind("？"))
    return cut[: stop + 1] if stop > limit // 2 else cut + "……"


def placeholders(text: str) -> str:
    """The source's coded places and years as placeholders the simulator fills."""
    seen: dict[str, str] = {}

    def place(m: re.Match[str]) -> str:
        code = m.group(1) + m.group(2)
        if code == "A市":
            return "{city}"
        if code not in seen:
            seen[code] = "{county}" if not seen else "{county2}"
        return seen[code]

    text = _PLACE.sub(place, text.replace("西地省", "湖南省").replace("0731", "{tel}"))
    for year, mark in _YEARS.items():
        text = text.replace(year + "年", mark + "年")
    return text


def clean_reply(text: str) -> str:
    text = clean(text)
    text = re.sub(r"^.*?(答复|回复)如下[：:]", "", text)
    text = _USER.sub("", text)
    text = re.sub(r"^(网友|网民朋友|尊敬的网友)?[：:，,]?\s*", "", text)
    text = re.sub(r"\s*(20\d\d)年\d{1,2}月\d{1,2}日\s*$", "", text)
    text = text.strip(" ：:，,")
    return "您好！" + text if not text.startswith("您好") else text


def rule_match(title: str) -> tuple[str, str] | None:
    for keywords, category, item in RULES:
        if any(k in title for k in keywords):
            return category, item
    return None


def usable(r: dict[str, str]) -> bool:
    content = clean(r["留言详情"])
    return 20 <= len(content) <= 2000 and bool(clean(r["留言主题"]))


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main(source: Path) -> None:
    by_item: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    seen: set[str] = set()
    for name in ("messages_with_replies.csv", "messages_for_hotspots.csv", "labelled_raw_sample.csv"):
        for r in read(source / name):
            title = clean(r["留言主题"])
            match = rule_match(title)
            if match is None or not usable(r) or title in seen:
                continue
            seen.add(title)
            reply = clean_reply(r.get("答复意见", "") or "")
            row = {
                "category": match[0], "item": match[1], "title": placeholders(title)[:80],
                "content": placeholders(clip(clean(r["留言详情"]), MAX_CONTENT)),
                "reply": placeholders(clip(reply, MAX_REPLY)) if len(reply) >= MIN_REPLY else "",
            }
            if _LEFT.search(row["title"] + row["content"]):
                continue
            if _LEFT.search(row["reply"]):
                row["reply"] = ""
            by_item[match].append(row)
    out: list[dict[str, str]] = []
    for key in sorted(by_item):
        rows = by_item[key]
        replied = [r for r in rows if r["reply"]]
        plain = [r for r in rows if not r["reply"]]
        # Replies first (they serve dispatched cases), then plain messages, evenly over the source.
        picked = _even(replied, PER_ITEM * 2 // 3)
        picked += _even(plain, PER_ITEM - len(picked))
        out.extend(picked)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["category", "item", "title", "content", "reply"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(out)
    with gzip.GzipFile(HERE / "messages.csv.gz", "wb", mtime=0) as fh:
        fh.write(buffer.getvalue().encode("utf-8"))
    print(f"wrote {len(out)} messages over {len(by_item)} items")


def _even(rows: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    if count <= 0 or not rows:
        return []
    if len(rows) <= count:
        return list(rows)
    step = len(rows) / count
    return [rows[int(i * step)] for i in range(count)]


if __name__ == "__main__":
    main(Path(sys.argv[1]))
