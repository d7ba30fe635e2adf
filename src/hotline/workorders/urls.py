from django.urls import path

from hotline.workorders import views

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="cases"),
    path("cases/export.csv", views.case_export, name="case_export"),
    path("cases/<str:number>/", views.case_detail, name="case_detail"),
    path("cases/<str:number>/transition/", views.case_transition, name="case_transition"),
    path("cases/<str:number>/phone/", views.case_phone, name="case_phone"),
    path("cases/<str:number>/files/<int:pk>/", views.case_file, name="case_file"),
]
