"""Directory endpoints (units, channels, appeal types, categories, tags) and staff session login."""
from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from ninja.utils import check_csrf

from hotline.api import InputError, error_item, staff_auth
from hotline.directory.models import AppealType, Category, Channel, Tag, Unit, User
from hotline.directory.security import two_factor_required
from hotline.workorders.schemas import CleanSchema, ErrorOut

router = Router(tags=["directory"])
auth_router = Router(tags=["auth"])

ERRORS: dict[int, Any] = {c: ErrorOut for c in (401, 403, 422)}
# A body can also be malformed (400) or too large (413); repeated failed logins are locked out (429).
LOGIN_ERRORS: dict[int, Any] = {**ERRORS, **{c: ErrorOut for c in (400, 413, 429)}}


class UnitOut(Schema):
    id: int
    code: str
    name: str
    city: str
    group: str
    parent_id: int | None
    active: bool


class ChannelOut(Schema):
    code: str
    name: str
    upper_platform: bool
    reply_days: int | None


class AppealTypeOut(Schema):
    code: str
    name: str


class CategoryOut(Schema):
    id: int
    taxonomy: str
    name: str
    parent_id: int | None
    depth: int
    hot: bool


class TagOut(Schema):
    code: str
    name: str


class UnitFilters(CleanSchema):
    include_inactive: bool = False
    city: str | None = Field(None, max_length=40)


class CategoryFilters(CleanSchema):
    taxonomy: str | None = Field(None, max_length=40)


@router.get("/units", auth=staff_auth, response={200: list[UnitOut], **ERRORS}, summary="承办单位")
def units(request: HttpRequest, filters: Query[UnitFilters]) -> Any:
    qs = Unit.objects.all()
    if not filters.include_inactive:
        qs = qs.filter(active=True)
    if filters.city:
        qs = qs.filter(city=filters.city)
    return qs


@router.get("/channels", auth=staff_auth, response={200: list[ChannelOut], **ERRORS}, summary="受理渠道")
def channels(request: HttpRequest) -> Any:
    return Channel.objects.all()


@router.get("/appeal-types", auth=staff_auth, response={200: list[AppealTypeOut], **ERRORS}, summary="诉求类型")
def appeal_types(request: HttpRequest) -> Any:
    return AppealType.objects.all()


@router.get("/categories", auth=staff_auth, response={200: list[CategoryOut], **ERRORS}, summary="诉求分类")
def categories(request: HttpRequest, filters: Query[CategoryFilters]) -> Any:
    qs = Category.objects.all()
    if filters.taxonomy:
        qs = qs.filter(taxonomy=filters.taxonomy)
    return qs


@router.get("/tags", auth=staff_auth, response={200: list[TagOut], **ERRORS}, summary="专线标签")
def tags(request: HttpRequest) -> Any:
    return Tag.objects.all()


# --- session login for staff (browsers and scripts) --------------------------------------------

class LoginIn(CleanSchema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=256)
    otp_token: str | None = Field(
        None, min_length=6, max_length=12, pattern=r"^\s*\d{6}\s*$",
        description="两步验证码（已启用两步验证的账号必填）",
    )


class MeOut(Schema):
    username: str
    name: str
    role: str
    unit: int | None
    csrf_token: str


class CsrfOut(Schema):
    csrf_token: str


def _me(request: HttpRequest, user: User) -> dict[str, Any]:
    return {
        "username": user.username, "name": user.get_full_name() or user.username, "role": user.role,
        "unit": user.unit_id, "csrf_token": get_token(request),
    }


@auth_router.get("/csrf", auth=None, response=CsrfOut, summary="取得 CSRF 令牌（并设置 csrftoken cookie）")
def csrf(request: HttpRequest) -> dict[str, str]:
    return {"csrf_token": get_token(request)}


@auth_router.post("/login", auth=None, response={200: MeOut, **LOGIN_ERRORS}, summary="职员登录（会话）")
def login_view(request: HttpRequest, payload: LoginIn) -> dict[str, Any]:
    """Needs the csrftoken cookie and the X-CSRFToken header (GET /api/auth/csrf first). An account with
    two-factor login gives `otp_token` too; a role that requires it must first enrol on the web page.
    Repeated failures lock the account and the address (429)."""
    if check_csrf(request) is not None:
        raise HttpError(403, "CSRF check Failed")
    user = authenticate(request, username=payload.username, password=payload.password)
    if not isinstance(user, User):
        raise InputError([error_item("password", "用户名或密码错误", "bad_credentials")], status=401)
    device = None
    if user_has_device(user):
        device = match_token(user, (payload.otp_token or "").strip()) if payload.otp_token else None
        if device is None:
            raise InputError([error_item("otp_token", "需要正确的两步验证码", "otp_required")], status=401)
    elif two_factor_required(user):
        raise InputError([error_item(
            "otp_token", "该角色须启用两步验证：请先在网页登录并绑定验证器", "otp_enrolment_required",
        )], status=403)
    login(request, user)
    if device is not None:
        otp_login(request, device)
    return _me(request, user)


@auth_router.post("/logout", auth=staff_auth, response={204: None, **ERRORS}, summary="退出登录")
def logout_view(request: HttpRequest) -> Status[None]:
    logout(request)
    return Status(204, None)


@auth_router.get("/me", auth=staff_auth, response={200: MeOut, **ERRORS}, summary="当前用户")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return _me(request, user)
