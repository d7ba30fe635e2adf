"""Router registration; each app owns its router in <app>/api.py."""
from __future__ import annotations

from hotline.api import api
from hotline.directory.api import auth_router
from hotline.directory.api import router as directory_router
from hotline.workorders.api import router as workorders_router

api.add_router("/", workorders_router)
api.add_router("/directory/", directory_router)
api.add_router("/auth/", auth_router)

from hotline.assessment.api import router as assessment_router  # noqa: E402

api.add_router("/assessment/", assessment_router)
