from django.apps import AppConfig


class Config(AppConfig):
    name = "hotline.workorders"
    label = "workorders"
    default_auto_field = "django.db.models.BigAutoField"
