"""/desk/: land on the acting role's desk; the header's role switcher."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from hotline.desks.registry import DESKS, HOME_DESK
from hotline.directory.services import RoleError, switch_role


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    slug = HOME_DESK.get(request.user.role)  # type: ignore[union-attr]
    if slug is None:
        return redirect("/admin/" if request.user.is_staff else "cases")
    return redirect(DESKS[slug].url_name)


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    try:
        switch_role(user=request.user, role=request.POST.get("role", ""))  # type: ignore[arg-type]
    except RoleError as exc:
        messages.error(request, exc.message)
    return redirect("desks:landing")
