from django.apps import AppConfig


class Config(AppConfig):
    name = "hotline.simulate"
    label = "simulate"
    default_auto_field = "django.db.models.BigAutoField"
