from django.apps import AppConfig


class Config(AppConfig):
    name = "hotline.directory"
    label = "directory"
    default_auto_field = "django.db.models.BigAutoField"
