from django.urls import path

from hotline.desks.unit import views

urlpatterns = [
    path("", views.desk, name="unit"),
    path("case/<str:number>/<str:action>/", views.act, name="unit_act"),
]
