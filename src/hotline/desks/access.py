"""Who may open a desk: the acting role must be one of the desk's roles, otherwise a 403 page."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.desks.registry import DESKS

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest, reason: str = "您当前的角色无权访问此页面。") -> HttpResponse:
    return render(request, "403.html", {"reason": reason}, status=403)


def desk_view(slug: str) -> Callable[[View], View]:
    """Decorate a desk's view: login required, acting role among the desk's roles; sets request.desk."""
    desk = DESKS[slug]

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in desk.roles:  # type: ignore[union-attr]
                return forbidden(request, f"“{desk.name}”仅限{_role_names(desk.roles)}使用。")
            request.desk = desk  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)
        return wrapped
    return decorate


def _role_names(roles: frozenset[str]) -> str:
    from hotline.directory.models import Role
    return "、".join(Role(r).label for r in Role.values if r in roles)
