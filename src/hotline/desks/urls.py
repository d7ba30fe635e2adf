"""/desk/...: one sub-package per desk, each with its own urls.py (owned by that desk)."""
from django.urls import include, path

from hotline.desks import views

app_name = "desks"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("role/", views.switch, name="switch_role"),
    path("operator/", include("hotline.desks.operator.urls")),
    path("dispatch/", include("hotline.desks.dispatch.urls")),
    path("unit/", include("hotline.desks.unit.urls")),
    path("review/", include("hotline.desks.review.urls")),
    path("callback/", include("hotline.desks.callback.urls")),
    path("supervise/", include("hotline.desks.supervise.urls")),
    path("leader/", include("hotline.desks.leader.urls")),
]
