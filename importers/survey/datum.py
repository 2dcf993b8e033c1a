"""From the file's datum to CGCS2000: which transformation PROJ would use, how good it is,
and when to refuse it.

PROJ knows no published transformation from Xian 1980 or Beijing 1954 to CGCS2000: it falls
back to a "ballpark" one that changes the ellipsoid and shifts nothing, tens of metres to
over a hundred off. A ballpark is accepted only from the datums that agree with CGCS2000 to
centimetres or decimetres (WGS 84, the ITRF realizations, CGCS2000 itself); from any other
datum the file is refused unless parameters are given: a 7-parameter Helmert between the
geocentric frames or the 4-parameter plane transformation survey offices publish per area.
Both are applied as PROJ pipelines (pyproj), the coordinates never by hand.
"""

import re
import warnings
from dataclasses import asdict, dataclass

import pyproj
from django.utils.translation import gettext_noop
from pyproj.transformer import TransformerGroup

from config.said import Said

from ..errors import ImporterError
from . import crs as crs_

HELMERT7, PLANE4 = "helmert7", "plane4"
KINDS = {HELMERT7: gettext_noop("7-parameter Helmert"),
         PLANE4: gettext_noop("4-parameter plane transformation")}
CONVENTIONS = ("position_vector", "coordinate_frame")
# datum names (lower case, letters and digits only) that a ballpark ties to CGCS2000 well
NEAR_TARGET = ("china2000", "chinageodeticcoordinatesystem2000", "cgcs2000",
               "worldgeodeticsystem1984", "wgs1984", "wgs84", "internationalterrestrial",
               "itrf")
# ellipsoids that say which old Chinese datum a file means when its datum has its own name
OLD_ELLIPSOIDS = {(6378140.0, 298.257): "Xian 1980", (6378245.0, 298.3): "Beijing 1954"}
REFUSAL = gettext_noop(
    "%(crs)s → CGCS2000 has only a ballpark transformation (no datum shift, tens of "
    "metres off): give 7-parameter Helmert or 4-parameter plane parameters (--helmert "
    "tx,ty,tz,rx,ry,rz,s | --plane dx,dy,rot,scale; the upload's helmert / plane "
    "fields) or register them for the county")
# the same, when the survey's county is known and has none registered
REFUSAL_IN = gettext_noop(
    "%(crs)s → CGCS2000 has only a ballpark transformation (no datum shift, tens of "
    "metres off): give 7-parameter Helmert or 4-parameter plane parameters (--helmert "
    "tx,ty,tz,rx,ry,rz,s | --plane dx,dy,rot,scale; the upload's helmert / plane "
    "fields) or register them for the county (none is registered for %(county)s)")


@dataclass
class Parameters:
    """A parameter set from the file's datum to CGCS2000.

    helmert7: tx, ty, tz (m), rx, ry, rz (arc-seconds), s (ppm) between the geocentric
    frames, in the ``convention`` named (PROJ's position_vector, EPSG:9606, or
    coordinate_frame, EPSG:9607). plane4: dx, dy (m), rotation (arc-seconds), scale (ppm)
    as published, X northing and Y easting: N' = dx + (1+m)(N cos a - E sin a),
    E' = dy + (1+m)(N sin a + E cos a), in the plane of the file's Gauss-Krüger zone, the
    result in the CGCS2000 Gauss-Krüger projection of the same zone."""

    kind: str
    values: tuple[float, ...]
    convention: str = ""
    origin: str = "given"
    accuracy_m: float | None = None
    set_id: int | None = None

    def as_dict(self) -> dict:
        out = asdict(self) | {"values": list(self.values), "kind_label": KINDS[self.kind]}
        if self.set_id is not None:  # a registered set is named, its numbers are the office's
            del out["values"]
        return out


@dataclass
class Transformation:
    description: str
    accuracy_m: float | None  # None: PROJ (or the parameters' publisher) does not say
    ballpark: bool
    parameters: dict | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _numbers(text: str, count: int, option: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.replace(" ", "").split(","))
    except ValueError:
        values = ()
    if len(values) != count:
        raise ImporterError.of(gettext_noop("%(option)s %(text)r: expected %(count)s "
                                            "comma-separated numbers"),
                               option=option, text=text, count=count)
    return values


def given(helmert: str | None, plane: str | None, convention: str | None) -> Parameters | None:
    """The parameters typed by the user (--helmert / --plane), checked."""
    if helmert and plane:
        raise ImporterError.of(gettext_noop("--helmert and --plane: give one parameter set, "
                                            "not both"))
    if plane:
        return Parameters(PLANE4, _numbers(plane, 4, "--plane"))
    if not helmert:
        return None
    values = _numbers(helmert, 7, "--helmert")
    return Parameters(HELMERT7, values, check_convention(convention, values))


def check_convention(convention: str | None, values: tuple[float, ...]) -> str:
    """Rotations of a few arc-seconds move points by tens of metres: their sign convention
    is never guessed."""
    if convention and convention not in CONVENTIONS:
        raise ImporterError.of(gettext_noop("convention %(convention)r: expected %(known)s"),
                               convention=convention, known=" or ".join(CONVENTIONS))
    if not convention and any(values[3:6]):
        raise ImporterError.of(gettext_noop("--helmert with rotations needs --convention "
                                            "position_vector or coordinate_frame (the "
                                            "rotations' signs differ between the two)"))
    return convention or CONVENTIONS[0]


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower()).removeprefix("d")


def old_datum(crs: pyproj.CRS) -> str | None:
    """The datum's name when a ballpark to CGCS2000 is not good enough for it, else None."""
    name = crs.datum.name if crs.datum else ""
    if any(_key(name).startswith(near) for near in NEAR_TARGET):
        return None
    shape = crs.ellipsoid and (crs.ellipsoid.semi_major_metre,
                               round(crs.ellipsoid.inverse_flattening, 3))
    known = OLD_ELLIPSOIDS.get(shape)
    if known and not _key(name).startswith(("xian", "beijing")):
        return f"{name or crs.name} (on the {known} ellipsoid)"
    return name or crs.name


def _named(choice: crs_.Choice) -> str:
    return choice.label if choice.label == choice.crs.name else \
        f"{choice.label} ({choice.crs.name})"


def refusal(choice: crs_.Choice, county: str | None = None) -> ImporterError:
    """The refusal of a ballpark from an old datum; ``county``: the survey's, which has no
    parameters registered."""
    named = _named(choice)
    if choice.label == choice.crs.name:  # a WKT of its own: its name may say nothing
        named += f" (datum {old_datum(choice.crs)})"
    if county:
        return ImporterError.of(REFUSAL_IN, crs=named, county=county)
    return ImporterError.of(REFUSAL, crs=named)


def proj_choice(choice: crs_.Choice) -> tuple[Transformation, pyproj.Transformer | None]:
    """What PROJ would use without parameters; ballpark-only from an old datum is refused
    by the caller (``is_refused``)."""
    if crs_.is_target(choice.crs):
        if choice.crs.to_epsg(min_confidence=70) == crs_.TARGET:
            return Transformation("none: the file is in CGCS2000 (EPSG:4490)", 0.0, False), None
        return Transformation("none: WGS 84 longitude/latitude taken as CGCS2000 (they "
                              "differ by centimetres; PROJ has only a ballpark between "
                              "them)", None, True), None
    # one search (a second one, without ballparks, cost as much again: a second for UTM):
    # PROJ sorts the ballparks after every real transformation
    found = TransformerGroup(choice.crs, crs_.TARGET, always_xy=True).transformers
    if not found:
        raise ImporterError.of(gettext_noop("%(crs)s: PROJ knows no way to CGCS2000 "
                                            "(EPSG:4490)"), crs=_named(choice))
    best = found[0]
    if _is_ballpark(best):
        return Transformation(best.description, None, True), best
    accuracy = best.accuracy if best.accuracy is not None and best.accuracy >= 0 else None
    return Transformation(best.description, accuracy, False), best


def _is_ballpark(transformer: pyproj.Transformer) -> bool:
    """PROJ names its null datum shifts "Ballpark geographic offset" or "Ballpark
    geocentric translation"; pyproj has no flag for them."""
    steps = transformer.operations or ()
    return any(step.name.startswith("Ballpark") for step in steps) or \
        transformer.description.startswith("Ballpark")


def is_refused(choice: crs_.Choice, transformation: Transformation) -> bool:
    return transformation.ballpark and old_datum(choice.crs) is not None


def _ellipsoid(crs: pyproj.CRS) -> str:
    shape = crs.ellipsoid
    return f"+a={shape.semi_major_metre!r} +rf={shape.inverse_flattening!r}"


def proj_spec(crs: pyproj.CRS) -> dict:
    """The CRS's PROJ parameters: only its projection's are used (the datum, which PROJ
    warns a PROJ string loses, is never read from them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return crs.to_dict()


def _projection(crs: pyproj.CRS, ellipsoid: str) -> str:
    """The projection of ``crs`` as a pipeline step, on ``ellipsoid``."""
    spec = proj_spec(crs)
    drop = {"ellps", "a", "b", "rf", "f", "R", "towgs84", "datum", "nadgrids", "no_defs",
            "type", "units", "to_meter", "geoidgrids", "vunits"}
    if spec.get("units", "m") != "m" or "to_meter" in spec:
        raise ImporterError.of(gettext_noop("%(crs)s: parameters apply to coordinates in "
                                            "metres"), crs=crs.name)
    parts = [f"+{k}" if v is None else f"+{k}={v}" for k, v in spec.items() if k not in drop]
    return " ".join(parts) + " " + ellipsoid


def _helmert_pipeline(crs: pyproj.CRS, p: Parameters) -> str:
    old = _ellipsoid(crs)
    first = "+proj=unitconvert +xy_in=deg +xy_out=rad" if crs.is_geographic else \
        f"+inv {_projection(crs, old)}"
    tx, ty, tz, rx, ry, rz, s = p.values
    return (f"+proj=pipeline +step {first} +step +proj=cart {old} +step +proj=helmert "
            f"+x={tx!r} +y={ty!r} +z={tz!r} +rx={rx!r} +ry={ry!r} +rz={rz!r} +s={s!r} "
            f"+convention={p.convention} +step +inv +proj=cart +ellps=GRS80 "
            "+step +proj=unitconvert +xy_in=rad +xy_out=deg")


def _plane_pipeline(crs: pyproj.CRS, p: Parameters) -> str:
    if not crs.is_projected or proj_spec(crs).get("proj") != "tmerc":
        raise ImporterError.of(gettext_noop("--plane: the 4-parameter plane transformation "
                                            "works in the Gauss-Krüger plane of the file; "
                                            "%(crs)s is not one"), crs=crs.name)
    dx, dy, rotation, ppm = p.values
    # PROJ's 2D Helmert works in (east, north) and turns clockwise for a positive theta,
    # which is the published formula's rotation with X north and Y east
    return (f"+proj=pipeline +step +proj=helmert +x={dy!r} +y={dx!r} +theta={rotation!r} "
            f"+s={1 + ppm * 1e-6!r} +step +inv {_projection(crs, '+ellps=GRS80')} "
            "+step +proj=unitconvert +xy_in=rad +xy_out=deg")


def with_parameters(choice: crs_.Choice, p: Parameters
                    ) -> tuple[Transformation, pyproj.Transformer]:
    """The PROJ pipeline from the file's coordinates (east, north or lon, lat) to 4490."""
    build = _plane_pipeline if p.kind == PLANE4 else _helmert_pipeline
    try:
        transformer = pyproj.Transformer.from_pipeline(build(choice.crs, p))
    except pyproj.exceptions.ProjError as exc:
        raise ImporterError.of(gettext_noop("%(kind)s %(values)s: PROJ refuses it (%(error)s)"),
                               kind=Said(KINDS[p.kind]), values=str(list(p.values)),
                               error=str(exc)) from exc
    convention = f", {p.convention.replace('_', ' ')} convention" if p.kind == HELMERT7 else ""
    description = (f"{KINDS[p.kind]}{convention} from {_named(choice)} to CGCS2000, "
                   f"parameters {p.origin}")
    return Transformation(description, p.accuracy_m, False, p.as_dict()), transformer
