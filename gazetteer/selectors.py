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
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, NullIf, Upper
from django.utils.translation import gettext_noop

from boundaries.search import search_divisions
from boundaries.temporal import in_force_sql
from config.errors import NotFound

from . import search
from .models import NamingEvent, Place, PlaceName, Sign, SignState, SignStatus, VariantKind


def place_get(place_id: int) -> Place:
    place = Place.objects.select_related("place_class").filter(id=place_id).first()
    if place is None:
        raise NotFound.of(gettext_noop("no place has the id %(id)s"), id=place_id)
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


def _romanization_as_approved() -> Q:
    """The sign spells the approved romanization, as written or in capitals (signs may set
    the pinyin in capitals: ZHONGSHAN LU); the rule of gazetteer.signs.spells_approved."""
    return (Q(romanization=F("approved_romanization"))
            | Q(romanization=Upper(F("approved_romanization"))))


def _former_name_shown():
    return Exists(PlaceName.objects.filter(place=OuterRef("place"), kind=VariantKind.FORMER,
                                           name=OuterRef("text")))


def signs_with_flags(*, removed: bool = False) -> QuerySet:
    """Signs still standing (and with ``removed`` those taken down too), with
    ``shows_former_name`` and ``mismatch`` flags."""
    signs = Sign.objects.all() if removed else Sign.objects.exclude(status=SignStatus.REMOVED)
    return (
        signs.select_related("place", "replaces").prefetch_related(
            Prefetch("states", SignState.objects.select_related("actor").order_by(
                         F("on").asc(nulls_first=True), "id"),
                     to_attr="history"))
        .annotate(approved_romanization=_approved_romanization(),
                  shows_former_name=_former_name_shown())
        .annotate(mismatch=ExpressionWrapper(
            ~Q(text=F("place__name")) | ~_romanization_as_approved(),
            output_field=BooleanField()))
    )


def signs_showing_former_name() -> QuerySet:
    """Signs to replace: they show a name the place had before a renaming."""
    return signs_with_flags().filter(shows_former_name=True).order_by("code")


def signs_mismatched() -> QuerySet:
    """Signs whose text or romanization differs from the place's approved name."""
    return signs_with_flags().exclude(Q(text=F("place__name")) & _romanization_as_approved()
                                      ).order_by("code")


def place_signs(place: Place, *, history: bool = False) -> QuerySet:
    """The place's signs standing (with ``history`` every sign it ever had), each with its
    states in order."""
    return signs_with_flags(removed=history).filter(place=place).order_by("installed_on", "code")


def sign_get(code: str) -> Sign:
    found = signs_with_flags(removed=True).filter(code=code).first()
    if found is None:
        raise NotFound.of(gettext_noop("no sign has the code %(code)r"), code=code)

    return found


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


def suggestions(q: str, limit: int) -> dict:
    """As-you-type hits for the search box: divisions (retired names marked former, with
    what they became) and standard places, each list ranked by its own search."""
    divisions = search_divisions(q, level=None, parent=None, as_of=None, limit=limit)["items"]
    rows = search.search_places(q, search.Filters(), limit=limit, offset=0)
    ids = [pid for pid, *_ in rows]
    summaries, where = place_summaries(ids), place_divisions(ids)
    places = [{"id": pid, "name": summaries[pid]["name"],
               "class_name": summaries[pid]["place_class__name"],
               "former": kind == VariantKind.FORMER, "matched_name": matched,
               "county": next((d["name"] for d in where[pid] if d["level"] == 3), "")}
              for pid, kind, matched, _tier in rows]
    return {"divisions": divisions, "places": places}


LISTINGS_ON_SQL = """
SELECT DISTINCT ON (place_id) place_id, kind, new_value, effective_date
FROM gazetteer_namingevent
WHERE place_id = ANY(%(ids)s) AND kind IN ('listing', 'delisting')
  AND effective_date <= %(day)s
ORDER BY place_id, effective_date DESC, id DESC
"""


def listings_on(place_ids: list[int], day: date) -> dict[int, tuple[str, date]]:
    """(category, listed since) of the places on the heritage list on ``day`` (one query)."""
    if not place_ids:
        return {}
    with connection.cursor() as cur:
        cur.execute(LISTINGS_ON_SQL, {"ids": list(place_ids), "day": day})
        return {pid: (category, since) for pid, kind, category, since in cur.fetchall()
                if kind == "listing"}
