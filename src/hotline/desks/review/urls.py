from django.urls import path

from hotline.desks.review import views

urlpatterns = [
    path("", views.desk, name="review"),
]
