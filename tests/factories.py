"""Shared factories and a small test city."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import factory

from hotline.directory.models import AppealType, Category, Channel, Role, Unit, User
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import create_order, transition


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"U{n:04d}")
    city = "test"
    group = Unit.Group.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OPERATOR
    password = factory.django.Password("pw-12345678")


@dataclass
class City:
    unit_a: Unit
    unit_a1: Unit  # sub-unit of A
    unit_b: Unit
    channel: Channel
    appeal_type: AppealType
    category: Category
    users: dict[str, User] = field(default_factory=dict)

    def user(self, role: str) -> User:
        return self.users[role]

    def new_order(self, **overrides: Any) -> WorkOrder:
        fields: dict[str, Any] = {
            "channel": self.channel, "citizen_name": "张三", "citizen_phone": "13812345678",
            "content": "小区路灯不亮", "appeal_type": self.appeal_type, "category": self.category,
        }
        at = overrides.pop("at", None)
        fields.update(overrides)
        order, _ = create_order(actor=self.user("operator"), fields=fields, at=at)
        return order

    def dispatched(self, unit: Unit | None = None, at: dt.datetime | None = None, **overrides: Any) -> WorkOrder:
        order = self.new_order(at=at, **overrides)
        transition(order=order, action="dispatch", actor=self.user("dispatcher"),
                   data={"unit": (unit or self.unit_a).pk}, at=at)
        return order


def make_city() -> City:
    a = UnitFactory(name="甲区人民政府", group=Unit.Group.COUNTY)
    a1 = UnitFactory(name="甲区某街道", parent=a, group=Unit.Group.COUNTY)
    b = UnitFactory(name="市乙局")
    city = City(
        unit_a=a, unit_a1=a1, unit_b=b,
        channel=Channel.objects.create(code="phone", name="电话"),
        appeal_type=AppealType.objects.create(code="complaint", name="投诉"),
        category=Category.objects.create(taxonomy="test", name="城市管理类"),
    )
    for role in Role.values:
        if role in (Role.SYSTEM, Role.UNIT_HANDLER):
            continue
        city.users[role] = UserFactory(username=role, role=role)
    city.users["handler_a"] = UserFactory(username="handler_a", role=Role.UNIT_HANDLER, unit=a)
    city.users["handler_a1"] = UserFactory(username="handler_a1", role=Role.UNIT_HANDLER, unit=a1)
    city.users["handler_b"] = UserFactory(username="handler_b", role=Role.UNIT_HANDLER, unit=b)
    city.users["unit_handler"] = city.users["handler_a"]
    return city
