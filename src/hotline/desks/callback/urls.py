from django.urls import path

from hotline.desks.callback import views

urlpatterns = [
    path("", views.desk, name="callback"),
]
