from django.apps import AppConfig


class DesksConfig(AppConfig):
    name = "hotline.desks"
    label = "desks"
    verbose_name = "工作台"
