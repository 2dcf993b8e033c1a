"""The background run of a campaign (jobs kind "campaign_run"), as whoever queued it."""

from . import services


def campaign_job(job, progress) -> dict:
    return services.campaign_run(campaign_id=job.params["campaign_id"],
                                 actor=job.created_by, progress=progress)
