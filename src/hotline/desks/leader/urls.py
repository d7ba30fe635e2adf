from django.urls import path

from hotline.desks.leader import views

urlpatterns = [
    path("", views.desk, name="leader"),
]
