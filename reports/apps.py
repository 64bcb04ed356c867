from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from reports import (
            signals,  # noqa: F401  (connects the receivers)
            staticfiles,  # noqa: F401  (registers the assets check)
        )
