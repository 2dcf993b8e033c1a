from django.apps import AppConfig


class GazetteerConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'gazetteer'

    def ready(self):
        # registers the sign (and heritage) policies with accounts.permissions
        from . import policies  # noqa: F401
