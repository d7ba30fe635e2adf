"""Router registration; each app owns its router in <app>/api.py.

After the apps' routers, two JSON fallbacks keep the error format uniform under /api/: a wrong method on a
known path answers 405 and an unknown path answers 404, both as `{"detail": [...]}` instead of ninja's and
Django's plain-text/HTML defaults. They are left out of the OpenAPI schema.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router

from hotline.api import api, error_item, error_response
from hotline.assessment.api import router as assessment_router
from hotline.directory.api import auth_router
from hotline.directory.api import router as directory_router
from hotline.knowledge.api import router as knowledge_router
from hotline.workorders.api import router as workorders_router

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ROUTERS: list[tuple[str, Router]] = [
    ("/", workorders_router),
    ("/directory/", directory_router),
    ("/auth/", auth_router),
    ("/assessment/", assessment_router),
    ("/kb/", knowledge_router),
]


def _method_not_allowed_view(path: str, allowed: list[str]) -> Callable[..., HttpResponse]:
    """A view answering 405 (with the `Allow` header RFC 9110 requires) for `path`; its signature declares the
    path's parameters, as ninja expects."""
    def view(request: HttpRequest, **params: Any) -> HttpResponse:
        response = error_response(
            request, 405, [error_item(None, f"不支持 {request.method} 方法", "method_not_allowed")],
        )
        response["Allow"] = ", ".join(allowed)
        return response

    names = re.findall(r"\{(?:\w+:)?(\w+)\}", path)
    view.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=HttpRequest),
        *(inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=str) for n in names),
    ])
    return view


def _add_method_fallbacks(router: Router) -> None:
    for path, view in list(router.path_operations.items()):
        taken = {method for operation in view.operations for method in operation.methods}
        missing = [m for m in METHODS if m not in taken]
        if missing:
            router.add_api_operation(
                path, missing, _method_not_allowed_view(path, sorted(taken)), auth=None, include_in_schema=False,
            )


unknown_router = Router()


@unknown_router.api_operation(METHODS, "/{path:rest}", auth=None, include_in_schema=False)
def _unknown_path(request: HttpRequest, rest: str) -> None:
    raise Http404("没有这个接口")


for prefix, router in ROUTERS:
    _add_method_fallbacks(router)
    api.add_router(prefix, router)
api.add_router("/", unknown_router)
