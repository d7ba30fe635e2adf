"""What the simulated citizens say and what the units answer.

Ordinary cases take a real message of their subject item from the 2020 Teddy Cup board (data/
messages.csv.gz, see build_messages.py) with the anonymised places filled in from the case's own
county, and the unit's real reply to a message of the same item where the source has one. Hotspots,
clusters and special lines have their own short templates below.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import random
from collections import defaultdict
from dataclasses import dataclass
from importlib.resources import files

Item = tuple[str, str]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
PHONE_PREFIXES = ["130", "131", "133", "135", "136", "138", "139", "150", "151", "158", "177", "180", "186",
                  "187", "189", "199"]

TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "holiday_crowd:旅游市场": [
        ("{venue}游客过多排队时间长", "{when}带家人到{venue}游玩，入口排队两个多小时，现场秩序混乱、引导人员不足，希望景区加强限流和疏导。"),
        ("反映{venue}门票预约难", "{when}想预约{venue}门票，线上显示已约满，到现场被告知不能购票，外地游客白跑一趟，希望增加预约名额并提前公告。"),
        ("{venue}周边商铺价格过高", "{venue}周边商铺节假日期间饮用水、小吃价格明显上涨，怀疑存在哄抬价格，请相关部门检查。"),
    ],
    "holiday_crowd:停车管理": [
        ("{venue}周边停车难、车辆乱停", "{when}在{venue}附近找不到停车位，{road}两侧车辆乱停乱放，道路堵塞，希望增设临时停车场并加强疏导。"),
        ("{venue}附近交通拥堵", "{when}{venue}附近{road}拥堵严重，车辆半小时走不了几百米，希望交警现场疏导。"),
    ],
    "policy_burst": [
        ("咨询公积金贷款利率下调", "听说近期个人住房公积金贷款利率下调了，想了解自己现有的公积金贷款什么时候按新利率执行，是否需要本人去办理。"),
        ("咨询首套房首付比例和公积金贷款政策", "准备在{city}购买首套住房，想咨询最新的首付比例和公积金贷款额度、利率，以及组合贷款怎么办理。"),
        ("咨询公积金提取和贷款新政", "看到住房公积金贷款政策有调整，想咨询本人在{county}买房能否提取公积金付首付，贷款利率是多少。"),
    ],
    "mortgage_rate": [
        ("咨询存量首套住房贷款利率调整", "听说9月25日起存量首套住房商业贷款利率可以下调，自己在{city}买的首套房贷款需要到哪里办理、要不要本人申请。"),
        ("反映银行未按规定调整存量房贷利率", "本人名下首套住房商业贷款，听说利率可以下调，询问贷款银行后答复还没有收到通知，想了解具体办理时间。"),
    ],
    "water_cut": [("{road}一带突然停水", "{county}{road}附近从今天上午开始停水，事先没有接到通知，家中老人小孩生活不便，希望尽快恢复供水并说明原因。")],
    "power_cut": [("{road}附近小区停电", "{county}{road}附近小区今天下午突然停电，电梯停运，家中冰箱食物变质，希望尽快抢修并告知恢复时间。")],
    "square_dance": [("广场舞噪音扰民", "{county}{road}附近广场每晚有人跳广场舞，音响声音很大，持续到晚上十点以后，严重影响周边居民休息。")],
    "street_lights": [("{road}路灯不亮", "{county}{road}一段路灯已经不亮半个多月，晚上路面漆黑，行人和电动车出行很不安全，希望尽快维修。")],
    "manhole": [("{road}井盖破损下陷", "{county}{road}人行道上一处井盖破损下陷，已有行人绊倒，希望尽快维修。之前反映过，相关单位互相推诿。")],
    "wall": [("老旧围墙倒塌无人处理", "{county}{street}一处老旧围墙倒塌，砖块堆在路边占用通道，剩余墙体随时可能再倒，反映多次无人处理。")],
}
ANSWERS: dict[str, str] = {
    "holiday_crowd": "话务员告知：{venue}节假日实行预约限流，可通过官方公众号查询余票和开放时间，建议错峰出行、乘坐公共交通。",
    "policy_burst": "话务员根据知识库答复：个人住房公积金贷款利率已按国家统一部署下调，新发放贷款自调整之日起执行新利率，存量贷款按合同约定于次年1月1日起调整，无需本人申请；具体以市住房公积金管理中心公告为准。",
    "mortgage_rate": "话务员告知：存量首套住房商业性个人住房贷款利率调整由各贷款银行统一办理，请关注贷款银行公告或咨询经办银行；对银行办理有异议的，可向金融监管部门反映。",
    "water_cut": "话务员告知：经与供水企业核实，该片区因管网抢修临时停水，预计今日18时前恢复供水。",
    "power_cut": "话务员告知：经与供电企业核实，该片区因线路故障停电，抢修人员已到场，预计2小时内恢复供电。",
    "square_dance": "话务员已记录，告知来电人可同时向辖区派出所反映，已转属地处理。",
}
PREFIX = {"npc_deputy": "人大代表反映：", "enterprise": "企业反映：", "civilization": "文明创建专线："}


@dataclass
class Message:
    title: str
    content: str
    reply: str


class Writer:
    """Fills texts for one city; everything it picks comes from the rng it is given."""

    def __init__(self, *, city: str, area_code: str, counties: list[str], roads: list[str]) -> None:
        self.city, self.area_code, self.counties, self.roads = city, area_code, counties, roads
        self.by_item: dict[Item, list[Message]] = defaultdict(list)
        self.by_top: dict[str, list[Message]] = defaultdict(list)
        raw = gzip.decompress((files("hotline.simulate.data") / "messages.csv.gz").read_bytes()).decode("utf-8")
        for r in csv.DictReader(io.StringIO(raw)):
            m = Message(r["title"], r["content"], r["reply"])
            self.by_item[(r["category"], r["item"])].append(m)
            self.by_top[r["category"]].append(m)
        self.replies: dict[Item, list[str]] = {k: [m.reply for m in v if m.reply] for k, v in self.by_item.items()}
        self.top_replies = {k: [m.reply for m in v if m.reply] for k, v in self.by_top.items()}

    def fill(self, text: str, rng: random.Random, *, year: int, county: str | None, **extra: str) -> str:
        county = county or self.city
        other = rng.choice([c for c in self.counties if c != county] or [county])
        text = (text.replace("{city}", self.city).replace("{county2}", other).replace("{county}", county)
                .replace("{tel}", self.area_code).replace("{y1}", str(year - 1)).replace("{y2}", str(year - 2))
                .replace("{y3}", str(year - 3)))
        for key, value in extra.items():
            text = text.replace("{" + key + "}", value)
        return text

    def message(self, item: Item | None, rng: random.Random) -> Message:
        pool = (self.by_item.get(item) or self.by_top.get(item[0]) or []) if item else []
        if not pool:
            name = item[1] if item and item[1] != "其他" else (item[0] if item else "相关")
            return Message(f"反映{name}方面的问题", f"{{county}}有关{name}方面的问题，希望相关部门核实处理并给予答复。", "")
        return rng.choice(pool)

    def reply(self, item: Item | None, unit: str, rng: random.Random) -> str:
        pool = (self.replies.get(item) or self.top_replies.get(item[0]) or []) if item else []
        if pool and rng.random() < 0.85:
            return rng.choice(pool)
        return (f"您好！您反映的问题已收悉。{unit}高度重视，已安排工作人员与您联系并现场核实，"
                "相关问题已按规定处理到位。感谢您对我们工作的理解和支持。")

    def case(self, *, item: Item | None, topic: str, rng: random.Random, year: int, county: str | None,
             phone: bool, direct: bool, when: dt.date, street: str = "", road: str = "",
             venue: str = "") -> tuple[str, str]:
        """(title, content) of one case."""
        road = road or rng.choice(self.roads)
        topic = topic.partition("@")[0]  # a planted surge ("water_cut@planted24") reads like its topic
        key = f"{topic}:{item[1]}" if item and f"{topic}:{item[1]}" in TEMPLATES else topic
        extra = {"venue": venue, "road": road, "street": street, "when": f"{when.month}月{when.day}日"}
        if key in TEMPLATES:
            title, content = rng.choice(TEMPLATES[key])
        else:
            m = self.message(item, rng)
            title, content = m.title, m.content
            if direct:
                content = _first_sentences(content, 2)
        title = self.fill(title, rng, year=year, county=county, **extra)[:200]
        content = self.fill(content, rng, year=year, county=county, **extra)
        lead = PREFIX.get(topic, "")
        if phone:
            lead += "来电人咨询：" if direct else "来电人反映："
        return title, lead + content

    def answer(self, *, item: Item | None, topic: str, rng: random.Random, year: int, county: str | None,
               venue: str = "") -> str:
        base = topic.split(":")[0].partition("@")[0]
        if base in ANSWERS:
            return self.fill(ANSWERS[base], rng, year=year, county=county, venue=venue)
        name = item[1] if item else "相关政策"
        pool = (self.replies.get(item) or []) if item else []
        told = _first_sentences(self.fill(rng.choice(pool), rng, year=year, county=county), 1) if pool else ""
        return f"话务员根据知识库“{name}”相关内容当场答复。" + (told if len(told) < 120 else "") + "来电人表示清楚。"

    @staticmethod
    def citizen(rng: random.Random) -> tuple[str, str]:
        return (rng.choice(SURNAMES) + rng.choice(["先生", "女士"]),
                rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}")


def _first_sentences(text: str, n: int) -> str:
    out, count = [], 0
    for ch in text:
        out.append(ch)
        if ch in "。！？":
            count += 1
            if count >= n:
                break
    return "".join(out)
