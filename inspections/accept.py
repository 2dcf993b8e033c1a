"""Accepting signed results: marker states appended, agreed line changes as new versions,
candidate boundary changes as draft 边界调整 events awaiting approval.

Called inside the transaction of the second signature, so a refusal here (a marker state
that cannot be appended, a line version that cannot begin) leaves the inspection unsigned.
"""

from datetime import date

from django.db import connection
from django.utils.translation import gettext_noop

from boundaries.lines import SURVEYED
from boundaries.models import BoundaryMarker, DivisionEvent, EventKind, MarkerState, MarkerStatus
from boundaries.orientation import along_sql
from boundaries.services import marker_record_state
from config.errors import Conflict
from config.responses import invalidate_on_commit
from config.said import Said

from . import judge
from .models import Inspection

# A marker's verdict → the status its new state records; disputed and duplicate ones
# are left as they are until the sides agree.
STATUS_OF = {"intact": MarkerStatus.INTACT, "displaced": MarkerStatus.DISPLACED,
             "missing": MarkerStatus.MISSING}


def _apply_markers(inspection: Inspection, on: date, actor) -> tuple[list[dict], list[dict]]:
    """(the states written, the newer states kept)."""
    rows = [m for m in inspection.results.get("markers", []) if m["verdict"] in STATUS_OF]
    markers = BoundaryMarker.objects.in_bulk([m["marker_id"] for m in rows])
    # A state recorded on or after the sign-off day (a marker set or repaired meanwhile)
    # says more than the survey did: kept, and the sign-off goes through.
    later = {s.marker_id: s for s in MarkerState.objects.filter(
        marker_id__in=markers, valid_to__isnull=True, valid_from__gte=on)}
    label = f"{inspection.line.name}第{inspection.round}轮联检"
    written, kept = [], []
    for row in rows:
        marker = markers.get(row["marker_id"])
        if marker is None:
            continue
        if marker.id in later:
            state = later[marker.id]
            kept.append({"number": marker.number, "status": state.status, "state_id": state.id,
                         "since": state.valid_from.isoformat()})
            continue
        displaced = row["verdict"] == "displaced"
        note = (f"{label}：{row['verdict']}" + (f"，位移 {row['displacement_m']:.2f} m"
                                                if row.get("displacement_m") is not None else ""))
        state = marker_record_state(marker=marker, status=STATUS_OF[row["verdict"]], on=on,
                                    position=row["surveyed"] if displaced else None, note=note,
                                    actor=actor)
        written.append({"number": marker.number, "status": state.status,
                        "state_id": state.id})
    return written, kept


# A surveyed line that runs the other way is turned to run as the registered one does:
# its left side stays the left division (boundaries.orientation).
_NEW_VERSION = f"""
WITH old AS (
    UPDATE boundaries_boundaryline SET valid_to = %(on)s WHERE id = %(line)s
    RETURNING level, left_code, right_code, name, agreement_number, agreement_date, geom
), merged AS (
    SELECT ST_Multi(ST_LineMerge(ST_Collect(d.geom ORDER BY f.upload_id, f.idx))) AS g
    FROM inspections_surveyfeature f
    JOIN inspections_surveyupload u ON u.id = f.upload_id
    CROSS JOIN LATERAL ST_Dump(f.geom) d
    WHERE u.inspection_id = %(insp)s AND u.confirmed AND u.withdrawn_at IS NULL
      AND u.side = 'A'
      AND ST_Dimension(d.geom) = 1
), surveyed AS (
    SELECT {along_sql("m.g", "o.geom")} AS g FROM merged m, old o
), inserted AS (
    INSERT INTO boundaries_boundaryline (level, left_code, right_code, name, geom, length_m,
        agreement_number, agreement_date, valid_from, valid_to, geometry_source, created_at)
    SELECT o.level, o.left_code, o.right_code, o.name, s.g, ST_Length(s.g::geography),
           o.agreement_number, o.agreement_date, %(on)s, NULL, %(source)s, now()
    FROM old o, surveyed s
    RETURNING id
), moved AS (
    INSERT INTO boundaries_boundarymarker_lines (boundarymarker_id, boundaryline_id)
    SELECT m.boundarymarker_id, i.id FROM boundaries_boundarymarker_lines m, inserted i
    WHERE m.boundaryline_id = %(line)s
)
SELECT id FROM inserted
"""


def _new_line_version(inspection: Inspection, on: date) -> int:
    line = inspection.line
    if line.valid_to is not None or (line.valid_from is not None and line.valid_from >= on):
        raise Conflict.of(gettext_noop("%(line)s: its version %(id)s (%(start)s – %(end)s) "
                                       "cannot end on %(on)s"),
                          line=line.name, id=line.id, start=str(line.valid_from),
                          end=str(line.valid_to) if line.valid_to else Said(gettext_noop("now")),
                          on=str(on))
    source = f"{SURVEYED}{inspection.id} ({line.name}第{inspection.round}轮), side A survey"
    with connection.cursor() as cur:
        cur.execute(_NEW_VERSION, {"on": on, "line": line.id, "insp": inspection.id,
                                   "source": source[:200]})
        return cur.fetchone()[0]


def _draft_events(inspection: Inspection, on: date, changes: list[dict], actor) -> list[int]:
    line = inspection.line
    events = DivisionEvent.objects.bulk_create([DivisionEvent(
        kind=EventKind.BOUNDARY, effective_date=on, draft=True, actor=actor,
        description=(f"草案（待批准）：{line.name}第{inspection.round}轮联检"
                     f"（联检 {inspection.id}）发现的候选边界变更，"
                     f"{line.left_code}|{line.right_code}，面积 "
                     f"{c['area_m2']:.0f} m²，位置 {c['at'][0]:.6f} {c['at'][1]:.6f}"),
    ) for c in changes])
    return [e.id for e in events]


def _apply_line(inspection: Inspection, on: date, actor) -> dict:
    """The agreed line change, when both sides' lines agree, judged in both directions
    (inspections.judge): candidate changes wait for approval as draft events and keep the
    line; digitising corrections alone give a new line version."""
    results = inspection.results
    side_a = results.get("line", {}).get("A")
    if not results.get("line"):
        return {"line_version": None, "reason": "no line was surveyed"}
    if not results["summary"]["lines_agree"]:
        return {"line_version": None, "reason": "the two sides' lines disagree (or one side "
                "did not survey it): no change agreed"}
    tol, max_area = results["tolerance_m"], results["correction_max_area_m2"]
    judgement = judge.line_judgement(side_a, tol, max_area)
    if judgement == judge.WITHIN:
        return {"line_version": None, "reason": "the surveyed line is within tolerance "
                "of the registered one in both directions"}
    if judgement == judge.CHANGE:
        candidates = judge.boundary_changes(side_a, max_area)
        return {"line_version": None,
                "draft_events": _draft_events(inspection, on, candidates, actor),
                "reason": "candidate boundary changes await approval"}
    if judgement == judge.UNENCLOSED:
        left_out, beyond = judge.unenclosed(side_a)
        what = ([f"{left_out:.0f} m of the line were not surveyed"] if left_out > 0 else [])
        what += [f"{beyond:.0f} m of the survey run beyond the line"] if beyond > 0 else []
        return {"line_version": None, "reason": f"{' and '.join(what)}, enclosing nothing: "
                "a new version would lose or add them without a change to approve"}
    return {"line_version": _new_line_version(inspection, on),
            "reason": "digitising corrections agreed by both sides"}


def apply_results(inspection: Inspection, on: date, *, actor) -> dict:
    """What the second signature accepts, recorded as done by its signer."""
    invalidate_on_commit("lines", "markers")  # their tiles
    written, kept = _apply_markers(inspection, on, actor)
    return {"on": on.isoformat(), "markers": written, "markers_kept": kept,
            "line": _apply_line(inspection, on, actor)}
