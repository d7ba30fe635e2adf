from django.urls import path

from hotline.desks.operator import views

urlpatterns = [
    path("", views.desk, name="operator"),
    path("hints/", views.hints, name="operator_hints"),
    path("categories/", views.categories, name="operator_categories"),
    path("suggestions/", views.suggestions, name="operator_suggestions"),
]
