from django.urls import path

from hotline.desks.dispatch import views

urlpatterns = [
    path("", views.desk, name="dispatch"),
]
