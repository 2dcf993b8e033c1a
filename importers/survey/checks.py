"""Findings that need no database: empty and malformed geometries, coordinates out of range,
duplicate marker numbers, mixed geometry types. PostGIS checks are in staging.py."""

import math
from collections import Counter, defaultdict

from django.utils.translation import gettext_noop

from . import crs as crs_
from .geometry import Flat, structure_problem
from .types import ERROR, INFO, WARNING, Feature, Finding

NUMBER_PROPERTIES = ["界桩号", "界桩编号", "桩号", "编号", "点号", "number", "NUMBER", "Number",
                     "no", "NO", "name", "Name", "NAME", "名称", "BH", "ZH"]
FAMILIES = {"Point": "point", "MultiPoint": "point", "LineString": "line",
            "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon",
            "GeometryCollection": "collection"}


def _finding(feature: Feature, rule: str, severity: str, template: str,
             params: dict | None = None) -> Finding:
    return Finding.said(rule, severity, template, params, feature.index, feature.line)


def geometry_findings(features: list[Feature], flat: Flat, choice: crs_.Choice
                      ) -> tuple[list[Finding], set[int]]:
    """Empty, malformed and out-of-range geometries, and the indexes that cannot be staged."""
    findings, unstageable = [], set()
    domain = choice.domain or (-180, -90, 180, 90)
    # the whole file inside China and the CRS's domain: no feature needs a look of its own
    clean = math.isfinite(sum(flat.xs) + sum(flat.ys)) and _within(
        (min(flat.xs), min(flat.ys), max(flat.xs), max(flat.ys)), _tighter(domain))
    for feature, (start, end) in zip(features, flat.spans, strict=True):
        if start == end:
            if feature.geometry is not None or feature.line is None:
                findings.append(_finding(feature, "empty_geometry", ERROR,
                                         gettext_noop("no geometry")))
            unstageable.add(feature.index)
            continue
        problem = feature.geometry["type"] != "Point" and structure_problem(feature.geometry)
        if problem:
            findings.append(_finding(feature, "invalid_geometry", ERROR, *problem))
            unstageable.add(feature.index)
        found = None if clean else _out_of_range(feature, flat, start, end, domain, choice)
        if found:
            findings.append(found)
            unstageable.update([feature.index] if found.severity == ERROR else [])
    return findings, unstageable


def _within(box: tuple, limits: tuple) -> bool:
    return (limits[0] <= box[0] and box[2] <= limits[2] and limits[1] <= box[1]
            and box[3] <= limits[3])


def _tighter(domain: tuple) -> tuple:
    china = crs_.CHINA
    return (max(domain[0], china[0]), max(domain[1], china[1]), min(domain[2], china[2]),
            min(domain[3], china[3]))


def _out_of_range(feature: Feature, flat: Flat, start: int, end: int, domain: tuple,
                  choice: crs_.Choice) -> Finding | None:
    xs, ys = flat.xs[start:end], flat.ys[start:end]
    if not math.isfinite(sum(xs) + sum(ys)):
        return _finding(feature, "out_of_range", ERROR, gettext_noop(
            "coordinates the coordinate system cannot take (outside its domain)"))
    box = (min(xs), min(ys), max(xs), max(ys))
    if not _within(box, domain):
        return _finding(feature, "out_of_range", ERROR, gettext_noop(
            "outside where %(crs)s is defined: %(box)s: wrong --crs?"),
            {"crs": choice.label, "box": _box(box)})
    if not _within(box, crs_.CHINA):
        return _finding(feature, "out_of_range", WARNING, gettext_noop(
            "outside China (%(box)s): wrong --crs or axes?"), {"box": _box(box)})
    return None


def _box(box: tuple) -> str:
    return f"lon {box[0]:.6f}…{box[2]:.6f}, lat {box[1]:.6f}…{box[3]:.6f}"


def number_property(features: list[Feature], given: str | None) -> str | None:
    """The property holding the marker numbers: the CSV's column, else a known name."""
    if given:
        return given
    first = {}  # a layer's features share its fields: its first point tells them
    for feature in features:
        if feature.layer not in first and _is_point(feature):
            first[feature.layer] = feature.properties
    names = {k for props in first.values() for k in props}
    return next((p for p in NUMBER_PROPERTIES if p in names), None)


def _is_point(feature: Feature) -> bool:
    return bool(feature.geometry) and FAMILIES.get(feature.geometry["type"]) == "point"


def duplicate_numbers(features: list[Feature], prop: str | None) -> list[Finding]:
    if prop is None:
        return []
    seen = defaultdict(list)
    points = {kind for kind, family in FAMILIES.items() if family == "point"}
    for feature in features:
        value = feature.properties.get(prop)
        if value is not None and value != "" and feature.geometry \
                and feature.geometry["type"] in points:
            seen[str(value).strip()].append(feature)
    seen.pop("", None)
    findings = []
    for value, group in seen.items():
        if len(group) < 2:
            continue
        where = ", ".join(str(f.line if f.line is not None else f.index) for f in group)
        template = (gettext_noop("marker number %(number)s (%(property)s) appears %(times)d "
                                 "times (lines %(where)s)") if group[0].line is not None
                    else gettext_noop("marker number %(number)s (%(property)s) appears "
                                      "%(times)d times (features %(where)s)"))
        for feature in group[1:]:
            findings.append(_finding(feature, "duplicate_number", ERROR, template, {
                "number": value, "property": prop, "times": len(group), "where": where}))
    return findings


def mixed_types(features: list[Feature]) -> list[Finding]:
    by_layer = defaultdict(dict)
    counted = Counter((f.layer, f.geometry["type"]) for f in features if f.geometry)
    for (layer, kind), n in counted.items():
        by_layer[layer][kind] = n
    findings = []
    for layer, kinds in by_layer.items():
        families = {FAMILIES[k] for k in kinds}
        if len(families) > 1:
            shown = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
            findings.append(Finding.said("mixed_geometry_types", WARNING, gettext_noop(
                "layer %(layer)s mixes geometry types: %(types)s"),
                {"layer": layer, "types": shown}))
    return findings


def notes(messages: list[dict | None], rule: str) -> list[Finding]:
    """Findings of notes (config.said messages; None: no note)."""
    return [Finding.said(rule, INFO, **m) for m in messages if m]
