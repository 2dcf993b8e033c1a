from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "proposals"
    verbose_name = "naming proposals (地名命名、更名、销名申报)"

    def ready(self):
        # registers the proposal policy with accounts.permissions
        from . import policies  # noqa: F401
