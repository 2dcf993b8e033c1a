from django.apps import AppConfig


class MergersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mergers"
    verbose_name = "division changes: merger simulations and change proposals (乡镇撤并、区划变更)"

    def ready(self):
        # registers the scenario and change-proposal policies with accounts.permissions
        from . import policies  # noqa: F401
