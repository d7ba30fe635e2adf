from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hotline.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("login/", auth_views.LoginView.as_view(template_name="workorders/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("desk/", include("hotline.desks.urls")),
    path("kb/", include("hotline.knowledge.urls")),
    path("intel/", include("hotline.intelligence.urls")),
    path("", include("hotline.bulletin.urls")),
    path("", include("hotline.workorders.urls")),
]
