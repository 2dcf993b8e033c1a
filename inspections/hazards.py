"""The hazard and dispute register (纠纷隐患): hazards recorded on a border line, or on a
line under inspection (then part of its report, and a change to what its sides sign),
and their status with history."""

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.translation import gettext_noop

from accounts import permissions
from boundaries.models import BoundaryLine
from config.errors import BadRequest, Conflict, NotFound

from .models import OPEN_STATES, Hazard, HazardChange, HazardStatus, Severity, State
from .services import inspection_locked, results_changed


def _hazard_location(location) -> Point:
    try:
        point = location if isinstance(location, Point) else Point(
            *(float(v) for v in location), srid=4490)
    except (TypeError, ValueError) as exc:
        raise BadRequest.of(gettext_noop("location %(location)r: expected (lon, lat)"),
                            location=location) from exc
    if not (73 <= point.x <= 136 and 3 <= point.y <= 54):
        raise BadRequest.of(gettext_noop("location %(x)s, %(y)s: not a lon/lat in China "
                                         "(EPSG:4490)"), x=point.x, y=point.y)
    return point


@transaction.atomic
def hazard_record(*, actor, location, description: str, severity: str,
                  line_id: int | None = None, inspection_id: int | None = None,
                  note: str = "") -> Hazard:
    """Record a hazard on a line, or on a line under inspection (then part of its report)."""
    inspection = inspection_locked(inspection_id) if inspection_id is not None else None
    permissions.require(actor, "hazard.record", inspection)
    if inspection is not None:
        line = inspection.line
        if line_id is not None and line_id != line.id:
            raise BadRequest.of(gettext_noop("line_id %(id)s: inspection %(inspection)s is of "
                                             "line %(line)s"),
                                id=line_id, inspection=inspection.id, line=line.id)
    else:
        line = BoundaryLine.objects.filter(pk=line_id or 0).first()
        if line is None:
            raise BadRequest.of(gettext_noop("line_id %(id)r: a hazard lies on a border line"),
                                id=line_id)
    if severity not in Severity.values:
        raise BadRequest.of(gettext_noop("severity %(severity)r: expected one of %(known)s"),
                            severity=severity, known=", ".join(Severity.values))
    if not (description or "").strip():
        raise BadRequest.of(gettext_noop("description: say what the hazard or dispute is"))
    if inspection is not None and inspection.state not in OPEN_STATES:
        raise Conflict.of(gettext_noop("record a hazard: inspection %(id)s is %(state)s; "
                                       "record it on the line instead"),
                          shown={"state": dict(State.choices)[inspection.state]},
                          id=inspection.id, state=inspection.state)
    hazard = Hazard.objects.create(line=line, inspection=inspection,
                                   location=_hazard_location(location),
                                   description=description.strip(), severity=severity,
                                   recorded_by=actor)
    HazardChange.objects.create(hazard=hazard, to_status=hazard.status, actor=actor, note=note)
    if inspection is not None:
        results_changed(inspection, actor, f"hazard {hazard.id} recorded", stale=False)
    return hazard


@transaction.atomic
def hazard_update(*, actor, hazard_id: int, status: str, note: str = "") -> Hazard:
    """Move a hazard to another status (open, under mediation, resolved), with history."""
    hazard = Hazard.objects.select_for_update().filter(pk=hazard_id).first()
    if hazard is None:
        raise NotFound.of(gettext_noop("no hazard %(id)s"), id=hazard_id)
    inspection = inspection_locked(hazard.inspection_id) if hazard.inspection_id else None
    permissions.require(actor, "hazard.update", inspection)
    if status not in HazardStatus.values:
        raise BadRequest.of(gettext_noop("status %(status)r: expected one of %(known)s"),
                            status=status, known=", ".join(HazardStatus.values))
    if status == hazard.status:
        raise Conflict.of(gettext_noop("hazard %(id)s is already %(status)s"),
                          shown={"status": dict(HazardStatus.choices)[status]},
                          id=hazard.id, status=status)
    HazardChange.objects.create(hazard=hazard, from_status=hazard.status, to_status=status,
                                actor=actor, note=note)
    hazard.status = status
    hazard.save(update_fields=["status"])
    if inspection is not None and inspection.state in OPEN_STATES:
        results_changed(inspection, actor, f"hazard {hazard.id} now {status}", stale=False)
    return hazard
