"""Demo data: users of every role and a few hundred Yueyang work orders in every status.

Every case is driven through create_order() and transition() with explicit times in order, so its
history is a real one. Case i of a run is keyed "demo-<i>" (source "demo"): a case that exists is
never made again, so running the demo twice creates nothing new, and a larger --cases adds only the
missing ones. Each case is written in one transaction, so an interrupted run leaves whole cases.
"""
from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hotline.directory.models import AppealType, Category, Channel, Region, Role, Tag, Unit, User
from hotline.directory.seeds import YUEYANG, data_csv, seed_city
from hotline.knowledge.demo import set_up_knowledge_demo
from hotline.workorders.models import Event, Status, WorkOrder
from hotline.workorders.services import create_order, transition

DEMO_SOURCE = "demo"
DEMO_PASSWORD = "hotline-demo"
CITY = "yueyang"
WINDOW_DAYS = 60
MIN_CASES = len(Status.values)  # one of each status at least

# (username, role, display name); the admin is also superuser and staff.
STAFF: list[tuple[str, str, str]] = [
    ("operator", Role.OPERATOR, "话务员 王芳"),
    ("dispatcher", Role.DISPATCHER, "派单员 李强"),
    ("reviewer", Role.REVIEWER, "审核员 张敏"),
    ("callback", Role.CALLBACK, "回访员 刘洋"),
    ("supervisor", Role.SUPERVISOR, "督办员 陈静"),
    ("leader", Role.LEADER, "领导 杨卫东"),
    ("kbeditor", Role.KB_EDITOR, "知识库编辑 周琳"),
    ("admin", Role.ADMIN, "管理员"),
]
SUB_UNIT = ("金鹗山街道办事处", "岳阳楼区", "430602-jineshan")  # (name, parent unit, region code)
HANDLERS: list[tuple[str, str]] = [  # (username, unit name)
    ("handler_yueyanglou", "岳阳楼区"),
    ("handler_jineshan", SUB_UNIT[0]),
    ("handler_zhujian", "市住建局"),
]

# How the demo's cases end up; the first MIN_CASES cases take each status once.
STATUS_WEIGHTS: dict[str, float] = {
    Status.ANSWERED: 36, Status.CLOSED: 30, Status.ACCEPTED: 6, Status.DISPATCHED: 4, Status.CALLBACK: 4,
    Status.REPLIED: 3, Status.NEW: 2, Status.RETURNED: 2, Status.VERIFYING: 2, Status.UNSATISFIED: 1.5,
    Status.SUPERVISED: 2, Status.MERGED: 2, Status.INVALID: 2,
}
CHANNEL_WEIGHTS = {
    "phone": 84, "wechat": 4, "mayor_mailbox": 4, "provincial_12345": 3, "governor_mailbox": 1.5,
    "xiangyiban": 1, "state_council": 0.5, "people_daily": 0.5, "rednet": 0.5, "cppcc": 0.5,
    "service_complaint": 0.5, "national_platform": 0.2,
}
HOTLINE_CHANNELS = {"phone", "provincial_12345"}  # the rest arrive as letters (市长信箱)
APPEAL_WEIGHTS = {"help": 36, "consultation": 12, "complaint": 30, "report": 5, "suggestion": 5, "other": 10,
                  "praise": 2}
# Units that usually own a subject (item first, then category); otherwise the county of the address.
SUBJECT_UNITS: dict[str, list[str]] = {
    "医疗/生育保险": ["市医疗保障局"], "住房公积金": ["市住房公积金管理中心"], "不动产登记": ["市资规局"],
    "旅游市场": ["市文化旅游广电局"], "公交客运": ["市公交集团公司"], "出租车与网约车": ["市交通运输局"],
    "道路养护": ["市公路建养中心"], "通信管理": ["市移动公司", "市电信公司", "市联通公司"],
    "供电服务": ["国网岳阳供电公司"], "供水服务": ["市水务集团公司"], "燃气服务": ["岳阳华润燃气公司"],
    "邮政快递": ["市邮政管理局"], "广播电视": ["市广播电视台"],
    "人力资源和社会保障类": ["市人社局"], "住房与城乡建设类": ["市住建局"], "社会治安与综合治理类": ["市公安局"],
    "市场管理类": ["市市场监督管理局"], "交通运输与交通秩序类": ["市公安交警支队", "市交通运输局"],
    "城市管理类": ["市城管局"], "环境保护类": ["市生态环境局"], "教育文体类": ["市教体局"],
    "卫生健康类": ["市卫健委"], "农业农村类": ["市农业农村局"], "民政类": ["市民政局"],
    "政务服务类": ["市行政审批服务局"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
PHONE_PREFIXES = ["130", "131", "133", "135", "136", "138", "139", "150", "151", "158", "177", "180", "186",
                  "187", "189", "199"]


class DemoRefused(RuntimeError):
    """The database holds real data; the demo never writes into it."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    name: str
    unit: str
    password: str


@dataclass
class DemoSummary:
    logins: list[DemoLogin]
    created: int = 0
    existing: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


# --- directory and users -----------------------------------------------------------------------

def refuse_real_database() -> None:
    if WorkOrder.objects.exclude(source=DEMO_SOURCE).exists():
        raise DemoRefused("数据库中已有非演示工单：演示命令只在全新或演示数据库上运行，请设置另一个 HOTLINE_DATA_DIR")


@transaction.atomic
def ensure_sub_unit() -> Unit:
    name, parent_name, region_code = SUB_UNIT
    parent = Unit.objects.get(city=CITY, name=parent_name)
    unit, _ = Unit.objects.get_or_create(
        city=CITY, name=name, group=parent.group,
        defaults={"code": f"{parent.code}-S01", "parent": parent,
                  "region": Region.objects.filter(code=region_code).first()},
    )
    return unit


@transaction.atomic
def ensure_users() -> list[DemoLogin]:
    """The demo logins (created with the demo password; an existing user is left as it is)."""
    logins = []
    for username, role, display in STAFF:
        user = _user(username, role=role, display=display, unit=None, usable=True)
        if role == Role.ADMIN and not (user.is_superuser and user.is_staff):
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        logins.append(DemoLogin(username, Role(role).label, display, "", DEMO_PASSWORD))
    for username, unit_name in HANDLERS:
        unit = Unit.objects.get(city=CITY, name=unit_name)
        display = f"{unit.name}工单办理专员"
        _user(username, role=Role.UNIT_HANDLER, display=display, unit=unit, usable=True)
        label = unit.name if unit.parent_id is None else f"{unit.name}（{unit.parent}下属）"
        logins.append(DemoLogin(username, Role.UNIT_HANDLER.label, display, label, DEMO_PASSWORD))
    return logins


def _user(username: str, *, role: str, display: str, unit: Unit | None, usable: bool) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, unit=unit, first_name=display[:150])
        if usable:
            user.password = _demo_password_hash()
        else:
            user.set_unusable_password()
        user.save()
    return user


@functools.cache
def _demo_password_hash() -> str:
    # One hash for every demo login: the password is published anyway, and hashing is slow on purpose.
    return make_password(DEMO_PASSWORD)


def handler_for(unit: Unit, cache: dict[int, User]) -> User:
    """The unit's case handler: a demo login where there is one, else a handler who cannot log in."""
    if unit.pk not in cache:
        user = User.objects.filter(role=Role.UNIT_HANDLER, unit=unit, is_active=True).order_by("id").first()
        cache[unit.pk] = user or _user(
            f"h_{unit.code.lower().replace('-', '_')}", role=Role.UNIT_HANDLER,
            display=f"{unit.name}工单办理专员", unit=unit, usable=False,
        )
    return cache[unit.pk]


# --- reference data the generator draws from -----------------------------------------------------

@dataclass
class Pools:
    messages: list[dict[str, str]]
    channels: dict[str, Channel]
    appeal_types: dict[str, AppealType]
    categories: dict[tuple[str, str], Category]
    tags: dict[str, Tag]
    units: dict[str, Unit]
    counties: list[tuple[Unit, float]]  # county-group units weighted by their calibration volume
    users: dict[str, User]
    handlers: dict[int, User] = field(default_factory=dict)
    _streets: dict[int, list[Region]] = field(default_factory=dict)

    def streets(self, region: Region | None) -> list[Region]:
        if region is None:
            return []
        if region.pk not in self._streets:
            self._streets[region.pk] = list(Region.objects.filter(parent=region, level=Region.Level.STREET))
        return self._streets[region.pk]

    @classmethod
    def load(cls) -> "Pools":
        top = {c.pk: c.name for c in Category.objects.filter(taxonomy=YUEYANG, depth=1)}
        categories = {
            (top[c.parent_id], c.name): c
            for c in Category.objects.filter(taxonomy=YUEYANG, depth=2) if c.parent_id in top
        }
        units = {u.name: u for u in Unit.objects.filter(city=CITY, active=True).select_related("region")}
        due = {r["unit"]: float(r["due"]) for r in data_csv("calibration/yueyang-2024-05-hotline-units.csv")}
        counties = [(u, due.get(u.name, 50.0)) for u in units.values()
                    if u.group == Unit.Group.COUNTY and u.parent_id is None]
        return cls(
            messages=data_csv("demo/messages.csv"),
            channels={c.code: c for c in Channel.objects.all()},
            appeal_types={a.code: a for a in AppealType.objects.all()},
            categories=categories, tags={t.code: t for t in Tag.objects.all()}, units=units, counties=counties,
            users={u.username: u for u in User.objects.filter(username__in=[s[0] for s in STAFF])},
        )


# --- one case's life -------------------------------------------------------------------------------

@dataclass
class Step:
    action: str
    actor: User | None
    after: dt.timedelta  # after the previous step
    data: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


def _hours(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(hours=rng.uniform(low, high))


class CasePlanner:
    """Decides a case's fields and the steps that take it to its final status."""

    def __init__(self, pools: Pools, rng: random.Random, status: str) -> None:
        self.p, self.rng, self.status = pools, rng, status
        self.steps: list[Step] = []

    def fields(self) -> tuple[dict[str, Any], list[int], User]:
        rng, p = self.rng, self.p
        intake_only = self.status in (Status.NEW, Status.ANSWERED, Status.INVALID, Status.MERGED)
        channel_code = ("phone" if rng.random() < 0.9 else "wechat") if intake_only else \
            rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        if self.status == Status.INVALID:
            appeal = "invalid"
        elif self.status == Status.ANSWERED:
            appeal = "consultation" if rng.random() < 0.8 else "help"
        else:
            appeal = rng.choices(list(APPEAL_WEIGHTS), weights=list(APPEAL_WEIGHTS.values()))[0]
        needs_reply = self.status not in (Status.NEW, Status.ANSWERED, Status.INVALID, Status.MERGED,
                                          Status.DISPATCHED, Status.RETURNED, Status.ACCEPTED)
        pool = [m for m in p.messages if bool(m["reply"]) == needs_reply] or p.messages
        self.message = rng.choice(pool)
        self.category = p.categories.get((self.message["category"], self.message["item"]))
        self.county, _ = rng.choices(p.counties, weights=[w for _, w in p.counties])[0]
        region = self.county.region
        streets = p.streets(region)
        street = rng.choice(streets) if streets else None
        fields: dict[str, Any] = {
            "box": "hotline" if channel_code in HOTLINE_CHANNELS else "mailbox",
            "channel": p.channels[channel_code],
            "citizen_name": rng.choice(SURNAMES) + rng.choice(["先生", "女士"]),
            "citizen_phone": rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            "confidential": rng.random() < 0.05,
            "title": self.message["title"], "content": self.message["content"],
            "address": "".join(r.name for r in (region, street) if r is not None),
            "region": street or region, "appeal_type": p.appeal_types[appeal], "category": self.category,
            "urgency": rng.choices(["normal", "urgent", "very_urgent"], weights=[92, 7, 1])[0],
        }
        tags = [code for code, share in (("enterprise", 0.03), ("npc_deputy", 0.01), ("civilization", 0.02),
                                         ("leader_day", 0.01)) if rng.random() < share]
        if self.message["item"] == "旅游市场":
            tags.append("tourism")
        creator = p.users["leader"] if "leader_day" in tags else p.users["operator"]
        return fields, [p.tags[c].pk for c in tags if c in p.tags], creator

    def pick_unit(self, avoid: Unit | None = None) -> Unit:
        rng, p = self.rng, self.p
        names = SUBJECT_UNITS.get(self.message["item"]) or SUBJECT_UNITS.get(self.message["category"]) or []
        candidates = [p.units[n] for n in names if n in p.units]
        unit = rng.choice(candidates) if candidates and rng.random() < 0.45 else self.county
        if unit.name == SUB_UNIT[1] and rng.random() < 0.35 and SUB_UNIT[0] in p.units:
            unit = p.units[SUB_UNIT[0]]
        if avoid is not None and unit.pk == avoid.pk:
            others = [u for u in candidates if u.pk != avoid.pk] or [u for u, _ in p.counties if u.pk != avoid.pk]
            unit = rng.choice(others)
        return unit

    def add(self, action: str, actor: User | None, after: dt.timedelta, reason: str = "", **data: Any) -> None:
        self.steps.append(Step(action, actor, after, data, reason))

    def plan(self) -> None:
        rng, p, s = self.rng, self.p, self.status
        u = p.users
        if s in (Status.NEW, Status.MERGED):
            return
        if s == Status.ANSWERED:
            reply = self.message["reply"]
            text = reply[:160] if reply else f"话务员依据知识库“{self.message['item']}”条目当场解答，来电人表示清楚。"
            self.add("answer", u["operator"], _hours(rng, 0.05, 0.25), text=text)
            return
        if s == Status.INVALID:
            self.add("mark_invalid", u["operator"], _hours(rng, 0.02, 0.1),
                     reason=rng.choice(["来电人未反映具体诉求", "误拨", "骚扰来电", "来电无声"]))
            return
        unit = self.pick_unit()
        dispatch: dict[str, Any] = {"unit": unit.pk}
        if rng.random() < 0.05:
            co = self.pick_unit(avoid=unit)
            dispatch["co_units"] = [co.pk]
        self.add("dispatch", u["dispatcher"], _hours(rng, 0.2, 3), **dispatch)
        if s == Status.DISPATCHED:
            return
        bounce = s == Status.RETURNED or rng.random() < 0.1
        if bounce:
            other = self.pick_unit(avoid=unit)
            if rng.random() < 0.5:
                self.add("accept", handler_for(unit, p.handlers), _hours(rng, 0.5, 12))
            self.add("return", handler_for(unit, p.handlers), _hours(rng, 1, 24),
                     reason=f"该事项不属于本单位职责，建议改派{other.name}办理")
            if s == Status.RETURNED:
                return
            self.add("redispatch", u["dispatcher"], _hours(rng, 0.5, 6),
                     reason=f"经核实属{other.name}职责，予以改派", unit=other.pk)
            unit = other
        handler = handler_for(unit, p.handlers)
        self.add("accept", handler, _hours(rng, 0.5, 20))
        self.add("contact", handler, _hours(rng, 0.5, 24), note="已电话联系诉求人，了解具体情况")
        extension = rng.random() < (0.3 if s == Status.ACCEPTED else 0.08)
        if extension:
            self.add("request_extension", handler, _hours(rng, 12, 48), reason="需协调多个部门现场处理", days=5)
            if s == Status.ACCEPTED and rng.random() < 0.5:
                return  # the request is still waiting for the hotline's decision
            decision = "approve_extension" if rng.random() < 0.85 else "refuse_extension"
            self.add(decision, u["dispatcher"], _hours(rng, 1, 8),
                     reason="" if decision == "approve_extension" else "可在原时限内办结，不予延期")
        if s == Status.ACCEPTED:
            return
        reply_text = self.message["reply"] or (
            f"您好，您反映的“{self.message['title']}”问题已收悉。我单位已安排工作人员与您联系并现场核实，"
            "相关问题已按规定处理。感谢您对我们工作的支持。"
        )
        late = rng.random() < 0.08
        self.add("reply", handler, _hours(rng, 24 * 7, 24 * 11) if late else _hours(rng, 6, 24 * 4), text=reply_text)
        if s == Status.REPLIED:
            return
        if rng.random() < 0.1:
            self.add("rework", u["reviewer"], _hours(rng, 1, 20),
                     reason=rng.choice(["答复未针对诉求人反映的问题（文不对题），请重新核实办理",
                                        "答复内容过于简单，未说明处理结果"]))
            self.add("reply", handler, _hours(rng, 6, 48), text=reply_text)
        self.add("accept_reply", u["reviewer"], _hours(rng, 1, 20))
        self.plan_callback(handler)

    def plan_callback(self, handler: User) -> None:
        rng, u, s = self.rng, self.p.users, self.status
        if s == Status.CALLBACK:
            if rng.random() < 0.3:
                self.add("callback", None, _hours(rng, 2, 24), result="unreachable")
            return
        actor = u["callback"] if rng.random() < 0.3 else None  # manual spot check, else the SMS survey
        path = ""
        if s == Status.CLOSED:
            path = rng.choices(["satisfied", "unreachable", "not_upheld", "rectified", "closed_by_hand"],
                               weights=[80, 6, 6, 5, 3])[0]
            if path in ("satisfied", "unreachable"):
                if path == "unreachable":
                    self.add("callback", None, _hours(rng, 2, 24), result="unreachable")
                result = "satisfied" if rng.random() < 0.8 else "basic"
                self.add("callback", actor, _hours(rng, 2, 48), result=result)
                return
            if path == "closed_by_hand":
                self.add("callback", None, _hours(rng, 2, 24), result="unreachable")
                self.add("callback", u["callback"], _hours(rng, 24, 48), result="unreachable")
                self.add("close", u["supervisor"], _hours(rng, 1, 24), reason="多次回访未接通，按规定办结归档")
                return
        self.add("callback", actor, _hours(rng, 2, 48), result="unsatisfied")
        if s == Status.VERIFYING:
            return
        upheld = s != Status.CLOSED or path == "rectified"  # closed cases: "not_upheld" or "rectified"
        self.add("verify", u["callback"], _hours(rng, 2, 24), upheld=upheld,
                 note="经人工核实，诉求人反映的问题尚未解决" if upheld else "经核实，诉求人对非职责范围事项不满意，不予认定")
        if not upheld or s == Status.UNSATISFIED:
            return
        self.add("supervise", u["supervisor"], _hours(rng, 2, 24), reason="核实不满意，督办承办单位整改")
        if s == Status.SUPERVISED:
            return
        self.add("rectify", handler, _hours(rng, 24, 24 * 4), text="经督办整改，已再次上门核实处理，并向诉求人说明情况。")
        self.add("callback", u["callback"], _hours(rng, 2, 48), result="satisfied")


# --- running the plan ------------------------------------------------------------------------------

def daytime(rng: random.Random, at: dt.datetime) -> dt.datetime:
    """Staff work between 08:00 and 21:00: a step that would fall at night waits for the morning."""
    local = timezone.localtime(at)
    if local.hour >= 21:
        local += dt.timedelta(days=1)
    if local.hour >= 21 or local.hour < 8:
        local = local.replace(hour=rng.randint(8, 10), minute=rng.randrange(60), second=rng.randrange(60))
    return local


def _schedule(rng: random.Random, status: str, steps: list[Step], now: dt.datetime) -> list[dt.datetime]:
    """Times of intake and of each step: within the window (open cases recent), at daytime hours
    (except the automatic SMS survey), in order, and all already in the past."""
    span = sum((step.after for step in steps), dt.timedelta(0))
    recent_days: dict[str, int] = {Status.NEW: 2, Status.DISPATCHED: 6, Status.RETURNED: 6, Status.ACCEPTED: 10,
                                   Status.REPLIED: 8, Status.CALLBACK: 8, Status.VERIFYING: 8}
    recent = recent_days.get(status)
    room = max(dt.timedelta(0), dt.timedelta(days=WINDOW_DAYS) - span * 1.5)
    if recent is not None:
        room = min(room, dt.timedelta(days=recent))
    start = timezone.localtime(now - span - room * rng.random())
    start = start.replace(hour=rng.randint(8, 20), minute=rng.randrange(60), second=rng.randrange(60),
                          microsecond=0)
    jitter = rng.getstate()
    while True:
        rng.setstate(jitter)  # the same minutes each try, so only whole days move
        times = [start]
        for step in steps:
            at = times[-1] + step.after
            times.append(at if step.action == "callback" and step.actor is None else daytime(rng, at))
        if times[-1] <= now - dt.timedelta(minutes=5):
            return times
        start -= dt.timedelta(days=1)


def _statuses(cases: int, seed: int) -> list[str]:
    first = list(Status.values)
    rng = random.Random(f"{seed}:statuses")
    rest = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=max(0, cases - len(first)))
    return (first + rest)[:cases]


def generate_orders(*, cases: int, seed: int = 1, now: dt.datetime | None = None) -> tuple[int, int]:
    """Make sure demo cases 0..cases-1 exist. Returns (created, already there)."""
    now = now or timezone.now()
    pools = Pools.load()
    done = set(WorkOrder.objects.filter(source=DEMO_SOURCE).values_list("idempotency_key", flat=True))
    plans = []
    for i, status in enumerate(_statuses(cases, seed)):
        key = f"demo-{i}"
        if key in done:
            continue
        rng = random.Random(f"{seed}:{i}")
        planner = CasePlanner(pools, rng, status)
        fields, tag_ids, creator = planner.fields()
        planner.plan()
        plans.append((_schedule(rng, status, planner.steps, now), key, planner, fields, tag_ids, creator))
    # Chronological intake keeps case numbers in time order; repeats are merged last, into open cases.
    plans.sort(key=lambda plan: (plan[2].status == Status.MERGED, plan[0][0]))
    for times, key, planner, fields, tag_ids, creator in plans:
        with transaction.atomic():
            if planner.status == Status.MERGED:
                _merged_case(planner, fields, tag_ids, key, now)
                continue
            order, _ = create_order(actor=creator, fields=fields, tag_ids=tag_ids, source=DEMO_SOURCE,
                                    idempotency_key=key, at=times[0])
            for step, at in zip(planner.steps, times[1:]):
                transition(order=order, action=step.action, actor=step.actor, reason=step.reason,
                           data=step.data, at=at)
    return len(plans), len(done)


def _merged_case(planner: CasePlanner, fields: dict[str, Any], tag_ids: list[int], key: str,
                 now: dt.datetime) -> None:
    """A repeat call about a case still being handled: taken in, then merged into that case."""
    rng = planner.rng
    open_cases = (WorkOrder.objects.filter(source=DEMO_SOURCE, status__in=[
        Status.DISPATCHED, Status.ACCEPTED, Status.REPLIED, Status.CALLBACK, Status.SUPERVISED])
        .annotate(last=Max("events__at")).filter(last__lt=now - dt.timedelta(hours=1)).order_by("number"))
    target = rng.choice(list(open_cases)) if open_cases else (
        WorkOrder.objects.filter(source=DEMO_SOURCE).exclude(status__in=[Status.MERGED, Status.INVALID])
        .annotate(last=Max("events__at")).order_by("number").first()
    )
    if target is None:
        raise RuntimeError("no demo case to merge a repeat call into")
    last = target.last  # type: ignore[attr-defined]
    start = last + (now - last) * rng.uniform(0.1, 0.8)
    fields = {**fields, "title": target.title, "content": f"再次来电反映：{target.content}",
              "category": target.category, "region": target.region, "address": target.address}
    order, _ = create_order(actor=planner.p.users["operator"], fields=fields, tag_ids=tag_ids,
                            source=DEMO_SOURCE, idempotency_key=key, at=start)
    transition(order=order, action="merge", actor=planner.p.users["operator"],
               data={"into": target.number}, at=start + dt.timedelta(minutes=rng.uniform(2, 10)))


# --- the whole setup -------------------------------------------------------------------------------

def set_up_demo(*, cases: int, seed: int = 1, now: dt.datetime | None = None) -> DemoSummary:
    """Directory, Yueyang profile, demo users and cases. Safe to run again."""
    if cases < MIN_CASES:
        raise ValueError(f"--cases 至少为 {MIN_CASES}（每种状态至少一件）")
    refuse_real_database()
    seed_city(city=CITY)
    ensure_sub_unit()
    logins = ensure_users()
    created, existing = generate_orders(cases=cases, seed=seed, now=now)
    set_up_knowledge_demo(now=now)
    by_status = {s: WorkOrder.objects.filter(source=DEMO_SOURCE, status=s).count() for s in Status.values}
    return DemoSummary(logins=logins, created=created, existing=existing, by_status=by_status)


def demo_event_count() -> int:
    return Event.objects.filter(order__source=DEMO_SOURCE).count()
