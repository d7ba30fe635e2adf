"""A URLconf mounting the assessment router the way api_routes.py does, with the project's error handlers,
so the API tests do not depend on the router being registered yet."""
from django.urls import path
from ninja import NinjaAPI

from hotline.api import api as project_api
from hotline.assessment.api import router

test_api = NinjaAPI(urls_namespace="assessment-tests", renderer=project_api.renderer)
for exc_class, handler in project_api._exception_handlers.items():
    test_api.add_exception_handler(exc_class, handler)
test_api.add_router("/assessment/", router)

urlpatterns = [path("api/", test_api.urls)]
