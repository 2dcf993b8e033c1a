from django.apps import AppConfig


class GazetteerConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'gazetteer'
