"""Request and response shapes of the work-order API (pydantic via django-ninja)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field, Strict, field_validator

from hotline.workcalendar.models import Box, Urgency
from hotline.workorders.limits import NOTE_MAX, REASON_MAX, TEXT_MAX
from hotline.workorders.models import CallbackMethod, CallbackResult, ContactMethod, Status
from hotline.workorders.rules import MOVES

TRANSITION_ACTIONS: tuple[str, ...] = tuple(str(a) for a in MOVES)


# Ids are BigAutoField primary keys; larger numbers would overflow the database driver.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
# In JSON bodies an id or a count must be a JSON integer and a flag a JSON boolean: lax mode would take
# `true` as unit 1 and "1" as True. (Query strings stay lax: there every value arrives as text.)
StrictId = Annotated[int, Strict(), Field(ge=1, le=2**63 - 1)]
StrictBool = Annotated[bool, Strict()]


def _reject_nul(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL characters; refuse them as bad input on every backend."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL (\\x00) characters")
    if isinstance(value, list):
        for item in value:
            _reject_nul(item)
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key)
            _reject_nul(item)
    return value


class CleanSchema(Schema):
    """Input schema whose strings (also inside lists and dicts) may not contain NUL characters."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return _reject_nul(value)


class ErrorItem(Schema):
    field: str | None
    reason: str
    code: str


class ErrorOut(Schema):
    detail: list[ErrorItem]


# --- intake -----------------------------------------------------------------------------------

class IntakeIn(CleanSchema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    citizen_name: str = Field("", max_length=60)
    citizen_phone: str = Field("", max_length=32, pattern=r"^[0-9+\-() ]*$")
    confidential: StrictBool = False
    title: str = Field("", max_length=200)
    content: str = Field(..., min_length=1, max_length=20000)
    address: str = Field("", max_length=200)
    appeal_type: str | None = Field(None, max_length=20, description="诉求类型编码, /api/directory/appeal-types")
    category: StrictId | None = Field(None, description="诉求分类 id, /api/directory/categories")
    urgency: Urgency = Urgency.NORMAL
    box: Box = Box.HOTLINE
    tags: list[str] = Field(default_factory=list, max_length=20, description="专线标签编码")
    external_id: str = Field("", max_length=80, description="the integration's own id for this appeal")


class SuggestionOut(Schema):
    id: int
    name: str
    score: float = Field(..., ge=0, le=1)


class IntakeOut(Schema):
    number: str
    status: str
    box: str
    channel: str
    source: str
    received_at: dt.datetime
    created: bool
    suggested_categories: list[SuggestionOut] = Field(
        default_factory=list, description="top-3 诉求分类 learnt from closed cases (empty until a model is trained)")
    suggested_units: list[SuggestionOut] = Field(
        default_factory=list, description="top-3 承办单位 learnt from closed cases (empty until a model is trained)")


# --- cases ------------------------------------------------------------------------------------

class CaseFilters(CleanSchema):
    status: Status | None = None
    unit: Id | None = Field(None, description="承办单位 id; includes its sub-units")
    box: Box | None = None
    channel: str | None = Field(None, max_length=40, description="受理渠道编码")
    received_from: dt.date | None = Field(None, description="受理日期起 (含)")
    received_to: dt.date | None = Field(None, description="受理日期止 (含)")
    overdue: bool | None = None
    q: str | None = Field(None, max_length=100, description="工单编号或内容包含")
    page: int = Field(1, ge=1, le=10**9)
    page_size: int = Field(20, ge=1, le=100)


class UnitRef(Schema):
    id: int
    name: str


class CodeRef(Schema):
    code: str
    name: str


class CategoryRef(Schema):
    id: int
    name: str


class ActionRef(Schema):
    action: str
    label: str


class CaseItem(Schema):
    number: str
    box: str
    status: str
    status_label: str
    channel: CodeRef
    citizen_name: str
    citizen_phone: str
    confidential: bool
    title: str
    summary: str
    appeal_type: CodeRef | None
    category: CategoryRef | None
    urgency: str
    unit: UnitRef | None
    received_at: dt.datetime
    deadline: dt.datetime | None
    overdue: bool


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CaseItem]


class CaseDetail(CaseItem):
    content: str
    address: str
    tags: list[CodeRef]
    co_units: list[UnitRef]
    dispatched_at: dt.datetime | None
    deadline_fallback: bool
    extension_pending: bool
    merged_into: str | None
    source: str
    external_id: str
    version: int
    can_reveal_phone: bool
    allowed_actions: list[ActionRef]


class EventOut(Schema):
    seq: int
    kind: str
    kind_label: str
    at: dt.datetime
    actor: str | None
    actor_role: str
    from_status: str
    to_status: str
    unit: UnitRef | None
    reason: str
    data: dict[str, Any]


class PhoneOut(Schema):
    number: str
    citizen_phone: str


# --- transitions ------------------------------------------------------------------------------

class TransitionIn(CleanSchema):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(..., json_schema_extra={"enum": list(TRANSITION_ACTIONS)})
    reason: str = Field("", max_length=REASON_MAX)
    reason_code: str | None = Field(None, max_length=40, description="a coded reason (rework, verify, return, "
                                    "supervise): see GET /cases/reason-codes?action=")
    data: dict[str, Any] = Field(default_factory=dict, description="action-specific fields, see ActionData schemas")

    @field_validator("action")
    @classmethod
    def _known_action(cls, value: str) -> str:
        if value not in TRANSITION_ACTIONS:
            raise ValueError(f"unknown action; expected one of {', '.join(TRANSITION_ACTIONS)}")
        return value


class ReasonCodeOut(Schema):
    code: str
    label: str


class TransitionOut(Schema):
    event: EventOut
    case: CaseDetail


class _Data(CleanSchema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoData(_Data):
    pass


class DispatchData(_Data):
    unit: StrictId
    co_units: list[StrictId] = Field(default_factory=list, max_length=20)


Days = Annotated[int, Strict(), Field(ge=-(2**31), le=2**31)]


class RequestExtensionData(_Data):
    days: Days


class ApproveExtensionData(_Data):
    days: Days | None = None


class ReplyData(_Data):
    text: str = Field(..., min_length=1, max_length=TEXT_MAX)


class CallbackData(_Data):
    result: CallbackResult
    method: CallbackMethod | None = None
    attempts: int | None = Field(None, ge=1, le=20, description="unreachable: how many calls were tried")


class ContactData(_Data):
    how: ContactMethod | None = None
    when: dt.datetime | None = Field(None, description="when the citizen was reached (timezone-aware)")
    outcome: str = Field("", max_length=NOTE_MAX)


class VerifyData(_Data):
    upheld: StrictBool


class MergeData(_Data):
    into: str = Field(..., min_length=1, max_length=32)


# Which shape `data` takes for each action (the transition service reads these keys).
ACTION_DATA: dict[str, type[_Data]] = {
    "dispatch": DispatchData, "redispatch": DispatchData,
    "request_extension": RequestExtensionData, "approve_extension": ApproveExtensionData,
    "reply": ReplyData, "rectify": ReplyData, "contact": ContactData, "callback": CallbackData, "verify": VerifyData,
    "merge": MergeData,
}


def data_schema(action: str) -> type[_Data]:
    return ACTION_DATA.get(action, NoData)


def clean_action_data(action: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` checked against the action's shape (the API and the case page share it); raises pydantic's error."""
    return data_schema(action).model_validate(data).model_dump(mode="json", exclude_defaults=True)


def data_errors(exc: Any) -> list[tuple[str, str, str]]:
    """(field, message, code) per problem of a pydantic ValidationError on `data`, fields named data.<key>."""
    return [(".".join(["data", *(str(p) for p in e["loc"])]), e["msg"], e["type"]) for e in exc.errors()]
