"""A small May 2024 built through the transition service, on the shared `city` fixture.

Hotline orders received in May (numbers are the `cases` keys):
  answered1   phone,  consultation, 人社 › 社会保险, answered directly
  answered2   wechat, consultation, 人社 › 社会保险, answered directly, tag 政企通
  ontime      phone,  complaint, 城市管理 › 路灯照明, street of 甲县, → A, replied on time,
              callback satisfied (SMS); tag 人大代表
  late        phone,  complaint, 城市管理 › 路灯照明, → B, replied late, callback unsatisfied (manual),
              upheld, supervised, rectified, callback satisfied
  stuck       phone,  complaint, 城市管理, → A1 (sub-unit of A), never handled (seriously overdue)
  bounced     phone,  complaint, 城市管理, → A, returned, → B, returned, → A; tag 文明创建 (overdue too)
  reworked    phone,  complaint, 城市管理, → B, reply sent back for rework, replied again, accepted
  extended    phone,  complaint, 城市管理, → B, extension requested (overdue, but not "seriously")
  repeat      merged into `ontime`;  junk: marked invalid
One April order answered directly (for 环比) and one May mailbox letter → B, satisfied.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from hotline.directory.models import AppealType, Category, Channel, Region, Tag
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import transition
from tests.factories import City


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2024, month, day, hour))


@dataclass
class MayData:
    city: City
    cases: dict[str, WorkOrder] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)

    def number(self, key: str) -> str:
        return self.cases[key].number


def _build(city: City) -> MayData:
    data = MayData(city)
    wechat = Channel.objects.create(code="wechat", name="微信公众号")
    mailbox = Channel.objects.create(code="mayor_mailbox", name="市长信箱")
    consult = AppealType.objects.create(code="consultation", name="咨询")
    hr = Category.objects.create(taxonomy="test", name="人力资源和社会保障类")
    insurance = Category.objects.create(taxonomy="test", name="社会保险", parent=hr, depth=2)
    lights = Category.objects.create(taxonomy="test", name="路灯照明", parent=city.category, depth=2)
    root = Region.objects.create(name="某市", code="4300", level=Region.Level.CITY)
    county = Region.objects.create(name="甲县", code="430001", level=Region.Level.COUNTY, parent=root)
    street = Region.objects.create(name="甲县某街道", code="430001-1", level=Region.Level.STREET, parent=county)
    data.regions = {"county": county, "street": street}
    for code, name in (("npc_deputy", "人大代表"), ("enterprise", "政企通"), ("civilization", "文明创建"),
                       ("leader_day", "领导接听日")):
        # get_or_create: leader_day already comes with the migrations (directory/0004_dispatch_rules).
        data.tags[code] = Tag.objects.get_or_create(code=code, defaults={"name": name})[0]
    u = city.user
    h_a, h_a1, h_b = u("handler_a"), u("handler_a1"), u("handler_b")

    def go(order: WorkOrder, action: str, actor: Any, when: dt.datetime, reason: str = "",
           **payload: Any) -> None:
        transition(order=order, action=action, actor=actor, reason=reason, data=payload, at=when)

    def new(key: str, when: dt.datetime, tags: tuple[str, ...] = (), **fields: Any) -> WorkOrder:
        order = city.new_order(at=when, **fields)
        if tags:
            order.tags.set([data.tags[t] for t in tags])
        data.cases[key] = order
        return order

    go(new("april", at(4, 10), appeal_type=consult, category=insurance), "answer", u("operator"), at(4, 10, 11))
    o = new("answered1", at(5, 6), appeal_type=consult, category=insurance)
    go(o, "answer", u("operator"), at(5, 6, 11))
    o = new("answered2", at(5, 6), tags=("enterprise",), channel=wechat, appeal_type=consult, category=insurance)
    go(o, "answer", u("operator"), at(5, 6, 11))

    o = new("ontime", at(5, 6), tags=("npc_deputy",), category=lights, region=street)
    go(o, "dispatch", u("dispatcher"), at(5, 6, 11), unit=city.unit_a.pk)
    go(o, "accept", h_a, at(5, 7))
    go(o, "contact", h_a, at(5, 7, 11))
    go(o, "reply", h_a, at(5, 8), text="已修复")
    go(o, "accept_reply", u("reviewer"), at(5, 8, 14))
    go(o, "callback", None, at(5, 9), result="satisfied")

    o = new("late", at(5, 6), category=lights)
    go(o, "dispatch", u("dispatcher"), at(5, 6, 11), unit=city.unit_b.pk)
    go(o, "accept", h_b, at(5, 7))
    go(o, "reply", h_b, at(5, 20), text="已处理")
    go(o, "accept_reply", u("reviewer"), at(5, 20, 14))
    go(o, "callback", u("callback"), at(5, 21), result="unsatisfied")
    go(o, "verify", u("callback"), at(5, 21, 14), upheld=True)
    go(o, "supervise", u("supervisor"), at(5, 22), reason="群众不满意，督办整改")
    go(o, "rectify", h_b, at(5, 24), text="已整改")
    go(o, "callback", None, at(5, 27), result="satisfied")

    o = new("stuck", at(5, 7))
    go(o, "dispatch", u("dispatcher"), at(5, 7, 11), unit=city.unit_a1.pk)

    o = new("bounced", at(5, 8), tags=("civilization",))
    go(o, "dispatch", u("dispatcher"), at(5, 8, 11), unit=city.unit_a.pk)
    go(o, "return", h_a, at(5, 8, 15), reason="非本单位职责")
    go(o, "redispatch", u("dispatcher"), at(5, 9), reason="改派", unit=city.unit_b.pk)
    go(o, "return", h_b, at(5, 9, 15), reason="非本单位职责")
    go(o, "redispatch", u("dispatcher"), at(5, 10), reason="改派", unit=city.unit_a.pk)

    o = new("reworked", at(5, 9))
    go(o, "dispatch", u("dispatcher"), at(5, 9, 11), unit=city.unit_b.pk)
    go(o, "accept", h_b, at(5, 10))
    go(o, "reply", h_b, at(5, 11), text="已答复")
    go(o, "rework", u("reviewer"), at(5, 11, 14), reason="文不对题")
    go(o, "reply", h_b, at(5, 13), text="重新答复")
    go(o, "accept_reply", u("reviewer"), at(5, 13, 14))

    o = new("extended", at(5, 9))
    go(o, "dispatch", u("dispatcher"), at(5, 9, 11), unit=city.unit_b.pk)
    go(o, "accept", h_b, at(5, 10))
    go(o, "request_extension", h_b, at(5, 14), reason="需协调", days=10)

    go(new("repeat", at(5, 10)), "merge", u("operator"), at(5, 10, 11), into=data.number("ontime"))
    go(new("junk", at(5, 10)), "mark_invalid", u("operator"), at(5, 10, 11), reason="骚扰电话")

    o = new("letter", at(5, 12), box="mailbox", channel=mailbox)
    go(o, "dispatch", u("dispatcher"), at(5, 12, 11), unit=city.unit_b.pk)
    go(o, "accept", h_b, at(5, 13))
    go(o, "reply", h_b, at(5, 14), text="已回复")
    go(o, "accept_reply", u("reviewer"), at(5, 14, 14))
    go(o, "callback", None, at(5, 15), result="satisfied")
    return data


@pytest.fixture
def may(city: City) -> MayData:
    return _build(city)


@pytest.fixture
def yueyang_runs(may: MayData) -> dict[str, Any]:
    """The test units moved to the Yueyang city profile, two ledger entries, both Yueyang schemes run and published."""
    from hotline.assessment.ledger import add_entry
    from hotline.assessment.services import run_month
    from hotline.directory.models import Unit

    Unit.objects.update(city="yueyang")
    may_first = dt.date(2024, 5, 1)
    add_entry(unit=may.city.unit_b, month=may_first, box="hotline", indicator="知识库管理", points="-0.5",
              reason="知识库更新逾期 1 次", actor=None)
    add_entry(unit=may.city.unit_a, month=may_first, box="hotline", indicator="创新创优", points="1",
              reason="单位负责人参加领导接听日", actor=None)
    return {s: run_month(scheme=s, month=may_first, publish=True) for s in ("yueyang-hotline", "yueyang-mailbox")}
