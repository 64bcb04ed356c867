from django.apps import AppConfig


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        # Registers the deploy check that the privacy notice names who holds the data.
        from surveys import legal  # noqa: F401
