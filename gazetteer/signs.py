"""Writes of place-name signs (地名标志): registering, recording states, replacing.

What a sign shows is never edited: a new text is a new sign replacing the old one,
whose period ends that day (removed_on) with a ``removed`` state; the states are
SignState rows, append-only in the database. The sign check (sign_findings) runs on
every sign registered, and its findings are returned with it.
The office (clerk) writes (gazetteer.policies); anyone reads.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.gis.geos import Point
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_noop

from accounts import permissions
from boundaries.temporal import today
from config.errors import BadRequest, Conflict, NotFound

from .checks import BLOCK, Finding
from .models import Place, Sign, SignKind, SignState, SignStatus, Status
from .names import normalize

# Generics translated instead of spelt (Zhongshan Road for Zhongshan Lu), as signs show them.
ENGLISH_GENERICS = {"road", "street", "avenue", "lane", "alley", "bridge", "square", "park",
                    "village", "town", "district", "county", "city", "community", "garden"}


def spells_approved(romanization: str, approved: str) -> bool:
    """As approved, or all in capitals: a sign may set its pinyin in capitals (ZHONGSHAN LU),
    never in lower case or with the words run together."""
    return romanization in (approved, approved.upper())


def sign_findings(place, text: str, romanization: str) -> list[Finding]:
    """What a sign shows against the place's standard name and approved romanization."""
    found = []
    approved = place.display_romanization
    former = place.variants.filter(kind="former", name=text).order_by("-valid_to").first()
    if text != place.name:
        params = {"text": text, "standard": place.name}
        if former is not None:
            template = gettext_noop("the sign shows %(text)s, the former name (until "
                                    "%(until)s); the standard name is %(standard)s")
            params["until"] = str(former.valid_to)
        elif normalize(text) == place.name:
            template = gettext_noop("the sign shows %(text)s: write the standard form "
                                    "%(standard)s")
        else:
            template = gettext_noop("the sign shows %(text)s; the standard name is "
                                    "%(standard)s")
        found.append(Finding.said("sign_text", BLOCK, template, params,
                                  [{"text": text, "standard": place.name,
                                    "former": former is not None}]))
    if not spells_approved(romanization, approved):
        english = sorted({w for w in romanization.lower().split() if w in ENGLISH_GENERICS})
        params = {"romanization": romanization, "approved": approved}
        if english:
            template = gettext_noop("the sign translates the generic (%(english)s): "
                                    "%(romanization)s differs from the approved %(approved)s")
            params["english"] = ", ".join(english)
        else:
            template = gettext_noop("the sign's romanization %(romanization)s differs from "
                                    "the approved %(approved)s")
        found.append(Finding.said("sign_romanization", BLOCK, template, params,
                                  [{"romanization": romanization, "approved": approved}]))
    return found


@dataclass
class NewSign:
    location: Point
    code: str = ""  # generated from the place when empty
    text: str = ""  # the standard name when empty
    romanization: str = ""  # the approved romanization when empty
    kind: str = SignKind.STREET
    status: str = SignStatus.INSTALLED
    installed_on: date | None = None
    note: str = ""


def _point(location) -> Point:
    if not isinstance(location, Point):
        raise BadRequest.of(gettext_noop("location: a sign stands at a point, not a "
                                         "%(type)s"), type=location.geom_type)
    if location.srid != 4490:
        raise BadRequest.of(gettext_noop("location SRID %(srid)s: expected 4490 (CGCS2000)"),
                            srid=location.srid)
    return location


def _code(place: Place, given: str) -> str:
    code = given.strip()
    if not code:
        code = f"{place.id}-{place.signs.count() + 1:02d}"  # the place row is locked
    if Sign.objects.filter(code=code).exists():
        raise Conflict.of(gettext_noop("sign code %(code)r is taken"), code=code)
    return code


def _register(place: Place, new: NewSign, actor, replaces: Sign | None = None) -> Sign:
    if new.kind not in SignKind.values:
        raise BadRequest.of(gettext_noop("kind %(kind)r: expected one of %(expected)s"),
                            kind=new.kind, expected=", ".join(SignKind.values))
    if new.status not in (SignStatus.PLANNED, SignStatus.INSTALLED):
        raise BadRequest.of(gettext_noop("status %(status)r: a sign is registered planned or "
                                         "installed"), status=new.status)
    if new.status == SignStatus.INSTALLED and new.installed_on is None:
        raise BadRequest.of(gettext_noop("installed_on: an installed sign needs its "
                                         "installation date"))
    sign = Sign.objects.create(
        code=_code(place, new.code), place=place, kind=new.kind, location=_point(new.location),
        text=new.text.strip() or place.name,
        romanization=new.romanization.strip() or place.display_romanization,
        status=new.status, installed_on=new.installed_on, replaces=replaces)
    SignState.objects.create(sign=sign, status=new.status, on=new.installed_on or today(),
                             note=new.note, actor=actor)
    return sign


def _place_for_signs(place_id: int) -> Place:
    place = Place.objects.select_for_update().filter(id=place_id).first()
    if place is None:
        raise NotFound.of(gettext_noop("no place has the id %(id)s"), id=place_id)
    if place.status != Status.STANDARD:
        raise Conflict.of(gettext_noop("place %(id)s %(name)s is %(status)s: only a standard "
                                       "name gets a sign"),
                          shown={"status": Status(place.status).label},
                          id=place.id, name=place.name, status=str(place.status))
    return place


@transaction.atomic
def sign_register(*, place_id: int, sign: NewSign, actor) -> tuple[Sign, list[Finding]]:
    """Register a sign of a place; returns it with the sign check's findings."""
    permissions.require(actor, "sign.register")
    place = _place_for_signs(place_id)
    created = _register(place, sign, actor)
    return created, sign_findings(place, created.text, created.romanization)


def _locked_sign(code: str) -> Sign:
    sign = Sign.objects.select_for_update().filter(code=code).first()
    if sign is None:
        raise NotFound.of(gettext_noop("no sign has the code %(code)r"), code=code)
    if sign.status == SignStatus.REMOVED:
        raise Conflict.of(gettext_noop("sign %(code)s was removed on %(on)s; it has no more "
                                       "states"), code=code, on=sign.removed_on)
    return sign


def _append_state(sign: Sign, status: str, on: date, note: str, actor) -> SignState:
    last = sign.states.order_by(F("on").desc(nulls_last=True), "-id").first()
    if last is not None and last.on is not None and on < last.on:
        raise BadRequest.of(gettext_noop("on %(on)s: sign %(code)s's last state (%(status)s) is "
                                         "from %(since)s; a state cannot begin before it"),
                            shown={"status": SignStatus(last.status).label}, on=on,
                            code=sign.code, status=str(last.status), since=last.on)
    state = SignState.objects.create(sign=sign, status=status, on=on, note=note, actor=actor)
    sign.status = status
    fields = ["status"]
    if status == SignStatus.REMOVED:
        sign.removed_on, fields = on, fields + ["removed_on"]
    if status == SignStatus.INSTALLED and sign.installed_on is None:
        sign.installed_on, fields = on, fields + ["installed_on"]
    sign.save(update_fields=fields)
    return state


@transaction.atomic
def sign_record_state(*, code: str, status: str, on: date, actor, note: str = "") -> Sign:
    """A survey of the sign: installed, damaged or removed from ``on``."""
    permissions.require(actor, "sign.record_state")
    if status not in SignStatus.values or status == SignStatus.PLANNED:
        raise BadRequest.of(gettext_noop("status %(status)r: expected installed, damaged or "
                                         "removed"), status=status)
    sign = _locked_sign(code)
    _append_state(sign, status, on, note, actor)
    return sign


@transaction.atomic
def sign_replace(*, code: str, sign: NewSign | None = None, installed_on: date,
                 actor) -> tuple[Sign, list[Finding]]:
    """A new sign (by default the standard name, where the old one stood) replaces the old
    one, which is removed that day; both stay in the history."""
    permissions.require(actor, "sign.replace")
    old = _locked_sign(code)
    place = _place_for_signs(old.place_id)
    new = sign or NewSign(location=old.location)
    new.installed_on, new.status = installed_on, SignStatus.INSTALLED
    new.kind = new.kind if sign else old.kind
    note = new.note or f"replaced by a new sign on {installed_on}"
    _append_state(old, SignStatus.REMOVED, installed_on, note, actor)
    created = _register(place, new, actor, replaces=old)
    return created, sign_findings(place, created.text, created.romanization)


@transaction.atomic
def signs_create(*, signs: list[dict], actor) -> list[Sign]:
    """Signs in bulk (loaders, the demo) as {code, place_id, location, text?, romanization?,
    kind?, status?, installed_on?}; each gets its first state. No check runs: the lists
    (gazetteer.selectors) flag what is wrong."""
    permissions.check_actor(actor)
    places = Place.objects.in_bulk({s["place_id"] for s in signs})
    rows = []
    for s in signs:
        place = places.get(s["place_id"])
        if place is None:
            raise BadRequest.of(gettext_noop("sign %(code)s: place %(id)s does not exist"),
                                code=s["code"], id=s["place_id"])

        rows.append(Sign(code=s["code"], place=place, location=s["location"],
                         kind=s.get("kind", SignKind.STREET), text=s.get("text") or place.name,
                         romanization=s.get("romanization") or place.display_romanization,
                         status=s.get("status", SignStatus.INSTALLED),
                         installed_on=s.get("installed_on")))
    created = Sign.objects.bulk_create(rows)
    SignState.objects.bulk_create(
        SignState(sign=row, status=row.status, on=row.installed_on, actor=actor)
        for row in created)
    return created
