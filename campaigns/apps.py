from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "campaigns"

    def ready(self):
        from jobs.registry import register

        from . import policies  # noqa: F401  (registers the campaign policy)
        from .jobs import campaign_job, campaign_readers

        register("campaign_run", campaign_job, readers=campaign_readers)
