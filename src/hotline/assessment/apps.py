from django.apps import AppConfig


class Config(AppConfig):
    name = "hotline.assessment"
    label = "assessment"
    default_auto_field = "django.db.models.BigAutoField"
