from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Escalation contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import postgres_types
        from .cache import connect_receivers

        connect_receivers()
        postgres_types.connect()
