from django.urls import path

from hotline.desks.supervise import views

urlpatterns = [
    path("", views.desk, name="supervise"),
    path("case/<str:number>/", views.case, name="supervise_case"),
]
