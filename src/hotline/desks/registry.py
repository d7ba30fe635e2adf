"""The desks: one working page per role. Which role lands where, and which roles may open each desk."""
from __future__ import annotations

from dataclasses import dataclass

from hotline.directory.models import Role


@dataclass(frozen=True)
class Desk:
    slug: str
    name: str
    url_name: str  # "desks:<slug>"
    roles: frozenset[str]


DESKS: dict[str, Desk] = {
    d.slug: d for d in [
        # The leader takes calls at the operator's desk on a leader answering day (领导接听日).
        Desk("operator", "受理台", "desks:operator", frozenset({Role.OPERATOR, Role.LEADER})),
        Desk("dispatch", "派单台", "desks:dispatch", frozenset({Role.DISPATCHER})),
        Desk("unit", "承办台", "desks:unit", frozenset({Role.UNIT_HANDLER})),
        Desk("review", "审核台", "desks:review", frozenset({Role.REVIEWER})),
        Desk("callback", "回访台", "desks:callback", frozenset({Role.CALLBACK})),
        Desk("supervise", "督办台", "desks:supervise", frozenset({Role.SUPERVISOR})),
        Desk("leader", "领导驾驶舱", "desks:leader", frozenset({Role.LEADER})),
        # The knowledge base's own pages (/kb/, hotline.knowledge): the editor's queue, a unit's articles.
        Desk("kb", "知识库", "knowledge:home", frozenset({Role.KB_EDITOR, Role.UNIT_HANDLER})),
    ]
}

# The desk each role lands on after login (/desk/). Roles not listed land on the case list.
HOME_DESK: dict[str, str] = {
    Role.OPERATOR: "operator", Role.DISPATCHER: "dispatch", Role.UNIT_HANDLER: "unit",
    Role.REVIEWER: "review", Role.CALLBACK: "callback", Role.SUPERVISOR: "supervise", Role.LEADER: "leader",
    Role.KB_EDITOR: "kb",  # the knowledge editor works on the articles awaiting review
}


def desks_for(role: str) -> list[Desk]:
    """The desks the acting role may open, in menu order."""
    return [d for d in DESKS.values() if role in d.roles]
