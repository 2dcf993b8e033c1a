"""The joint report (联检成果): one dictionary for the JSON answer and the printable page,
and a GeoPackage of it written by Fiona (layers markers, surveyed_line, deviations and
differences), all in EPSG:4490."""

import tempfile
from pathlib import Path

import fiona
from fiona.crs import CRS
from fiona.model import Feature

from boundaries.models import SHORT_LENGTHS
from config.said import in_chinese

from . import selectors
from .models import Hazard, Inspection


def _user(user) -> str | None:
    return user.username if user else None


def _signature(by, at) -> dict | None:
    return {"by": _user(by), "at": at} if at else None


def hazard_out(h: Hazard) -> dict:
    return {"id": h.id, "line_id": h.line_id, "inspection_id": h.inspection_id,
            "location": [h.location.x, h.location.y], "description": h.description,
            "severity": h.severity, "severity_label": in_chinese(h.get_severity_display),
            "status": h.status, "status_label": in_chinese(h.get_status_display),
            "recorded_by": _user(h.recorded_by), "recorded_at": h.recorded_at,
            "history": [{"from_status": c.from_status, "to_status": c.to_status,
                         "actor": _user(c.actor), "note": c.note, "at": c.at}
                        for c in h.changes.all()]}


def line_out(inspection: Inspection) -> dict:
    line = inspection.line
    short = SHORT_LENGTHS[line.level]
    return {"id": line.id, "name": line.name, "level": line.get_level_display(),
            "left_code": line.left_code[:short], "right_code": line.right_code[:short],
            "valid_from": line.valid_from, "valid_to": line.valid_to}


def changes_out(inspection: Inspection) -> dict:
    """The line differences by triage, and what accepting the results wrote."""
    side_a = (inspection.results.get("line") or {}).get("A") or {}
    differences = side_a.get("differences", [])
    return {"corrections": [d for d in differences if d["triage"] == "correction"],
            "candidate_changes": [d for d in differences if d["triage"] == "candidate_change"],
            "applied": inspection.applied or None}


def report_data(inspection: Inspection) -> dict:
    results = inspection.results or {}
    return {
        "id": inspection.id, "line": line_out(inspection), "round": inspection.round,
        "year": inspection.year, "due_date": inspection.due_date, "state": inspection.state,
        "state_label": in_chinese(inspection.get_state_display),
        "teams": {"A": inspection.team_a.name if inspection.team_a else None,
                  "B": inspection.team_b.name if inspection.team_b else None},
        "reconciled_at": inspection.reconciled_at,
        "crs": results.get("crs"), "tolerance_m": results.get("tolerance_m"),
        "summary": results.get("summary"),
        "markers": results.get("markers", []),
        "unknown_markers": results.get("unknown", []),
        "duplicate_markers": results.get("duplicates", []),
        "line_deviation": results.get("line", {}),
        "sides": results.get("sides"),
        "hazards": [hazard_out(h) for h in inspection.hazards.all()],
        "changes": changes_out(inspection),
        "signatures": {"A": _signature(inspection.signed_a_by, inspection.signed_a_at),
                       "B": _signature(inspection.signed_b_by, inspection.signed_b_at)},
        "completed_on": inspection.completed_on,
        "surveys": [{"id": u.id, "side": u.side, "file_name": u.file_name, "format": u.format,
                     "crs": u.crs, "crs_source": u.crs_source, "encoding": u.encoding,
                     "features": u.feature_count, "confirmed": u.confirmed,
                     "status": u.status, "replaced_by": u.replaced_by_id,
                     "withdrawal_reason": u.withdrawal_reason}
                    for u in inspection.uploads.all()],
    }


MARKER_FIELDS = {"number": "str", "verdict": "str", "displacement_m": "float",
                 "registered_lon": "float", "registered_lat": "float",
                 "a_displacement_m": "float", "b_displacement_m": "float",
                 "sides_apart_m": "float", "position": "str"}


def _float(value) -> float | None:
    # JSON gives 3 for 3.0, and Fiona will not put an int in a float field
    return None if value is None else float(value)


def _marker_features(data: dict):
    for m in data["markers"]:
        at = m["surveyed"] or m["registered"]
        yield Feature.from_dict({"type": "Feature",
                                 "geometry": {"type": "Point", "coordinates": at},
                                 "properties": {
            "number": m["number"], "verdict": m["verdict"],
            "displacement_m": _float(m["displacement_m"]),
            "registered_lon": _float(m["registered"][0]),
            "registered_lat": _float(m["registered"][1]),
            "a_displacement_m": _float((m["A"] or {}).get("displacement_m")),
            "b_displacement_m": _float((m["B"] or {}).get("displacement_m")),
            "sides_apart_m": _float(m["sides_apart_m"]),
            "position": "surveyed" if m["surveyed"] else "registered"}})


def _line_features(inspection: Inspection, data: dict):
    for side, geometry in selectors.surveyed_lines(inspection.id).items():
        stats = data["line_deviation"].get(side, {})
        yield Feature.from_dict({"type": "Feature", "geometry": geometry, "properties": {
            "side": side, "length_m": _float(stats.get("length_m")),
            "hausdorff_m": _float(stats.get("hausdorff_m")),
            "max_deviation_m": _float(stats.get("max_deviation_m"))}})


def _deviation_features(data: dict):
    sides = data["sides"] or {}
    groups = [(side, "registered", stats.get("stretches", []))
              for side, stats in data["line_deviation"].items()]
    # the registered line where a side's survey is not within the tolerance of it
    groups += [("R", f"side_{side.lower()}", stats.get("registered_stretches", []))
               for side, stats in data["line_deviation"].items()]
    groups += [("A", "side_b", sides.get("a_outside_b", [])),
               ("B", "side_a", sides.get("b_outside_a", []))]
    for side, against, stretches in groups:
        for s in stretches:
            yield Feature.from_dict({"type": "Feature", "geometry": s["geometry"],
                                     "properties": {"side": side, "against": against,
                                                    "length_m": _float(s["length_m"]),
                                                    "max_deviation_m": _float(
                                                        s["max_deviation_m"])}})


def _difference_features(data: dict):
    for side, stats in data["line_deviation"].items():
        for d in stats.get("differences", []):
            yield Feature.from_dict({"type": "Feature", "geometry": d["geometry"],
                                     "properties": {"side": side, "area_m2": _float(d["area_m2"]),
                                                    "triage": d["triage"]}})


LAYERS = [
    ("markers", "Point", MARKER_FIELDS),
    ("surveyed_line", "MultiLineString", {"side": "str", "length_m": "float",
                                          "hausdorff_m": "float", "max_deviation_m": "float"}),
    ("deviations", "LineString", {"side": "str", "against": "str", "length_m": "float",
                                  "max_deviation_m": "float"}),
    ("differences", "Polygon", {"side": "str", "area_m2": "float", "triage": "str"}),
]


def report_gpkg(inspection: Inspection) -> bytes:
    data = report_data(inspection)
    features = {"markers": _marker_features(data),
                "surveyed_line": _line_features(inspection, data),
                "deviations": _deviation_features(data),
                "differences": _difference_features(data)}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.gpkg"
        for layer, geometry, fields in LAYERS:
            with fiona.open(path, "w", driver="GPKG", layer=layer, crs=CRS.from_epsg(4490),
                            schema={"geometry": geometry, "properties": fields},
                            encoding="utf-8") as sink:
                sink.writerecords(features[layer])
        return path.read_bytes()
