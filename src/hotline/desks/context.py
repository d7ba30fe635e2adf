"""Template context for every page: the desks menu and the role switcher."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hotline.desks.registry import desks_for


def desks(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from hotline.directory.models import Role
    return {
        "desk_menu": desks_for(user.role),
        "held_roles": [(r, Role(r).label) for r in user.held_roles],
        "current_desk": getattr(request, "desk", None),
    }
