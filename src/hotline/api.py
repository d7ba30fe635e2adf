"""The JSON API root: authentication classes and the one error format. Each app contributes a router.

Every error response has the shape ``{"detail": [{"field": ..., "reason": ..., "code": ...}]}``;
`field` names the offending input ("content", "data.unit", "Idempotency-Key", "body") or is null.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import APIKeyCookie, HttpBearer

from hotline.directory.models import IntegrationToken, User
from hotline.directory.security import SecondFactor, second_factor
from hotline.directory.services import active_integration_token
from hotline.workorders.services import DomainError, ForbiddenMove

logger = logging.getLogger("hotline.api")


class _Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class _Docs(Swagger):
    """Swagger UI whose "Try it out" sends the session's CSRF token.

    ninja adds the token only when the API-wide auth asks for CSRF; ours is set per operation, so it never
    did and every unsafe call from the docs page failed with 403. The page has no inline script (ninja's
    swagger-ui-init.js reads the token from a data attribute), so the strict CSP applies to it unchanged.
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api, "add_csrf": True}
        return render(request, self.template, context)


api = NinjaAPI(
    title="hotline API", version="1", docs_url="/docs", urls_namespace="api", renderer=_Renderer(), docs=_Docs(),
    description=(
        "12345 热线与市长信箱开放接口。职员使用 Django 会话（/api/auth/login，写操作需 X-CSRFToken）；"
        "渠道接入使用 `Authorization: Bearer <接入令牌>`。错误统一为 "
        '`{"detail": [{"field": ..., "reason": ..., "code": ...}]}`。'
    ),
)


# --- errors -----------------------------------------------------------------------------------

class InputError(Exception):
    """One or more bad inputs found by an endpoint (unknown codes and the like) -> 422."""

    def __init__(self, errors: list[dict[str, Any]], *, status: int = 422) -> None:
        super().__init__(errors)
        self.errors = errors
        self.status = status


def error_item(field: str | None, reason: str, code: str = "invalid") -> dict[str, Any]:
    return {"field": field, "reason": reason, "code": code}


def error_response(request: HttpRequest, status: int, errors: list[dict[str, Any]]) -> HttpResponse:
    return api.create_response(request, {"detail": errors}, status=status)


def _field_from_loc(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """ninja locations look like ("body", "payload", "content") or ("query", "status"); keep the input's own path."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else []
        return ".".join(str(p) for p in parts) or "body"
    if parts and parts[0] in ("query", "header", "path", "cookie", "form", "file"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or None


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        error_item(_field_from_loc(e.get("loc", ())), str(e.get("msg", "invalid")), str(e.get("type", "invalid")))
        for e in exc.errors
    ]
    return error_response(request, 422, errors)


@api.exception_handler(InputError)
def _input_error(request: HttpRequest, exc: InputError) -> HttpResponse:
    return error_response(request, exc.status, exc.errors)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, ForbiddenMove):
        status = 403
    elif exc.code == "illegal_state":
        status = 409
    else:
        status = 422
    return error_response(request, status, [error_item(exc.field, exc.message, exc.code)])


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    reason = str(exc) or "未找到"
    return error_response(request, 404, [error_item(None, reason, "not_found")])


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and exc.message.startswith("Cannot parse request body"):
        return error_response(request, 400, [error_item("body", "请求体不是合法的 JSON", "malformed_json")])
    if isinstance(exc, AuthenticationError):
        return error_response(request, 401, [error_item("Authorization", "未登录或令牌无效/已吊销", "unauthenticated")])
    if exc.status_code == 403 and "CSRF" in exc.message:
        return error_response(request, 403, [error_item("X-CSRFToken", "CSRF 校验失败", "csrf")])
    return error_response(request, exc.status_code, [error_item(None, exc.message, "http_error")])


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(request, 413, [error_item("body", f"请求体过大（上限 {limit} 字节）", "too_large")])


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return error_response(request, 400, [error_item("body", f"无法解析的 multipart 请求体：{exc}", "malformed_body")])


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG:
        raise exc
    logger.exception("unhandled API error on %s %s", request.method, request.path)
    return error_response(request, 500, [error_item(None, "服务器内部错误", "server_error")])


# --- authentication ---------------------------------------------------------------------------

class StaffSession(APIKeyCookie):
    """Django session login for hotline staff and unit handlers; unsafe methods require the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a logged-in session there is nothing to forge: answer 401, not a CSRF 403.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if key is None or not user.is_authenticated or not user.is_active:
            return None
        # A session that still owes its second factor (or must enrol one first) is not logged in for the API.
        if second_factor(request) is not SecondFactor.DONE:
            return None
        assert isinstance(user, User)
        return user


class IntegrationBearer(HttpBearer):
    """`Authorization: Bearer <token>` for channel integrations; no CSRF (no ambient credential)."""

    def authenticate(self, request: HttpRequest, token: str) -> IntegrationToken | None:
        return active_integration_token(token.strip())


staff_auth = StaffSession()
integration_auth = IntegrationBearer()

# Routers are registered in hotline/api_routes.py, after the auth classes above exist.
from hotline import api_routes  # noqa: E402,F401
