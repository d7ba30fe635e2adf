from django.contrib import admin
from django.urls import include, path

from hotline.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("hotline.directory.urls")),  # login (password, then the second factor), account pages
    path("desk/", include("hotline.desks.urls")),
    path("kb/", include("hotline.knowledge.urls")),
    path("intel/", include("hotline.intelligence.urls")),
    path("", include("hotline.bulletin.urls")),
    path("", include("hotline.workorders.urls")),
]
