from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inspections"
    verbose_name = "joint boundary inspections (界线联检)"

    def ready(self):
        # registers the inspection and hazard policies with accounts.permissions
        from jobs.registry import register

        from . import policies  # noqa: F401
        from .reconciling import KIND, inspection_reconcile_job
        from .selectors import reconcile_readers
        from .services import survey_upload_job

        register("survey_upload", survey_upload_job)
        register(KIND, inspection_reconcile_job, readers=reconcile_readers)
