from django.apps import AppConfig


class Config(AppConfig):
    name = "hotline.workorders"
    label = "workorders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hotline.audit.verification import register
        from hotline.workorders.chain import verify_events

        register("events", verify_events)
