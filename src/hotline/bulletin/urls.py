from django.urls import path

from hotline.bulletin import views

urlpatterns = [
    path("figures/", views.month_figures, name="month_figures"),
    path("figures/cases/", views.figure_cases, name="figure_cases"),
]
