"""Survey files of joint boundary inspections (界线联检): any format, CRS and encoding in,
features in EPSG:4490 and findings out. ``run`` is the entry point; see pipeline.py."""

from .pipeline import run
from .types import Feature, Finding, SurveyResult

__all__ = ["Feature", "Finding", "SurveyResult", "run"]
