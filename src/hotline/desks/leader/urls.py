from django.urls import path

from hotline.desks.leader import views

urlpatterns = [
    path("", views.desk, name="leader"),
    path("reports/<int:report_id>/instruct/", views.instruct_report, name="leader_instruct"),
]
