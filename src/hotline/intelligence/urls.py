from django.urls import path

from hotline.intelligence import views

app_name = "intelligence"

urlpatterns = [
    path("hotspots/", views.hotspots, name="hotspots"),
    path("topic/", views.topic, name="topic"),
]
