from django.apps import AppConfig


class ImportersConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'importers'
