"""The background run of a campaign (jobs kind "campaign_run"), as whoever queued it."""

from accounts import permissions

from . import services


def campaign_job(job, progress) -> dict:
    return services.campaign_run(campaign_id=job.params["campaign_id"],
                                 actor=job.created_by, progress=progress)


def campaign_readers(user, job) -> bool:
    """A run is the office's to follow, like the campaign (its policy), whoever queued it."""
    return permissions.can(user, "campaign.view")
