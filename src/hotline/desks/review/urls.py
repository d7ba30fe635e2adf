from django.urls import path

from hotline.desks.review import views

urlpatterns = [
    path("", views.desk, name="review"),
    path("case/<str:number>/<str:action>/", views.act, name="review_act"),
]
