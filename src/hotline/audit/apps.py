from django.apps import AppConfig


class Config(AppConfig):
    name = "hotline.audit"
    label = "audit"
    verbose_name = "审计"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hotline.audit import admin_hooks

        admin_hooks.install()  # admin changes -> audit rows
