"""The one error format everywhere under /api/, including routing errors."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("method,url,status", [
    ("get", "/api/intake", 405), ("delete", "/api/cases/RX1", 405), ("put", "/api/directory/units", 405),
    ("get", "/api/nothing-here", 404), ("post", "/api/cases/RX1/nothing", 404),
])
def test_routing_errors_are_json(client, db, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    [error] = response.json()["detail"]
    assert set(error) == {"field", "reason", "code"}


def test_fallbacks_stay_out_of_the_schema(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert list(paths["/api/intake"]) == ["post"]
    assert list(paths["/api/cases/{number}"]) == ["get"]
    assert not any("rest" in path for path in paths)
