"""The explicit table of allowed moves: which action, from which statuses, by which roles, to which status."""
from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from hotline.directory.models import Role
from hotline.workorders.models import Action, Status

S = Status
R = Role


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    roles: frozenset[str]
    target: str | None  # None: the status does not change, or it depends on the data (see services)
    reason_required: bool = False


def _m(sources: AbstractSet[str], roles: AbstractSet[str], target: str | None, reason_required: bool = False) -> Move:
    return Move(frozenset(sources), frozenset(roles), target, reason_required)


INTAKE = {R.OPERATOR, R.DISPATCHER, R.LEADER}
HOTLINE_DESK = {R.DISPATCHER, R.SUPERVISOR}

MOVES: dict[str, Move] = {
    Action.ANSWER: _m({S.NEW}, INTAKE, S.ANSWERED),
    Action.DISPATCH: _m({S.NEW}, INTAKE, S.DISPATCHED),
    Action.ACCEPT: _m({S.DISPATCHED}, {R.UNIT_HANDLER}, S.ACCEPTED),
    Action.RETURN: _m({S.DISPATCHED, S.ACCEPTED}, {R.UNIT_HANDLER}, S.RETURNED, reason_required=True),
    Action.REDISPATCH: _m({S.RETURNED, S.DISPATCHED, S.ACCEPTED}, HOTLINE_DESK, S.DISPATCHED, reason_required=True),
    Action.CONTACT: _m({S.ACCEPTED, S.SUPERVISED}, {R.UNIT_HANDLER}, None),
    Action.REQUEST_EXTENSION: _m({S.ACCEPTED}, {R.UNIT_HANDLER}, None, reason_required=True),
    # A request is decided while the unit is still handling: replying (or returning) withdraws it.
    # The reviewer decides them at the 审核台 beside the replies; the dispatcher and supervisor still may.
    Action.APPROVE_EXTENSION: _m({S.ACCEPTED}, HOTLINE_DESK | {R.REVIEWER}, None),
    Action.REFUSE_EXTENSION: _m({S.ACCEPTED}, HOTLINE_DESK | {R.REVIEWER}, None, reason_required=True),
    Action.REPLY: _m({S.ACCEPTED}, {R.UNIT_HANDLER}, S.REPLIED),
    Action.ACCEPT_REPLY: _m({S.REPLIED}, {R.REVIEWER, R.SUPERVISOR}, S.CALLBACK),
    Action.REWORK: _m({S.REPLIED}, {R.REVIEWER, R.SUPERVISOR}, S.ACCEPTED, reason_required=True),
    # Callback target depends on the result: satisfied/basic -> closed, unsatisfied -> verifying, unreachable -> stays.
    Action.CALLBACK: _m({S.CALLBACK}, {R.CALLBACK, R.SYSTEM}, None),
    # Verification: upheld -> unsatisfied (to be supervised), not upheld -> closed.
    Action.VERIFY: _m({S.VERIFYING}, {R.CALLBACK, R.SUPERVISOR}, None),
    # Supervising a verified-unsatisfied case sends it back for rectification; supervising an overdue
    # open case leaves its status as it is and is recorded as an event.
    Action.SUPERVISE: _m({S.UNSATISFIED, S.DISPATCHED, S.ACCEPTED}, {R.SUPERVISOR, R.LEADER}, None,
                         reason_required=True),
    Action.RECTIFY: _m({S.SUPERVISED}, {R.UNIT_HANDLER}, S.CALLBACK),
    Action.CLOSE: _m({S.CALLBACK, S.UNSATISFIED}, {R.SUPERVISOR, R.CALLBACK}, S.CLOSED),
    Action.MERGE: _m({S.NEW}, INTAKE, S.MERGED),
    Action.MARK_INVALID: _m({S.NEW}, INTAKE, S.INVALID, reason_required=True),
}

# Actions a unit handler takes only on an order currently held by their unit (or one of its sub-units).
UNIT_BOUND = frozenset({
    Action.ACCEPT, Action.RETURN, Action.CONTACT, Action.REQUEST_EXTENSION, Action.REPLY, Action.RECTIFY,
})


def allowed_actions(status: str, role: str) -> list[str]:
    return [a for a, m in MOVES.items() if status in m.sources and role in m.roles]
