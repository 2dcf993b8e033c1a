"""Reads of the gazetteer: places, their divisions, history and signs."""

import json
from datetime import date

from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, NullIf

from boundaries.temporal import in_force_sql
from config.errors import NotFound

from .models import NamingEvent, Place, PlaceName, Sign, SignStatus, VariantKind


def place_get(place_id: int) -> Place:
    place = Place.objects.select_related("place_class").filter(id=place_id).first()
    if place is None:
        raise NotFound(f"no place has the id {place_id}")
    return place


def place_summaries(ids: list[int]) -> dict[int, dict]:
    """What a search hit shows, as plain rows: building model instances (with their
    geometry) costs more than the search itself."""
    rows = Place.objects.filter(id__in=ids).values(
        "id", "name", "romanization", "romanization_override", "status", "valid_from",
        "valid_to", "place_class__slug", "place_class__name", "heritage_category",
        "heritage_listed_on")
    return {row["id"]: row for row in rows}


DIVISIONS_SQL = """
SELECT pd.place_id, pd.division_code, pd.level, d.name, d.kind, pd.computed
FROM gazetteer_placedivision pd
LEFT JOIN boundaries_divisionversion d ON d.code = pd.division_code AND d.level = pd.level
  AND d.valid_to IS NULL
WHERE pd.place_id = ANY(%s) AND pd.valid_to IS NULL
ORDER BY pd.place_id, pd.level, pd.division_code
"""


def place_divisions(place_ids: list[int]) -> dict[int, list[dict]]:
    """The divisions each place lies in, province first, in one query for the page."""
    found: dict[int, list[dict]] = {pid: [] for pid in place_ids}
    with connection.cursor() as cur:
        cur.execute(DIVISIONS_SQL, [list(place_ids)])
        for pid, code, level, name, kind, computed in cur.fetchall():
            found[pid].append({"code": code, "level": level, "name": name or "",
                               "kind": kind or "", "computed": computed})
    return found


def place_geojson(place: Place) -> dict | None:
    return json.loads(place.geom.geojson) if place.geom is not None else None


def place_variants(place: Place) -> QuerySet:
    return place.variants.order_by("kind", "valid_from", "name")


def place_events(place: Place) -> QuerySet:
    return NamingEvent.objects.filter(place=place).order_by("effective_date", "id")


def _approved_romanization():
    return Coalesce(NullIf(F("place__romanization_override"), Value("")),
                    F("place__romanization"))


def _former_name_shown():
    return Exists(PlaceName.objects.filter(place=OuterRef("place"), kind=VariantKind.FORMER,
                                           name=OuterRef("text")))


def signs_with_flags() -> QuerySet:
    """Signs still standing, with ``shows_former_name`` and ``mismatch`` flags."""
    return (
        Sign.objects.exclude(status=SignStatus.REMOVED)
        .select_related("place")
        .annotate(approved_romanization=_approved_romanization(),
                  shows_former_name=_former_name_shown())
        .annotate(mismatch=ExpressionWrapper(
            ~Q(text=F("place__name")) | ~Q(romanization=F("approved_romanization")),
            output_field=BooleanField()))
    )


def signs_showing_former_name() -> QuerySet:
    """Signs to replace: they show a name the place had before a renaming."""
    return signs_with_flags().filter(shows_former_name=True).order_by("code")


def signs_mismatched() -> QuerySet:
    """Signs whose text or romanization differs from the place's approved name."""
    return signs_with_flags().exclude(text=F("place__name"),
                                      romanization=F("approved_romanization")).order_by("code")


def place_signs(place: Place) -> QuerySet:
    return signs_with_flags().filter(place=place).order_by("code")


NAMES_ON_SQL = f"""
SELECT DISTINCT ON (place_id) place_id, name FROM gazetteer_placename
WHERE place_id = ANY(%(ids)s) AND kind = 'former'
  AND {in_force_sql(param="day")}
ORDER BY place_id, valid_to
"""


def names_on(place_ids: list[int], day: date) -> dict[int, str]:
    """The former name each place bore on ``day``, where it bore one (one query).

    A renaming ends the old name's period on its effective date, so the earliest
    former name still in force that day is the one borne.
    """
    if not place_ids:
        return {}
    with connection.cursor() as cur:
        cur.execute(NAMES_ON_SQL, {"ids": list(place_ids), "day": day})
        return dict(cur.fetchall())
