from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archives"
    verbose_name = "place-name and division archives (地名档案)"

    def ready(self):
        # registers the archive policy with accounts.permissions
        from . import policies  # noqa: F401
