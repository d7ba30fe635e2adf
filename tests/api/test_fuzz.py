"""Property-based fuzzing of every API operation (schemathesis): no 5xx, every answer as the schema says.

schemathesis reads /api/openapi.json and, per operation, sends valid and invalid inputs (bodies, query
strings, path parameters, headers) through the WSGI application. Staff operations run with a fresh
dispatcher session (CSRF token included), intake with an integration token. Bounded: a few dozen examples
per operation, no example database, no deadline.
"""
from __future__ import annotations

import time

import pytest
import schemathesis
from django.contrib.sessions.backends.db import SessionStore
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, response_schema_conformance, status_code_conformance,
)

from hotline.directory.models import Channel, User
from hotline.directory.services import create_integration_token
from tests.factories import City

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
CSRF = "f" * 32


# Loaded at collection (the schema view needs no database); one test per operation.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection(db):  # type: ignore[no-untyped-def]
    """As Django's test client does: a request must not close the test's connection (and its transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(city: City) -> dict[str, str]:
    """Cases in several states, so that some generated numbers and moves meet real rows; an intake token."""
    city.new_order()
    city.dispatched(unit=city.unit_a)
    _, raw = create_integration_token(name="fuzz", channel=Channel.objects.create(code="wechat", name="微信"),
                                      source="fuzz")
    return {"token": raw}


def session_cookie(user: User) -> str:
    """A fresh logged-in session per request: a fuzzed logout must not end the run's login."""
    session = SessionStore()
    session.update({"_auth_user_id": str(user.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                    "_auth_user_hash": user.get_session_auth_hash(), "hotline_last_seen": time.time()})
    session.create()
    return f"sessionid={session.session_key}; csrftoken={CSRF}"


@schema.parametrize()
@settings(max_examples=25, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_operation(case, fuzz_world, city: City) -> None:  # type: ignore[no-untyped-def]
    headers: dict[str, str] = {"X-CSRFToken": CSRF, "Cookie": session_cookie(city.user("dispatcher"))}
    if case.path == "/api/intake":
        headers = {"Authorization": f"Bearer {fuzz_world['token']}"}
    if case.headers:
        headers.update({k: v for k, v in case.headers.items() if k.lower() not in ("authorization", "cookie")})
    case.call_and_validate(headers=headers, checks=CHECKS)
