from django.apps import AppConfig


class Config(AppConfig):
    name = "hotline.intelligence"
    label = "intelligence"
    verbose_name = "智能辅助"
    default_auto_field = "django.db.models.BigAutoField"
