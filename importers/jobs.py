"""Survey files read in the background (jobs app): the same reader, its stages as progress.

``survey_read`` previews a file the way ``import_survey`` does without --commit; the
inspections app queues its own kind for uploads that are stored.
"""

from config import jobfiles

from . import survey
from .survey.pipeline import STAGES


def summary(result, limit: int = 500) -> dict:
    """What a client needs to decide: format, CRS, encoding, counts and the findings."""
    return {"format": result.format, "crs": result.crs, "crs_source": result.crs_source,
            "encoding": result.encoding, "transformation": result.transformation,
            "feature_count": len(result.features),
            "counts": result.counts(),
            "findings": [f.as_dict() for f in result.findings[:limit]],
            "findings_shown": min(limit, len(result.findings))}


PARAMETERS = ("helmert", "convention", "plane", "params_from")  # an old datum's (survey.run)


def survey_read(job, progress) -> dict:
    params = job.params
    with jobfiles.job_input(params) as path:
        result = survey.run(path, crs=params.get("crs"), encoding=params.get("encoding"),
                            division=params.get("division"), repair=params.get("repair", False),
                            report=lambda stage, done: progress(done, len(STAGES), stage),
                            **{k: params.get(k) for k in PARAMETERS})
        return summary(result)
