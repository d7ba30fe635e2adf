from django.apps import AppConfig


class Config(AppConfig):
    name = "hotline.bulletin"
    label = "bulletin"
    default_auto_field = "django.db.models.BigAutoField"
