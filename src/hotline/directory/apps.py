from django.apps import AppConfig


class Config(AppConfig):
    name = "hotline.directory"
    label = "directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hotline.directory import security  # noqa: F401 - connects the login-log signal receivers
