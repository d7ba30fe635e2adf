from django.urls import path

from hotline.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/new/", views.article_new, name="article_new"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("articles/<int:pk>/versions/<int:version>/", views.article_version, name="article_version"),
    path("articles/<int:pk>/<str:action>/", views.article_action, name="article_action"),
    path("duties/new/", views.duty_new, name="duty_new"),
    path("duties/<int:pk>/cancel/", views.duty_cancel, name="duty_cancel"),
    path("panel/", views.panel_search, name="panel"),
    path("panel/<int:pk>/", views.panel_article, name="panel_article"),
]
