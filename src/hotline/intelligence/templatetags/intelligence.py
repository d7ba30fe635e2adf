"""Template tags of the intelligence app: reply-quality flags for the case on the page (reviewer's desk)."""
from __future__ import annotations

from typing import Any

from django import template

from hotline.intelligence import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def reply_flags_of(context: Any, case: Any) -> list[Any]:
    """The flags of `case`'s latest reply as the page's user may see them; [] without a user or a case."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if case is None or user is None or not getattr(user, "is_authenticated", False):
        return []
    return selectors.reply_flags(user, order=case)
