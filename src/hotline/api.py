"""The JSON API root. Each app contributes a router from its own api.py."""
from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="hotline API", version="1", docs_url="/docs")

# Routers are registered in hotline/api_routes.py to keep this module import-light.
from hotline import api_routes  # noqa: E402,F401
