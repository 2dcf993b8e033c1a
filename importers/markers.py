"""Boundary markers from a survey file (界桩成果表): ``run`` reads it with importers.survey
(any format, CRS and encoding it reads) and registers each numbered point as a marker.

A marker stands on the line given (``line``, or the line in force between the ``pair`` of
divisions), else on the line in force its number's abbreviation names (钟水07 → 钟水线,
the nearest if several lines share the name); a triple marker (同号三立) also stands on
every other line in force within the offset limit. Everything the registry would refuse is
listed with its row, and a commit writes all or nothing, in one transaction.
"""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_noop
from tqdm import tqdm

from boundaries import marker_checks, services
from boundaries.codes import parse_code
from boundaries.marker_checks import MARKER_MAX_OFFSET_M, NewMarker
from boundaries.models import BoundaryLine, MarkerType
from config.errors import BadRequest

from . import survey
from .errors import ConflictError, ImporterError, RowError
from .survey import checks
from .survey.types import ERROR

TYPE_COLUMNS = ["界桩类型", "类型", "类别", "type", "kind"]
MATERIAL_COLUMNS = ["材质", "材料", "material"]
INSTALLED_COLUMNS = ["埋设日期", "埋设时间", "installed", "date", "日期"]
TYPES = {"单立": MarkerType.SINGLE, "双立": MarkerType.PAIRED, "同号双立": MarkerType.PAIRED,
         "三立": MarkerType.TRIPLE, "同号三立": MarkerType.TRIPLE, "pair": MarkerType.PAIRED,
         **{t.value: t.value for t in MarkerType}}


@dataclass
class MarkerPlan:
    """What a file would register (or did, with ``written``) and what is refused, by row."""

    source: str
    format: str
    crs: str
    crs_source: str
    accepted: list[dict] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)
    skipped: int = 0  # features that are not points (the surveyed line, say)
    written: int = 0

    def summary(self) -> dict:
        return {"source": self.source, "format": self.format, "crs": self.crs,
                "crs_source": self.crs_source, "accepted": len(self.accepted),
                "refused": len(self.refused), "skipped": self.skipped, "written": self.written}


def _where(feature) -> str:
    return f"line {feature.line}" if feature.line is not None else \
        f"feature {feature.index} (layer {feature.layer})"


def _column(props: dict, names: list[str]) -> str:
    lowered = {str(k).strip().lower(): v for k, v in props.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _installed(text: str) -> date | None:
    if not text:
        return None
    cleaned = text.replace("/", "-").replace(".", "-").replace("年", "-").replace(
        "月", "-").replace("日", "").strip()[:10]
    try:
        year, month, day = (int(part) for part in cleaned.split("-"))
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"installed {text!r}: expected a date such as 2010-05-01") from exc


def given_line(line: int | None, pair: list[str] | None) -> BoundaryLine | None:
    """The line named by --line ID or --pair CODE CODE, in force; None when neither."""
    if line is None and not pair:
        return None
    if line is not None:
        found = BoundaryLine.objects.filter(pk=line).first()
        if found is None:
            raise ImporterError.of(gettext_noop("--line %(line)s: no border line has this id"),
                                   line=line)
    else:
        try:
            (a, level_a), (b, level_b) = (parse_code(code) for code in pair)
        except BadRequest as exc:
            raise ImporterError.of(gettext_noop("--pair %(pair)s: %(reason)s"),
                                   pair=" ".join(pair),
                                   reason=exc.args[0] if exc.args else str(exc)) from exc
        left, right = sorted([a, b])
        qs = BoundaryLine.objects.filter(left_code=left, right_code=right, valid_to__isnull=True)
        if level_a is not None and level_a == level_b:
            qs = qs.filter(level=level_a)
        found = qs.order_by("-level").first()
        if found is None:
            raise ImporterError.of(gettext_noop("--pair %(pair)s: no border line in force "
                                                "between these divisions"), pair=" ".join(pair))
    if found.valid_to is not None:
        raise ConflictError.of(gettext_noop("%(line)s (line %(id)s) ended on %(until)s: markers "
                                            "go on the version in force"),
                               line=found.name, id=found.id, until=str(found.valid_to))
    return found


def _near(points: list[tuple[int, Point]], radius_m: float) -> dict[int, dict[int, float]]:
    """{key: {line id: metres}} for the lines in force within ``radius_m`` of each point."""
    if not points:
        return {}
    keys, xs, ys = zip(*[(k, p.x, p.y) for k, p in points], strict=True)
    with connection.cursor() as cur:
        cur.execute(
            """SELECT t.k, l.id, ST_Distance(l.geom::geography, t.g::geography)
               FROM (SELECT k, ST_SetSRID(ST_MakePoint(x, y), 4490) AS g
                     FROM unnest(%s::int[], %s::float8[], %s::float8[]) AS u(k, x, y)) t
               JOIN boundaries_boundaryline l
                 ON l.valid_to IS NULL AND l.geom && ST_Expand(t.g, %s)
                AND ST_DWithin(l.geom::geography, t.g::geography, %s)""",
            [list(keys), list(xs), list(ys), radius_m / 50_000, radius_m])
        found: dict[int, dict[int, float]] = {}
        for key, line_id, metres in cur.fetchall():
            found.setdefault(key, {})[line_id] = metres
    return found


class _Lines:
    """The lines a marker stands on: the given one, else the one its number names."""

    def __init__(self, given: BoundaryLine | None, near: dict[int, dict[int, float]]):
        self.given, self.near = given, near
        self.by_id = {line.id: line for line in BoundaryLine.objects.filter(
            Q(valid_to__isnull=True), Q(id__in={i for d in near.values() for i in d})
            | Q(id=getattr(given, "id", None)))}
        self.named: dict[str, list[BoundaryLine]] = {}

    def _named(self, abbreviation: str) -> list[BoundaryLine]:
        if abbreviation not in self.named:
            self.named[abbreviation] = list(BoundaryLine.objects.filter(
                valid_to__isnull=True, name__startswith=abbreviation).order_by("id"))
            self.by_id |= {line.id: line for line in self.named[abbreviation]}
        return self.named[abbreviation]

    def of(self, key: int, number: str, type: str, limit: float) -> list[BoundaryLine]:
        near = self.near.get(key, {})
        line = self.given
        if line is None:
            named = self._named(number[:2])
            if len(named) > 1:
                # several lines share the name: the nearest (else the first, refused for it)
                named.sort(key=lambda candidate: near.get(candidate.id, float("inf")))
            line = named[0] if named else None
        if line is None:
            raise ValueError(f"number {number}: no border line in force is named "
                             f"{number[:2]}…线; give --line or --pair")
        lines = [line]
        if type == MarkerType.TRIPLE:
            lines += [self.by_id[i] for i, metres in sorted(near.items())
                      if i != line.id and metres <= limit and i in self.by_id]
        return lines


def _candidates(result, prop: str | None, plan: MarkerPlan) -> list:
    """The point features to register; those the reader found wrong are refused."""
    errors = {f.index: f.message for f in result.findings if f.severity == ERROR
              and f.index is not None}
    out = []
    for feature in result.features:
        geometry = feature.geometry or {}
        if feature.index in errors:
            plan.refused.append({"index": feature.index, "where": _where(feature),
                                 "number": feature.properties.get(prop) if prop else None,
                                 "reason": errors[feature.index]})
        elif geometry.get("type") != "Point":
            plan.skipped += 1
        else:
            out.append(feature)
    if out and prop is None:
        raise ImporterError.of(gettext_noop("%(source)s: no marker number attribute (界桩号, "
                                            "编号, number …) on its points"),
                               source=str(result.source))
    return out


def _new_marker(feature, prop: str, lines: _Lines, source: str, limit: float) -> NewMarker:
    props = feature.properties
    number = str(props.get(prop) or "").strip()
    if not number:
        raise ValueError(f"{prop}: no marker number")
    raw_type = _column(props, TYPE_COLUMNS)
    type = TYPES.get(raw_type.lower(), raw_type) if raw_type else MarkerType.SINGLE
    x, y = feature.geometry["coordinates"][:2]
    point = Point(x, y, srid=4490)
    return NewMarker(number=number, type=type,
                     lines=lines.of(feature.index, number, type, limit), position=point,
                     material=_column(props, MATERIAL_COLUMNS)[:50],
                     installed=_installed(_column(props, INSTALLED_COLUMNS)), source=source)


def run(path: str | Path, *, actor, line: int | None = None, pair: list[str] | None = None,
        crs: str | None = None, encoding: str | None = None, commit: bool = False,
        source_label: str | None = None, progress: bool = False,
        max_offset_m: float = MARKER_MAX_OFFSET_M) -> MarkerPlan:
    """Preview (default) or register (``commit``) the markers of a survey file."""
    with transaction.atomic():
        plan = _plan(Path(path), actor, line, pair, crs, encoding, source_label, progress,
                     max_offset_m, commit)
    return plan


def _plan(path: Path, actor, line, pair, crs, encoding, source_label, progress,
          max_offset_m, commit) -> MarkerPlan:
    given = given_line(line, pair)
    result = survey.run(path, crs=crs, encoding=encoding, progress=progress)
    plan = MarkerPlan(str(path), result.format, result.crs, result.crs_source)
    prop = checks.number_property(result.features, None)
    features = _candidates(result, prop, plan)
    near = _near([(f.index, Point(*f.geometry["coordinates"][:2])) for f in features],
                 max_offset_m)
    lines = _Lines(given, near)
    source = source_label or path.name
    built: list[tuple[object, NewMarker]] = []
    for feature in tqdm(features, desc="markers", unit="marker", disable=not progress):
        try:
            built.append((feature, _new_marker(feature, prop, lines, source, max_offset_m)))
        except (ValueError, BadRequest) as exc:
            plan.refused.append({"index": feature.index, "where": _where(feature),
                                 "number": feature.properties.get(prop), "reason": str(exc)})
    refused = marker_checks.refusals([new for _, new in built], max_offset_m)
    for i, (feature, new) in enumerate(built):
        row = {"index": feature.index, "where": _where(feature), "number": new.number}
        if i in refused:
            plan.refused.append(row | {"reason": refused[i]})
        else:
            plan.accepted.append(row | {"type": new.type, "lines": [x.name for x in new.lines],
                                        "line_ids": new.line_ids, "lon": new.position.x,
                                        "lat": new.position.y})
    plan.refused.sort(key=lambda row: row["index"])
    if commit:
        if plan.refused:
            raise RowError([f"{path.name}: {r['where']}: {r['number'] or ''} {r['reason']}"
                            for r in plan.refused])
        accepted = [new for i, (_, new) in enumerate(built) if i not in refused]
        plan.written = len(services.markers_register(markers=accepted, actor=actor,
                                                     max_offset_m=max_offset_m))
    return plan
