"""Account security around Django's auth: second-factor gate, idle sessions, lockout answers, login log.

django-axes counts failed logins and locks (its rows are the lockout state and the failure log);
django-otp holds the TOTP devices and marks a session verified. This module decides who must use a
second factor and keeps a half-logged-in session (password right, code not yet given) away from
everything but the verification, enrolment and logout pages.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import Enum
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django_otp import user_has_device

from hotline.directory.models import User

logger = logging.getLogger("hotline.security")

LOCKED_MESSAGE = "登录失败次数过多，已暂时锁定。请 {minutes} 分钟后再试，或联系管理员解锁。"


class SecondFactor(Enum):
    DONE = "done"  # verified this session, or not needed
    VERIFY = "verify"  # has a device: must enter a code
    ENROL = "enrol"  # must use two-factor login but has no device yet


def two_factor_required(user: Any) -> bool:
    """Any role the user holds counts, not only the acting one: switching roles must not skip the second factor."""
    roles = tuple(settings.TWO_FACTOR_ROLES)
    return bool(roles) and (user.is_superuser or any(r in roles for r in user.held_roles))


def second_factor(request: HttpRequest) -> SecondFactor:
    """Where this logged-in session stands on the second factor."""
    user = request.user
    # OTPMiddleware gives the request's user is_verified().
    if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr,attr-defined]
        return SecondFactor.DONE
    # A session found to owe nothing keeps that answer until logout, so ordinary pages do not ask the
    # device table on every request; a device enrolled elsewhere applies from the next login (a login
    # cycles the session).
    if request.session.get(_NO_FACTOR_KEY) == user.pk:
        return SecondFactor.DONE
    if user_has_device(user):
        return SecondFactor.VERIFY
    if two_factor_required(user):
        return SecondFactor.ENROL
    request.session[_NO_FACTOR_KEY] = user.pk
    return SecondFactor.DONE


_NO_FACTOR_KEY = "hotline_no_second_factor"


# Pages a half-logged-in session may reach (besides static files).
VERIFY_URL, ENROL_URL = "/login/verify/", "/account/two-factor/"
_OPEN_PATHS = ("/logout/", "/api/auth/logout", "/static/")


class TwoFactorMiddleware:
    """A session that still owes its second factor reaches only the page that collects it (and logout).

    Pages redirect there; the API answers 401 through StaffSession, which asks `second_factor` too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = second_factor(request)
        if state is SecondFactor.DONE or request.path.startswith(_OPEN_PATHS) or request.path.startswith("/api/"):
            return self.get_response(request)
        target = VERIFY_URL if state is SecondFactor.VERIFY else ENROL_URL
        if request.path == target:
            return self.get_response(request)
        return redirect(target)


class IdleSessionMiddleware:
    """Log a session out after settings.SESSION_IDLE_MINUTES without a request.

    The last-seen time is written at most once a minute, so reading pages does not write the session
    on every request.
    """

    KEY = "hotline_last_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(self.KEY)
            if last is not None and now - float(last) > settings.SESSION_IDLE_MINUTES * 60:
                logger.info("session idle timeout user=%s ip=%s", request.user.get_username(), client_ip(request))
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)  # the API answers 401 itself
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
            if last is None or now - float(last) > 60:
                request.session[self.KEY] = now
        return self.get_response(request)


# --- django-axes hooks ------------------------------------------------------------------------

def client_ip(request: HttpRequest) -> str:
    """The client's address; behind the proxy (HOTLINE_BEHIND_PROXY=1) the hop the proxy appended."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return str(request.META.get("REMOTE_ADDR", ""))


def lockout_response(request: HttpRequest, original: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """The answer to a locked-out account or address: the same whether or not the account exists."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = LOCKED_MESSAGE.format(minutes=minutes)
    logger.warning("login locked out ip=%s", client_ip(request))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": [{"field": None, "reason": message, "code": "locked_out"}]},
                            status=429, json_dumps_params={"ensure_ascii": False})
    return render(request, "accounts/locked.html", {"message": message}, status=429)


# --- login log (the rows themselves are django-axes' AccessLog and AccessFailureLog) ------------

@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    logger.info("login user=%s ip=%s", user.get_username(), client_ip(request) if request else "")
    if request is None:
        return
    # Decided once here, where the session is written anyway, so the next pages need not write it.
    request.session[IdleSessionMiddleware.KEY] = time.time()
    if not user_has_device(user) and not two_factor_required(user):
        request.session[_NO_FACTOR_KEY] = user.pk  # see second_factor


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    logger.info("logout user=%s ip=%s", user.get_username() if user else "", client_ip(request) if request else "")


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                  **kwargs: Any) -> None:
    logger.warning("login failed user=%s ip=%s", credentials.get("username", ""),
                   client_ip(request) if request else "")
