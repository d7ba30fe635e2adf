from django.apps import AppConfig


class Config(AppConfig):
    name = "hotline.workcalendar"
    label = "workcalendar"
    default_auto_field = "django.db.models.BigAutoField"
