from django.urls import path

from hotline.desks.callback import views

urlpatterns = [
    path("", views.desk, name="callback"),
    path("sample/", views.draw, name="callback_draw"),
    path("case/<str:number>/<str:action>/", views.act, name="callback_act"),
]
