"""Taking a call at the operator desk (受理台): register the appeal and, in the same transaction, answer it
directly, dispatch it, or record it as a repeat call of an existing case. Pages and API share these rules."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from hotline.directory.models import Role, Tag, User
from hotline.workorders.models import Action, WorkOrder
from hotline.workorders.selectors import normalize_phone
from hotline.workorders.services import DomainError, create_order, transition

LEADER_DAY_TAG = "leader_day"
LEADER_DAY_NAME = "领导接听日"


class Outcome:
    ORDER = "order"  # create the order; the dispatcher routes it
    DISPATCH = "dispatch"  # create and dispatch to the unit the operator picked
    ANSWER = "answer"  # answered directly (直接答复): closed at intake
    REPEAT = "repeat"  # a repeat call (重复来电): merged into an existing case

    ALL = (ORDER, DISPATCH, ANSWER, REPEAT)


@dataclass(frozen=True)
class KnowledgeUse:
    """What the operator did in the knowledge slot. Accepted and kept aside for the knowledge app to use."""

    article_id: int | None = None
    query: str = ""
    missing: bool = False


def special_line_tag_ids(*, actor: User) -> list[int]:
    """Tags a call gets from who takes it: a leader at the desk is a leader answering day (领导接听日)."""
    if actor.role != Role.LEADER:
        return []
    tag, _ = Tag.objects.get_or_create(code=LEADER_DAY_TAG, defaults={"name": LEADER_DAY_NAME})
    return [tag.pk]


def take_call(
    *, actor: User, fields: dict[str, Any], outcome: str, tag_ids: list[int] | None = None,
    unit_id: int | None = None, answer: str = "", repeat_of: str = "",
    knowledge: KnowledgeUse | None = None,
) -> WorkOrder:
    """Register a call and apply the operator's choice, all or nothing. Returns the new order.

    DomainError names the offending field (unit, answer, repeat_of) when the choice cannot be applied.
    `knowledge` is accepted for the knowledge app; nothing uses it yet.
    """
    if outcome not in Outcome.ALL:
        raise DomainError("请选择受理结果", field="outcome")
    fields = {**fields, "citizen_phone": normalize_phone(fields.get("citizen_phone", ""))}
    tags = sorted({*(tag_ids or []), *special_line_tag_ids(actor=actor)})
    with transaction.atomic():
        order, _ = create_order(actor=actor, fields=fields, tag_ids=tags)
        if outcome == Outcome.ANSWER:
            if not answer.strip():
                raise DomainError("直接答复必须填写答复内容", field="answer")
            transition(order=order, action=Action.ANSWER, actor=actor, reason=answer.strip())
        elif outcome == Outcome.DISPATCH:
            if not unit_id:
                raise DomainError("立即派单必须选择承办单位", field="unit")
            transition(order=order, action=Action.DISPATCH, actor=actor, data={"unit": unit_id})
        elif outcome == Outcome.REPEAT:
            _record_repeat(order, actor=actor, into=repeat_of)
    return order


def _record_repeat(order: WorkOrder, *, actor: User, into: str) -> None:
    if not into:
        raise DomainError("请选择重复来电所属的工单", field="repeat_of")
    if into == order.number:
        raise DomainError("不能并入本工单", field="repeat_of")
    try:
        transition(order=order, action=Action.MERGE, actor=actor, data={"into": into}, reason="重复来电")
    except DomainError as exc:
        if exc.field == "into":
            raise DomainError(f"工单 {into} 不存在或已合并/无效，不能并入", field="repeat_of") from exc
        raise
