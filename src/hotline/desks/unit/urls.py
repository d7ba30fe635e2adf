from django.urls import path

from hotline.desks.unit import views

urlpatterns = [
    path("", views.desk, name="unit"),
]
