from django.urls import path

from hotline.desks.dispatch import views

urlpatterns = [
    path("", views.desk, name="dispatch"),
    path("<str:number>/", views.case, name="dispatch_case"),
]
