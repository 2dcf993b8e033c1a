from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background jobs (Celery on Redis) with their progress, for long imports."""

    name = "jobs"
    default_auto_field = "django.db.models.BigAutoField"
