from django.apps import AppConfig


class Config(AppConfig):
    name = "hotline.knowledge"
    label = "knowledge"
    verbose_name = "知识库"
    default_auto_field = "django.db.models.BigAutoField"
