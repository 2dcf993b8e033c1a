"""Reads of inspections, surveys, hazards and the lines due for inspection."""

import json
from datetime import date

from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_noop

from accounts import permissions
from accounts.roles import Role
from boundaries.models import SHORT_LENGTHS, DivisionVersion, Level
from boundaries.selectors import line_markers
from boundaries.temporal import in_force, in_force_sql, today
from config.errors import NotFound
from jobs.models import Job

from . import policies
from .models import (
    OPEN_STATES,
    Hazard,
    HazardChange,
    Inspection,
    InspectionTransition,
    SurveyUpload,
)
from .services import INTERVAL_YEARS
from .transitions import MACHINE

FAMILIES = {0: "point", 1: "line", 2: "polygon"}


def readable(user, qs: QuerySet, prefix: str = "") -> QuerySet:
    """What of ``qs`` the user may read: everything for the office and the committee staff,
    else their teams' inspections (``prefix`` reaches the inspection from another model).
    The caller has required "inspection.list" first."""
    if policies.reads_everything(user):
        return qs
    groups = user.groups.all()
    return qs.filter(Q(**{f"{prefix}team_a__in": groups}) | Q(**{f"{prefix}team_b__in": groups}))


def inspection_for(user, inspection_id: int) -> Inspection:
    """The inspection, for a user who may read it (403 otherwise)."""
    found = inspection_get(inspection_id)
    permissions.require(user, "inspection.view", found)
    return found


def reconcile_readers(user, job: Job) -> bool:
    """A reconciliation concerns both sides: whoever may read its inspection follows it
    (jobs.registry readers), not only whoever started it."""
    found = Inspection.objects.filter(id=job.params.get("inspection_id")).first()
    return found is not None and permissions.can(user, "inspection.view", found)


def hazard_for(user, hazard_id: int) -> Hazard:
    found = hazard_get(hazard_id)
    permissions.require(user, "hazard.view", found.inspection)
    return found


def inspections(line_id: int | None = None, state: str | None = None,
                overdue: bool | None = None, on: date | None = None, *,
                user=None) -> QuerySet:
    """Inspections, newest first; ``overdue``: open ones past their due date (or not);
    with ``user``, those they may read."""
    qs = Inspection.objects.select_related("line", "team_a", "team_b")
    if user is not None:
        qs = readable(user, qs)
    if line_id is not None:
        qs = qs.filter(line_id=line_id)
    if state is not None:
        qs = qs.filter(state=state)
    if overdue is not None:
        late = qs.filter(state__in=OPEN_STATES, due_date__lt=on or today())
        qs = late if overdue else qs.exclude(pk__in=late.values("pk"))
    return qs.order_by("-created_at", "-id")


def under_way(line_id: int) -> bool:
    """Whether the line has an inspection open (a line has one at a time)."""
    return Inspection.objects.filter(line_id=line_id, state__in=OPEN_STATES).exists()


def inspection_get(inspection_id: int) -> Inspection:
    found = (Inspection.objects.select_related("line", "team_a", "team_b", "signed_a_by",
                                               "signed_b_by")
             .prefetch_related(
                 Prefetch("transitions", InspectionTransition.objects.select_related("actor")
                          .order_by("at", "id")),
                 Prefetch("uploads", SurveyUpload.objects.select_related(
                     "uploaded_by", "withdrawn_by").order_by("id")),
                 Prefetch("hazards", hazards())).filter(pk=inspection_id).first())
    if found is None:
        raise NotFound.of(gettext_noop("no inspection %(id)s"), id=inspection_id)
    return found


def next_actions(user, inspection: Inspection) -> list[str]:
    """What the caller may do now: the steps of the transitions table open from the
    inspection's state that accounts.permissions allows them (the services enforce the
    same table, so an action offered here is not refused as out of order or forbidden)."""
    return MACHINE.available(
        inspection.state,
        lambda step: permissions.offered(user, f"inspection.{step.action}", inspection),
        record=inspection)


def upload_get(inspection_id: int, upload_id: int) -> SurveyUpload:
    found = SurveyUpload.objects.filter(pk=upload_id, inspection_id=inspection_id).first()
    if found is None:
        raise NotFound.of(gettext_noop("no survey upload %(id)s in inspection "
                                       "%(inspection)s"), id=upload_id, inspection=inspection_id)
    return found


def replaced_upload(upload_id: int) -> int | None:
    """The upload that ``upload_id`` superseded, if any."""
    return SurveyUpload.objects.filter(replaced_by_id=upload_id).values_list(
        "id", flat=True).first()


def upload_preview(upload: SurveyUpload) -> dict:
    """What the upload holds: features by layer and geometry family, and its marker
    numbers against the line's registered markers."""
    with connection.cursor() as cur:
        cur.execute("""
            SELECT layer, ST_Dimension(geom), count(*) FROM inspections_surveyfeature
            WHERE upload_id = %s GROUP BY 1, 2 ORDER BY 1, 2""", [upload.id])
        layers = [{"layer": layer, "family": FAMILIES.get(dim, "none"), "count": n}
                  for layer, dim, n in cur.fetchall()]
        cur.execute("""
            SELECT f.number, EXISTS (
                SELECT 1 FROM boundaries_boundarymarker m
                JOIN boundaries_boundarymarker_lines ml ON ml.boundarymarker_id = m.id
                JOIN inspections_inspection i ON i.line_id = ml.boundaryline_id
                WHERE i.id = %s AND m.number = f.number AND m.retired_on IS NULL)
            FROM inspections_surveyfeature f WHERE f.upload_id = %s AND f.number <> ''
            ORDER BY f.number""", [upload.inspection_id, upload.id])
        numbers = cur.fetchall()
    return {"layers": layers,
            "markers_registered": sorted({n for n, known in numbers if known}),
            "markers_unknown": sorted({n for n, known in numbers if not known})}


def hazards(line_id: int | None = None, status: str | None = None, *, user=None) -> QuerySet:
    qs = Hazard.objects.select_related("recorded_by", "inspection").prefetch_related(
        Prefetch("changes", HazardChange.objects.select_related("actor").order_by("at", "id")))
    if line_id is not None:
        qs = qs.filter(line_id=line_id)
    if status is not None:
        qs = qs.filter(status=status)
    if user is not None:
        qs = readable(user, qs, "inspection__")
    return qs.order_by("-recorded_at", "-id")


def hazard_get(hazard_id: int) -> Hazard:
    found = hazards().filter(pk=hazard_id).first()
    if found is None:
        raise NotFound.of(gettext_noop("no hazard %(id)s"), id=hazard_id)
    return found


# The lines in force whose last completed inspection (over all their versions) is more
# than the interval ago, or that were never inspected, with any inspection under way.
_OVERDUE = f"""
FROM boundaries_boundaryline l
LEFT JOIN LATERAL (
    SELECT i.completed_on, i.round FROM inspections_inspection i
    JOIN boundaries_boundaryline v ON v.id = i.line_id
    WHERE v.level = l.level AND v.left_code = l.left_code AND v.right_code = l.right_code
      AND i.completed_on IS NOT NULL
    ORDER BY i.completed_on DESC LIMIT 1) last ON true
WHERE {in_force_sql("l", "on")}
  AND (%(level)s::int IS NULL OR l.level = %(level)s::int)
  AND (last.completed_on IS NULL
       OR (last.completed_on + make_interval(years => %(years)s))::date < %(on)s)
"""


def overdue_lines(*, on: date | None = None, level: int | None = None, limit: int = 50,
                  offset: int = 0) -> tuple[int, list[dict]]:
    params = {"on": on or today(), "level": level, "years": INTERVAL_YEARS,
              "limit": limit, "offset": offset}
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) " + _OVERDUE, params)
        count = cur.fetchone()[0]
        cur.execute(f"""
            SELECT l.id, l.name, l.level, l.left_code, l.right_code, last.completed_on,
                   last.round,
                   (last.completed_on + make_interval(years => %(years)s))::date AS due,
                   (SELECT json_build_object('id', o.id, 'state', o.state, 'round', o.round)
                    FROM inspections_inspection o
                    WHERE o.line_id = l.id AND o.state = ANY(%(open)s) LIMIT 1)
            {_OVERDUE}
            ORDER BY due NULLS FIRST, l.level, l.left_code, l.right_code
            LIMIT %(limit)s OFFSET %(offset)s""", params | {"open": list(OPEN_STATES)})
        rows = cur.fetchall()
    return count, [{
        "line_id": lid, "name": name, "level": Level(level).label,
        "left_code": left[:SHORT_LENGTHS[level]], "right_code": right[:SHORT_LENGTHS[level]],
        "last_inspected": last, "last_round": last_round, "due_date": due,
        "overdue_days": (params["on"] - due).days if due else None,
        "open_inspection": json.loads(open_) if isinstance(open_, str) else open_,
    } for lid, name, level, left, right, last, last_round, due, open_ in rows]


def surveyed_lines(inspection_id: int) -> dict[str, dict]:
    """Each side's confirmed survey lines, merged, as GeoJSON in EPSG:4490."""
    with connection.cursor() as cur:
        cur.execute("""
            SELECT u.side, ST_AsGeoJSON(ST_Multi(ST_LineMerge(
                       ST_Collect(d.geom ORDER BY f.upload_id, f.idx))), 7)
            FROM inspections_surveyfeature f
            JOIN inspections_surveyupload u ON u.id = f.upload_id
            CROSS JOIN LATERAL ST_Dump(f.geom) d
            WHERE u.inspection_id = %s AND u.confirmed AND u.withdrawn_at IS NULL
              AND ST_Dimension(d.geom) = 1
            GROUP BY u.side ORDER BY u.side""", [inspection_id])
        return {side: json.loads(geojson) for side, geojson in cur.fetchall()}


def line_history(level: int, left_code: str, right_code: str) -> list[dict]:
    """The inspections of a line over all its versions, latest round first."""
    qs = Inspection.objects.filter(line__level=level, line__left_code=left_code,
                                   line__right_code=right_code).order_by("-round")
    return [{"id": i.id, "line_id": i.line_id, "round": i.round, "year": i.year,
             "state": i.state, "due_date": i.due_date, "completed_on": i.completed_on}
            for i in qs]


def inspection_map(inspection: Inspection, upload: SurveyUpload | None = None) -> dict:
    """The inspection's map as one GeoJSON FeatureCollection: the registered line, its
    markers (with their verdict once reconciled) and, for a preview, the upload's
    features (at most 5,000) over them; ``properties.role`` says which is which."""
    features = [{"type": "Feature", "geometry": json.loads(inspection.line.geom.geojson),
                 "properties": {"role": "line", "name": inspection.line.name}}]
    verdicts = {m["number"]: m for m in (inspection.results or {}).get("markers", [])}
    for marker in line_markers(inspection.line):
        state = marker.states.all()[len(marker.states.all()) - 1]
        found = verdicts.get(marker.number, {})
        at = found.get("surveyed") or [state.position.x, state.position.y]
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": at},
                         "properties": {"role": "marker", "number": marker.number,
                                        "verdict": found.get("verdict", "")}})
    features += [{"type": "Feature", "geometry": json.loads(h.location.geojson),
                  "properties": {"role": "hazard", "number": f"#{h.id} {h.description[:40]}",
                                 "severity": h.severity}}
                 for h in inspection.hazards.all()]
    if upload is not None:
        with connection.cursor() as cur:
            cur.execute("""
                SELECT layer, number, ST_AsGeoJSON(geom, 7) FROM inspections_surveyfeature
                WHERE upload_id = %s AND geom IS NOT NULL ORDER BY idx LIMIT 5000""",
                        [upload.id])
            features += [{"type": "Feature", "geometry": json.loads(geometry),
                          "properties": {"role": "survey", "layer": layer, "number": number}}
                         for layer, number, geometry in cur.fetchall()]
    return {"type": "FeatureCollection", "features": features}


def _marker_feature(marker, state) -> dict:
    return {"type": "Feature", "geometry": json.loads(state.position.geojson),
            "properties": {"role": "marker", "number": marker.number, "id": marker.id,
                           "status": state.status, "verdict": ""}}


def lines_map(lines: list, markers: list, history_of=None) -> dict:
    """The marker workspace's map: border lines, their markers at their state in force
    (states prefetched oldest first, as boundaries.selectors gives them) and, for one
    marker (``history_of``), its earlier positions (``role`` "former")."""
    features = [{"type": "Feature", "geometry": json.loads(line.geom.geojson),
                 "properties": {"role": "line", "name": line.name, "id": line.id}}
                for line in lines]
    for marker in markers:
        states = list(marker.states.all())
        if states:
            features.append(_marker_feature(marker, states[-1]))
    if history_of is not None:
        for state in list(history_of.states.all())[:-1]:
            features.append({"type": "Feature",
                             "geometry": json.loads(state.position.geojson),
                             "properties": {"role": "former", "number": history_of.number,
                                            "status": state.status,
                                            "since": state.valid_from.isoformat()}})
    return {"type": "FeatureCollection", "features": features}


def may_record_hazard(user, inspection: Inspection) -> bool:
    """Whether to offer the hazard form: the parties, while the inspection is open (a
    closed one's hazards are recorded on the line, by the office)."""
    return (inspection.state in OPEN_STATES
            and permissions.offered(user, "hazard.record", inspection))


def teams_for(line) -> tuple[list[str], str, str]:
    """The groups that may be a side's team (every group but the roles) and the two
    suggested for the line: the ones named after its two divisions (钟山区联检组)."""
    names = list(Group.objects.exclude(name__in=Role.values).order_by("name")
                 .values_list("name", flat=True))
    sides = dict(DivisionVersion.objects.filter(
        in_force(today()), code__in=[line.left_code, line.right_code]).values_list("code", "name"))
    suggested = [f"{sides.get(code, '')}联检组" for code in (line.left_code, line.right_code)]
    return names, *(name if name in names else "" for name in suggested)
