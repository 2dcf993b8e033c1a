"""Writes of the gazetteer: each service is keyword-only and one transaction.

A name is never overwritten without trace: a renaming keeps the old name as a
former name (曾用名) with its period and appends a NamingEvent, which names its
actor (a user, or accounts.services.system_actor() for loaders); a cancellation
ends the place's period. The divisions a place lies in are recomputed from its
geometry in one statement for all the places written.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.utils.translation import gettext_noop

from accounts.permissions import check_actor
from boundaries.codes import parse_code
from boundaries.services import rekey_rows
from boundaries.temporal import today
from config.errors import BadRequest, Conflict
from config.responses import invalidate_on_commit
from config.said import Said, listed

from . import checks
from .models import (
    HeritageCategory,
    NamingEvent,
    NamingEventKind,
    Place,
    PlaceClass,
    PlaceDivision,
    PlaceName,
    RenamingReview,
    Status,
    VariantKind,
)
from .names import normalize, romanize, search_keys, split_name, traditional


@dataclass
class NewPlace:
    name: str
    place_class: str  # code or slug
    geom: GEOSGeometry | None = None
    division_codes: list[str] = field(default_factory=list)  # when there are no polygons
    status: str = Status.STANDARD
    valid_from: date | None = None
    meaning: str = ""
    history: str = ""
    heritage_category: str = ""
    heritage_listed_on: date | None = None
    document_number: str = ""
    romanization_override: str = ""
    # OpenCC's s2t cannot tell place characters apart (钟山 is 鍾山, not 鐘山): give it here.
    traditional: str = ""
    variants: list[tuple[str, str]] = field(default_factory=list)  # (kind, name)


def class_get(ref: str) -> PlaceClass:
    found = PlaceClass.objects.filter(code=ref).first() or PlaceClass.objects.filter(
        slug=ref).first()
    if found is None:
        raise BadRequest.of(gettext_noop(
            "class %(ref)r: no such place class (a code such as 2532 or a slug such as road, "
            "street, residential, township)"), ref=ref)
    return found


def name_fields(name: str, cls: PlaceClass) -> dict:
    """Everything a place derives from its name and class."""
    specific, generic = split_name(name, cls.generics)
    return {"name": name, "specific": specific, "generic": generic,
            "romanization": romanize(specific, generic, joined=cls.joined_romanization),
            "traditional": traditional(name), **search_keys(name)}


def _place_row(new: NewPlace, classes: dict[str, PlaceClass]) -> Place:
    name = normalize(new.name)
    if not name:
        raise BadRequest.of(gettext_noop("name %(name)r: empty once spaces are removed"),
                            name=new.name)
    if new.status not in Status.values:
        raise BadRequest.of(gettext_noop("%(name)s: status %(status)r: expected one of "
                                         "%(expected)s"),
                            name=name, status=new.status, expected=Status.values)
    if new.geom is not None and new.geom.srid != 4490:
        raise BadRequest.of(gettext_noop("%(name)s: geometry SRID %(srid)s: expected 4490 "
                                         "(CGCS2000)"), name=name, srid=new.geom.srid)
    cls = classes.get(new.place_class) or class_get(new.place_class)
    classes[new.place_class] = cls
    fields = name_fields(name, cls)
    if not fields["specific"]:
        raise BadRequest.of(gettext_noop("%(name)s: the name is only a generic; it needs a "
                                         "specific part"), name=name)
    return Place(place_class=cls, geom=new.geom, status=new.status, valid_from=new.valid_from,
                 meaning=new.meaning, history=new.history,
                 heritage_category=new.heritage_category,
                 heritage_listed_on=new.heritage_listed_on,
                 romanization_override=new.romanization_override,
                 **(fields | ({"traditional": new.traditional} if new.traditional else {})))


@transaction.atomic
def places_create(*, places: list[NewPlace], actor,
                  effective_date: date | None = None) -> list[Place]:
    """Create places with their naming events, variants and divisions."""
    invalidate_on_commit("places")  # search answers that miss or misname it
    check_actor(actor)
    classes: dict[str, PlaceClass] = {}
    rows = Place.objects.bulk_create([_place_row(new, classes) for new in places])
    NamingEvent.objects.bulk_create(
        NamingEvent(place=p, kind=NamingEventKind.NAMING, new_value=p.name,
                    effective_date=new.valid_from or effective_date or today(),
                    document_number=new.document_number, actor=actor)
        for p, new in zip(rows, places, strict=True)
    )
    NamingEvent.objects.bulk_create(
        NamingEvent(place=p, kind=NamingEventKind.LISTING, new_value=p.heritage_category,
                    effective_date=p.heritage_listed_on, document_number=new.document_number,
                    actor=actor)
        for p, new in zip(rows, places, strict=True) if p.heritage_category)
    PlaceName.objects.bulk_create(
        PlaceName(place=p, kind=kind, name=normalize(name), **search_keys(normalize(name)))
        for p, new in zip(rows, places, strict=True) for kind, name in new.variants
    )
    explicit = {(p.id, code) for p, new in zip(rows, places, strict=True)
                for code in new.division_codes}
    _add_explicit_divisions(explicit)
    place_compute_divisions(place_ids=[p.id for p in rows])
    return rows


def _add_explicit_divisions(pairs: set[tuple[int, str]]) -> None:
    if not pairs:
        return
    pairs = {(pid, parse_code(code)[0]) for pid, code in pairs}
    codes = {code for _, code in pairs}
    with connection.cursor() as cur:
        cur.execute("SELECT code, max(level) FROM boundaries_divisionversion WHERE code = ANY(%s)"
                    " AND valid_to IS NULL AND kind <> 'placeholder' GROUP BY code",
                    [sorted(codes)])
        levels = dict(cur.fetchall())
    missing = sorted(codes - levels.keys())
    if missing:
        raise BadRequest.of(gettext_noop("division_codes: no current division has the "
                                         "code(s) %(missing)s"), missing=missing)
    PlaceDivision.objects.bulk_create(
        PlaceDivision(place_id=pid, division_code=code, level=levels[code], computed=False)
        for pid, code in sorted(pairs)
    )


COMPUTE_SQL = """
WITH RECURSIVE hits AS (
    -- A street crossing a border lies in every division it crosses; one that only
    -- touches a border from outside does not lie in the division beyond it.
    SELECT p.id AS place_id, d.code, d.level
    FROM gazetteer_place p JOIN boundaries_divisionversion d
      ON d.geom && p.geom AND ST_Intersects(d.geom, p.geom) AND NOT ST_Touches(d.geom, p.geom)
    WHERE p.id = ANY(%(ids)s) AND d.valid_to IS NULL AND d.kind <> 'placeholder'
  UNION
    SELECT place_id, division_code, level FROM gazetteer_placedivision
    WHERE place_id = ANY(%(ids)s) AND NOT computed AND valid_to IS NULL
), up AS (
    SELECT place_id, code::text, level::int FROM hits
  UNION
    SELECT up.place_id, d.parent_code::text, d.level - 1
    FROM up JOIN boundaries_divisionversion d ON d.code = up.code AND d.level = up.level
    WHERE d.valid_to IS NULL AND d.parent_code IS NOT NULL
)
INSERT INTO gazetteer_placedivision (place_id, division_code, level, computed)
SELECT up.place_id, up.code, up.level, TRUE FROM up
JOIN boundaries_divisionversion d ON d.code = up.code AND d.level = up.level
  AND d.valid_to IS NULL AND d.kind <> 'placeholder'
ON CONFLICT (place_id, division_code, level) DO NOTHING
"""


@transaction.atomic
def place_compute_divisions(*, place_ids: list[int]) -> int:
    """Recompute the divisions (and their ancestors) the places lie in; returns rows written."""
    # ended references are history (a division change ended them): kept
    PlaceDivision.objects.filter(place_id__in=place_ids, computed=True,
                                 valid_to__isnull=True).delete()
    with connection.cursor() as cur:
        cur.execute(COMPUTE_SQL, {"ids": list(place_ids)})
        return cur.rowcount


def _locked(place_id: int) -> Place:
    place = Place.objects.select_for_update().select_related("place_class").filter(
        id=place_id).first()
    if place is None:
        raise BadRequest.of(gettext_noop("place %(id)s: no such place"), id=place_id)
    if place.status == Status.HISTORICAL:
        raise BadRequest.of(gettext_noop("place %(id)s %(name)s is cancelled; it cannot "
                                         "change"), id=place_id, name=place.name)
    return place


@transaction.atomic
def place_rename(*, place_id: int, new_name: str, effective_date: date,
                 document_number: str, reason: str, actor, force: bool = False) -> Place:
    """Rename after the statutory checks; the old name becomes a former name."""
    invalidate_on_commit("places")  # search answers that miss or misname it
    check_actor(actor)
    place = _locked(place_id)
    if not reason.strip():
        raise BadRequest.of(gettext_noop("reason: a renaming needs a reason (地名稳定性原则)"))
    # The name borne since its last naming (a heritage listing does not change it).
    last = place.events.filter(kind__in=[NamingEventKind.NAMING, NamingEventKind.RENAMING]
                               ).order_by("-effective_date", "-id").first()
    since = last.effective_date if last else place.valid_from
    if since and since >= effective_date:
        raise BadRequest.of(gettext_noop("effective_date %(date)s: not after the last change "
                                         "(%(since)s)"), date=effective_date, since=since)
    name = normalize(new_name)
    division = _scope_division(place)
    result = checks.check_name(name=name, place_class=place.place_class,
                               division_code=division, place=place, as_of=effective_date)
    blocking = [f for f in result.findings if f.severity == checks.BLOCK]
    if blocking and not force:
        raise BadRequest.of(gettext_noop("%(old)s → %(new)s: refused by the checks: "
                                         "%(findings)s"),
                            old=place.name, new=name, findings=_said_findings(blocking))
    PlaceName.objects.create(place=place, kind=VariantKind.FORMER, name=place.name,
                             valid_from=since, valid_to=effective_date,
                             **search_keys(place.name))
    NamingEvent.objects.create(place=place, kind=NamingEventKind.RENAMING, old_value=place.name,
                               new_value=name, effective_date=effective_date,
                               document_number=document_number, reason=reason, actor=actor)
    for key, value in name_fields(name, place.place_class).items():
        setattr(place, key, value)
    place.romanization_override = ""
    place.save()
    return place


def _said_findings(findings: list) -> Said:
    """"rule: message; rule: message", each finding said in the page's language."""
    return listed(Said(gettext_noop("%(rule)s: %(message)s"), rule=f.rule,
                       message=Said(f.template, **f.params) if f.template else f.message)
                  for f in findings)


def _scope_division(place: Place) -> str:
    """The deepest division the place lies in: the check engine widens it to the scope."""
    row = place.divisions.order_by("-level", "division_code").first()
    if row is None:
        raise BadRequest.of(gettext_noop("place %(id)s %(name)s lies in no known division"),
                            id=place.id, name=place.name)
    return row.division_code


@transaction.atomic
def place_cancel(*, place_id: int, effective_date: date, document_number: str,
                 reason: str, actor) -> Place:
    invalidate_on_commit("places")  # search answers that miss or misname it
    check_actor(actor)
    place = _locked(place_id)
    if place.valid_from and place.valid_from >= effective_date:
        raise BadRequest.of(gettext_noop("effective_date %(date)s: not after valid_from"),
                            date=effective_date)
    NamingEvent.objects.create(place=place, kind=NamingEventKind.CANCELLATION,
                               old_value=place.name, effective_date=effective_date,
                               document_number=document_number, reason=reason, actor=actor)
    place.status, place.valid_to = Status.HISTORICAL, effective_date
    place.save(update_fields=["status", "valid_to"])
    return place


@transaction.atomic
def place_reclass(*, place_id: int, new_class: str, effective_date: date,
                  document_number: str, reason: str, actor) -> Place:
    """Move a place to another class (自然村 → 行政村); its name must carry the new generic."""
    invalidate_on_commit("places")  # search answers that miss or misname it
    check_actor(actor)
    place = _locked(place_id)
    old_class, cls = place.place_class, class_get(new_class)
    if cls.id == old_class.id:
        raise BadRequest.of(gettext_noop("%(name)s is already of class %(class)s"),
                            name=place.name, **{"class": cls.slug})
    fields = name_fields(place.name, cls)
    if not fields["generic"]:
        raise BadRequest.of(gettext_noop("%(name)s has no generic of %(class)s (%(generics)s): "
                                         "rename it instead"),
                            name=place.name, generics="、".join(cls.generics),
                            **{"class": cls.name})
    NamingEvent.objects.create(place=place, kind=NamingEventKind.RECLASSING,
                               old_value=f"{old_class.code} {old_class.name}",
                               new_value=f"{cls.code} {cls.name}", effective_date=effective_date,
                               document_number=document_number, reason=reason, actor=actor)
    for key, value in fields.items():
        setattr(place, key, value)
    place.place_class = cls
    place.save()
    return place


@transaction.atomic
def place_add_variant(*, place_id: int, name: str, kind: str, valid_from: date | None = None,
                      valid_to: date | None = None) -> PlaceName:
    """Record an alias, abbreviation, colloquial or (historically known) former name."""
    invalidate_on_commit("places")  # search answers that miss or misname it
    place = _locked(place_id)
    if kind not in VariantKind.values:
        raise BadRequest.of(gettext_noop("kind %(kind)r: expected one of %(expected)s"),
                            kind=kind, expected=", ".join(VariantKind.values))
    name = normalize(name)
    if not name or name == place.name:
        raise BadRequest.of(gettext_noop("name %(name)r: a variant must differ from the "
                                         "standard name"), name=name)
    if valid_from and valid_to and valid_from >= valid_to:
        raise BadRequest.of(gettext_noop("valid_from %(valid_from)s is not before valid_to "
                                         "%(valid_to)s"), valid_from=valid_from, valid_to=valid_to)
    return PlaceName.objects.create(place=place, name=name, kind=kind, valid_from=valid_from,
                                    valid_to=valid_to, **search_keys(name))


@transaction.atomic
def review_record(*, place_id: int, reviewed_on: date, opinion: str,
                  document_number: str = "") -> RenamingReview:
    """The extra review that lets a heritage-listed or recently changed name be renamed."""
    if not opinion.strip():
        raise BadRequest.of(gettext_noop("opinion: the review must record its opinion"))
    place = _locked(place_id)
    return RenamingReview.objects.create(place=place, reviewed_on=reviewed_on, opinion=opinion,
                                         document_number=document_number)


@transaction.atomic
def place_heritage_list(*, place_id: int, category: str, effective_date: date,
                        document_number: str, reason: str, actor) -> Place:
    """Put the place on the 地名文化保护名录 from ``effective_date`` (an event records it)."""
    invalidate_on_commit("places")  # the heritage list and filters
    check_actor(actor)
    place = _locked(place_id)
    if category not in HeritageCategory.values:
        raise BadRequest.of(gettext_noop("heritage_category %(category)r: expected one of "
                                         "%(expected)s"),
                            category=category, expected=", ".join(HeritageCategory.values))
    if place.heritage_category:
        raise Conflict.of(gettext_noop("place %(id)s %(name)s is already on the heritage list "
                                       "(%(category)s, since %(since)s)"),
                          shown={"category": HeritageCategory(place.heritage_category).label},
                          id=place.id, name=place.name, category=place.heritage_category,
                          since=place.heritage_listed_on)
    NamingEvent.objects.create(place=place, kind=NamingEventKind.LISTING, new_value=category,
                               effective_date=effective_date, document_number=document_number,
                               reason=reason, actor=actor)
    place.heritage_category, place.heritage_listed_on = category, effective_date
    place.save(update_fields=["heritage_category", "heritage_listed_on"])
    return place


@transaction.atomic
def place_heritage_delist(*, place_id: int, effective_date: date, document_number: str,
                          reason: str, actor) -> Place:
    """Take the place off the 地名文化保护名录 from ``effective_date``; the listing stays in
    its history."""
    invalidate_on_commit("places")
    check_actor(actor)
    place = _locked(place_id)
    if not place.heritage_category:
        raise Conflict.of(gettext_noop("place %(id)s %(name)s is not on the heritage list"),
                          id=place.id, name=place.name)
    if effective_date <= place.heritage_listed_on:
        raise BadRequest.of(gettext_noop("effective_date %(date)s: not after the listing "
                                         "(%(since)s)"),
                            date=effective_date, since=place.heritage_listed_on)

    NamingEvent.objects.create(place=place, kind=NamingEventKind.DELISTING,
                               old_value=place.heritage_category, effective_date=effective_date,
                               document_number=document_number, reason=reason, actor=actor)
    place.heritage_category, place.heritage_listed_on = "", None
    place.save(update_fields=["heritage_category", "heritage_listed_on"])
    return place


def places_rekey(*, actor, progress=None) -> dict:
    """The generated romanization and search keys of every place from the place-name reading
    table (a committee's romanization_override stays as approved)."""
    check_actor(actor)
    fields = ["romanization", "pinyin", "initials", "grams"]

    def derive(place):
        return {"romanization": romanize(place.specific, place.generic,
                                         joined=place.place_class.joined_romanization),
                **search_keys(place.name)}

    with transaction.atomic():
        rows = Place.objects.select_related("place_class").only(
            "id", "name", "specific", "generic", "place_class__joined_romanization", *fields)
        report = rekey_rows(rows, fields, derive, progress=progress)
        if report["changed"]:
            invalidate_on_commit("places")
    return report


def place_names_rekey(*, actor, progress=None) -> dict:
    """The search keys of former names and variants from the place-name reading table.
    The rows are history: only these derived columns may change (the append-only trigger
    refuses any other rewrite, ops/migrations/0002_placename_search_keys.py)."""
    check_actor(actor)
    fields = ["pinyin", "initials", "grams"]
    with transaction.atomic():
        report = rekey_rows(PlaceName.objects.only("id", "name", *fields), fields,
                            lambda v: search_keys(v.name), progress=progress)
        if report["changed"]:
            invalidate_on_commit("places")
    return report
