from django.apps import AppConfig


class BoundariesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'boundaries'

    def ready(self):
        from . import policies  # noqa: F401  (registers the marker policy)
