from django.apps import AppConfig


class ImportersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "importers"

    def ready(self):
        from jobs.registry import register

        from . import policies  # noqa: F401  (registers the datum parameters' policy)
        from .jobs import survey_read

        register("survey_read", survey_read)
