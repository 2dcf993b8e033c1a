"""Public place-name API: search, records, history, signs, and the statutory pre-check."""

import json
from dataclasses import asdict
from datetime import date, datetime
from urllib.parse import urlencode

from django.http import HttpResponse
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema
from pydantic import Field

from accounts.auth import AUTH
from boundaries.geo import parse_bbox
from boundaries.names import normalize
from boundaries.temporal import today
from config.errors import BadRequest
from config.paging import page_in, paginate
from config.responses import cached_json
from config.said import in_chinese

from . import checks, export, feed, search, selectors, signs
from .geojson import geometry_in
from .models import PlaceClass, VariantKind
from .schemas import (
    ChangeFeedOut,
    HeritageListOut,
    NameCheckIn,
    NameCheckOut,
    PlaceClassOut,
    PlaceHistoryOut,
    PlaceOut,
    PlaceSearchOut,
    PlaceSignsOut,
    SignCheckedOut,
    SignIn,
    SignOut,
    SignPageOut,
    SignReplaceIn,
    SignStateIn,
)
from .services import class_get

router = Router(tags=["places"])


def variant_out(v) -> dict:
    return {"name": v.name, "kind": v.kind, "kind_label": in_chinese(v.get_kind_display),
            "valid_from": v.valid_from, "valid_to": v.valid_to}


def sign_out(s) -> dict:
    return {"code": s.code, "place_id": s.place_id, "kind": s.kind, "text": s.text,
            "romanization": s.romanization, "status": s.status,
            "installed_on": s.installed_on, "removed_on": s.removed_on,
            "replaces": s.replaces.code if s.replaces_id else None,
            "location": json.loads(s.location.geojson),
            "approved_name": s.place.name, "approved_romanization": s.approved_romanization,
            "shows_former_name": s.shows_former_name, "mismatch": s.mismatch,
            "states": [{"status": st.status, "on": st.on, "note": st.note,
                        "actor": st.actor.username, "recorded_at": st.recorded_at}
                       for st in s.history]}


@router.get("/places/classes", response=list[PlaceClassOut])
def place_classes(request):
    """The place classes (after GB/T 18521) with their generics and uniqueness scopes."""
    return list(PlaceClass.objects.all())


class AsOfParams(Schema):
    as_of: date | None = Field(None, description="YYYY-MM-DD: also the name borne then")


class PlaceFilterParams(Schema):
    class_: str | None = Field(None, alias="class", description="class code or slug")
    division: str | None = Field(None, description="code of a division the place lies in")
    as_of: date | None = Field(None, description="YYYY-MM-DD: places in force then")
    bbox: str | None = Field(None, description="minlon,minlat,maxlon,maxlat (CGCS2000)")
    status: str | None = Field(None, description="proposed|standard|historical")
    heritage: bool | None = Field(None, description="1: only places on the 地名文化保护名录, "
                                                    "0: only places not on it")

    def filters(self) -> search.Filters:
        return search.Filters(
            place_class=class_get(self.class_).id if self.class_ else None,
            division=self.division, as_of=self.as_of,
            bbox=parse_bbox(self.bbox) if self.bbox else None,
            status=search.status_or_none(self.status), heritage=self.heritage,
        )


class ExportParams(PlaceFilterParams):
    format: str = Field(..., description="geojson | gpkg | shp (zipped, with .cpg) | csv")


@router.get("/places/export")
def place_export(request, params: Query[ExportParams]):
    """Standard places as a file for QGIS/GDAL, in CGCS2000 (EPSG:4490)."""
    if params.format not in export.FORMATS:
        raise BadRequest.of(gettext_noop("format %(format)r: expected one of %(expected)s"),
                            format=params.format, expected=", ".join(export.FORMATS))
    content = export.write(params.format, export.export_rows(params.filters()))
    content_type, filename = export.FORMATS[params.format]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class PlaceSearchParams(PlaceFilterParams, page_in(limit=20, max_limit=100, max_offset=10_000)):
    q: str | None = Field(None, min_length=1, max_length=50,
                          description="name, traditional form, pinyin or initials")


@router.get("/places", response=PlaceSearchOut)
def place_search(request, params: Query[PlaceSearchParams]):
    """Standard names (unless ``status`` says otherwise); variants and former names match too."""
    # the date is in the key because "in force" means today
    return cached_json("places", (sorted(params.dict(by_alias=True).items()), today()),
                       PlaceSearchOut, lambda: _place_search(params))


def _place_search(params: PlaceSearchParams) -> dict:
    filters = params.filters()
    rows = search.search_places(params.q, filters, limit=params.limit, offset=params.offset)
    count = search.count_places(params.q, filters)
    ids = [r[0] for r in rows]
    places = selectors.place_summaries(ids)
    divisions = selectors.place_divisions(ids)
    then = selectors.names_on(ids, params.as_of) if params.as_of else {}
    items = [{
        "id": pid, "name": places[pid]["name"],
        "romanization": places[pid]["romanization_override"] or places[pid]["romanization"],
        "place_class": places[pid]["place_class__slug"],
        "class_name": places[pid]["place_class__name"], "status": places[pid]["status"],
        "valid_from": places[pid]["valid_from"], "valid_to": places[pid]["valid_to"],
        "match": search.MATCHES[tier], "matched_name": matched,
        "matched_kind": kind, "former": kind == VariantKind.FORMER,
        "name_on_date": then.get(pid, places[pid]["name"]) if params.as_of else None,
        "divisions": [d["name"] for d in divisions[pid] if d["level"] == 3],
    } for pid, kind, matched, tier in rows]
    return {"query": params.q, "normalized": normalize(params.q) if params.q else None,
            "count": count, "limit": params.limit, "offset": params.offset,
            "items": items}


class HeritageParams(PlaceFilterParams, page_in(limit=20, max_limit=100,
                                                max_offset=search.COUNT_LIMIT)):
    category: str | None = Field(None, description="千年古县|千年古镇|千年古村落|其他")


@router.get("/places/heritage", response=HeritageListOut)
def heritage_list(request, params: Query[HeritageParams]):
    """The 地名文化保护名录: standard places listed as name heritage, in id order; with
    ``as_of``, those listed on that date (the listing and delisting events decide)."""
    filters = params.filters()
    filters.heritage = True
    filters.heritage_category = search.heritage_category_or_none(params.category)
    filters.heritage_on = params.as_of
    rows = search.search_places(None, filters, limit=params.limit, offset=params.offset)
    source = (search.count_places(None, filters), [pid for pid, *_ in rows])
    return paginate(source, params.limit, params.offset,
                    lambda ids: _heritage_items(ids, params.as_of))


def _heritage_items(ids: list[int], as_of: date | None = None) -> list[dict]:
    places = selectors.place_summaries(ids)
    divisions = selectors.place_divisions(ids)
    if as_of:  # the listing in force then, not today's
        for pid, (category, since) in selectors.listings_on(ids, as_of).items():
            places[pid] |= {"heritage_category": category, "heritage_listed_on": since}
    return [{
        "id": pid, "name": places[pid]["name"],
        "romanization": places[pid]["romanization_override"] or places[pid]["romanization"],
        "place_class": places[pid]["place_class__slug"],
        "class_name": places[pid]["place_class__name"],
        "category": places[pid]["heritage_category"],
        "listed_on": places[pid]["heritage_listed_on"],
        "divisions": [d["name"] for d in divisions[pid] if d["level"] == 3],
    } for pid in ids]


@router.get("/places/{place_id}", response=PlaceOut)
def place_detail(request, place_id: int, when: Query[AsOfParams]):
    """The place as it is, and with ``as_of`` also the name it bore then."""
    p = selectors.place_get(place_id)
    name_then = None
    if when.as_of:
        name_then = selectors.names_on([p.id], when.as_of).get(p.id, p.name)
    heritage = ({"category": p.heritage_category, "listed_on": p.heritage_listed_on}
                if p.heritage_category else None)
    return {
        "id": p.id, "name": p.name, "name_on_date": name_then, "specific": p.specific,
        "generic": p.generic, "place_class": p.place_class, "romanization": p.display_romanization,
        "romanization_generated": p.romanization, "traditional": p.traditional,
        "meaning": p.meaning, "history": p.history, "status": p.status,
        "valid_from": p.valid_from, "valid_to": p.valid_to, "heritage": heritage,
        "geometry": selectors.place_geojson(p),
        "divisions": selectors.place_divisions([p.id])[p.id],
        "variants": [variant_out(v) for v in selectors.place_variants(p)],
    }


@router.get("/places/{place_id}/history", response=PlaceHistoryOut)
def place_history(request, place_id: int):
    """The naming events (命名、更名、销名、类别变更) in order, and the former names."""
    p = selectors.place_get(place_id)
    return {
        "id": p.id, "name": p.name, "history": p.history,
        "events": [{"id": e.id, "kind": e.kind, "kind_label": in_chinese(e.get_kind_display),
                    "old_value": e.old_value, "new_value": e.new_value,
                    "effective_date": e.effective_date, "document_number": e.document_number,
                    "reason": e.reason, "recorded_at": e.recorded_at}
                   for e in selectors.place_events(p)],
        "former_names": [variant_out(v) for v in selectors.place_variants(p)
                         if v.kind == VariantKind.FORMER],
    }


class SignHistoryParams(Schema):
    history: bool = Field(False, description="1: also the signs removed or replaced")


@router.get("/places/{place_id}/signs", response=PlaceSignsOut)
def place_signs(request, place_id: int, params: Query[SignHistoryParams]):
    """The place's signs with their states; a sign showing a former name or a wrong
    romanization is flagged. With ``history=1`` also the signs taken down."""
    p = selectors.place_get(place_id)
    return {"id": p.id, "name": p.name,
            "items": [sign_out(s) for s in selectors.place_signs(p, history=params.history)]}


def _new_sign(payload, location) -> signs.NewSign:
    return signs.NewSign(location=location, code=payload.code, text=payload.text,
                         romanization=payload.romanization, note=payload.note,
                         **({"kind": payload.kind} if payload.kind else {}))


def _checked(sign, findings) -> dict:
    return {"sign": sign_out(selectors.sign_get(sign.code)),
            "findings": [asdict(f) for f in findings]}


@router.post("/places/{place_id}/signs", response={201: SignCheckedOut}, auth=AUTH)
def sign_register(request, place_id: int, payload: SignIn):
    """Register a sign of the place (the office); the sign check's findings come back."""
    new = _new_sign(payload, geometry_in(payload.location, "location"))
    new.status, new.installed_on = payload.status, payload.installed_on
    sign, findings = signs.sign_register(place_id=place_id, sign=new, actor=request.auth)
    return 201, _checked(sign, findings)


@router.post("/signs/{code}/replace", response={201: SignCheckedOut}, auth=AUTH)
def sign_replace(request, code: str, payload: SignReplaceIn):
    """Replace the sign by a new one (by default the standard name where the old stood);
    the old one is removed that day and stays in the history."""
    old = selectors.sign_get(code)
    location = geometry_in(payload.location, "location") or old.location
    sign, findings = signs.sign_replace(code=code, sign=_new_sign(payload, location),
                                        installed_on=payload.installed_on, actor=request.auth)
    return 201, _checked(sign, findings)


@router.post("/signs/{code}/states", response=SignOut, auth=AUTH)
def sign_state(request, code: str, payload: SignStateIn):
    """Record the sign's state from a date (installed, damaged, removed)."""
    signs.sign_record_state(code=code, status=payload.status, on=payload.on,
                            note=payload.note, actor=request.auth)
    return sign_out(selectors.sign_get(code))


class SignParams(page_in(max_offset=1_000_000)):
    flag: str = Field(..., description="former_name: signs to replace after a renaming; "
                      "mismatch: text or romanization differs from the approved name")


@router.get("/signs", response=SignPageOut)
def sign_list(request, params: Query[SignParams]):
    """Signs needing work, for the office's replacement list."""
    listings = {"former_name": selectors.signs_showing_former_name,
                "mismatch": selectors.signs_mismatched}
    if params.flag not in listings:
        raise BadRequest.of(gettext_noop("flag %(flag)r: expected one of %(expected)s"),
                            flag=params.flag, expected=", ".join(listings))

    return paginate(listings[params.flag](), params.limit, params.offset,
                    lambda rows: map(sign_out, rows))


@router.post("/names/check", response=NameCheckOut)
def name_check(request, payload: NameCheckIn):
    """Anonymous pre-check of a proposed name against the statutory rules."""
    place = selectors.place_get(payload.place_id) if payload.place_id else None
    result = checks.check_name(name=payload.name, place_class=class_get(payload.place_class),
                               division_code=payload.division_code, place=place,
                               geom=geometry_in(payload.geometry))
    return result.as_dict()


class ChangeParams(Schema):
    since: datetime | None = Field(None, description="ISO timestamp: changes recorded after it")
    cursor: str | None = Field(None, max_length=200, description="next_cursor of the last page")
    limit: int = Field(100, ge=1, le=1000)


@router.get("/changes", response=ChangeFeedOut)
def change_feed(request, params: Query[ChangeParams]):
    """Published naming events and division changes in the order they were recorded."""
    items, cursor = feed.changes(params.since, params.cursor, params.limit)
    link = (f"{request.path}?{urlencode({'cursor': cursor, 'limit': params.limit})}"
            if cursor else None)
    return {"count": len(items), "next_cursor": cursor, "next": link, "items": items}
