from django.urls import path

from hotline.desks.operator import views

urlpatterns = [
    path("", views.desk, name="operator"),
]
