from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating the registry: backups, restores and the database roles."""

    name = "ops"
    default_auto_field = "django.db.models.BigAutoField"
