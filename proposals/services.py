"""The committee workflow: submitting a proposal and moving it through its states.

Each action names the states it starts from, the state it leads to and the roles
allowed to take it (the table in proposals.transitions; accounts.permissions answers
who may). A wrong role is Forbidden (HTTP 403), a wrong state or an unmet
precondition (too few expert opinions, consultation still open, no quorum, blocking
findings) is a Conflict (409), malformed input is BadRequest (400).
Every action re-runs the statutory checks (gazetteer.checks) and records the
transition. Publication takes a transaction-scoped advisory lock on the name's
uniqueness scope (class group + code range) and re-runs the checks under it, so
of two clashing proposals published at once exactly one gets the name.
"""

import math
from dataclasses import asdict, dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop, pgettext

from accounts import permissions
from accounts.roles import Role
from accounts.transitions import NEW
from boundaries.codes import parse_code
from boundaries.models import DivisionVersion
from boundaries.services import divisions_rekey, rekey_rows
from boundaries.temporal import today
from config.errors import BadRequest, Conflict, NotFound
from config.said import Said, in_chinese, in_language
from gazetteer import checks, where
from gazetteer import services as places
from gazetteer.models import HeritageCategory, Place, PlaceName, Status
from gazetteer.names import normalize, toneless

from .models import Comment, ExpertOpinion, Kind, Proposal, State, Transition, Vote
from .transitions import MACHINE

MIN_EXPERTS = getattr(settings, "PROPOSALS_MIN_EXPERTS", 3)
MIN_CONSULTATION_DAYS = getattr(settings, "PROPOSALS_MIN_CONSULTATION_DAYS", 10)
QUORUM = getattr(settings, "PROPOSALS_QUORUM", 2 / 3)  # share of members who must vote
MAJORITY = getattr(settings, "PROPOSALS_MAJORITY", 1 / 2)  # share of votes cast to approve
# What a page shows instead of a kind's, a status's or a category's code in a refusal.
KIND_LABELS = dict(Kind.choices)
STATUS_LABELS = dict(Status.choices)
CATEGORY_LABELS = dict(HeritageCategory.choices)


@transaction.atomic
def proposal_submit(*, actor, kind: str, place_class: str | None = None,
                    division_code: str | None = None, name: str = "",
                    place_id: int | None = None, geom: GEOSGeometry | None = None,
                    meaning: str = "", reason: str = "",
                    heritage_category: str = "") -> Proposal:
    permissions.require(actor, "proposal.submit")
    step = MACHINE.require("submit", NEW)
    if kind not in Kind.values:
        raise BadRequest.of(gettext_noop("kind %(kind)r: expected one of %(kinds)s"),
                            kind=kind, kinds=", ".join(Kind.values))
    if kind in HERITAGE:
        return _submit_heritage(actor=actor, kind=kind, place_id=place_id, reason=reason,
                                category=heritage_category, meaning=meaning, step=step)
    place = None
    if kind != Kind.NAMING:
        place = Place.objects.select_related("place_class").filter(id=place_id or 0).first()
        if place is None:
            raise _no_place(place_id, kind)
        cls = place.place_class
        division_code = division_code or _deepest_division(place)
    else:
        if not place_class or not division_code:
            raise BadRequest.of(gettext_noop(
                "class and division_code: a naming proposal needs both"))
        cls = places.class_get(place_class)
    division_code = parse_code(division_code)[0]  # stored in its 12-digit form
    if kind != Kind.CANCELLATION and not normalize(name):
        raise BadRequest.of(gettext_noop("name: the proposed name is empty"))
    if kind == Kind.RENAMING and not reason.strip():
        raise BadRequest.of(gettext_noop("reason: a renaming needs a reason (地名稳定性原则)"))
    if geom is not None and geom.srid != 4490:
        raise BadRequest.of(gettext_noop("geometry SRID %(srid)s: expected 4490 (CGCS2000)"),
                            srid=geom.srid)
    proposal = Proposal(kind=kind, name=normalize(name), pinyin=toneless(normalize(name)),
                        place_class=cls, division_code=division_code, place=place, geom=geom,
                        meaning=meaning, reason=reason, applicant=actor)
    proposal.findings = run_checks(proposal)
    proposal.save()
    Transition.objects.create(proposal=proposal, action="submit", from_state=NEW,
                              to_state=step.target, actor=actor)
    return proposal


HERITAGE = (Kind.HERITAGE_LIST, Kind.HERITAGE_DELIST)


def _no_place(place_id, kind: str) -> BadRequest:
    return BadRequest.of(gettext_noop("place_id %(place_id)r: a %(kind)s proposal needs an "
                                      "existing place"),
                         place_id=place_id, kind=kind, shown={"kind": KIND_LABELS[kind]})


def _place(place: Place) -> dict:
    return {"id": place.id, "name": place.name}


def _submit_heritage(*, actor, kind: str, place_id: int | None, reason: str, category: str,
                     meaning: str, step) -> Proposal:
    """A listing on (or delisting from) the 地名文化保护名录: filed by the office, then the
    committee's workflow like a naming; the place changes at publication."""
    permissions.require(actor, "proposal.submit_heritage")
    place = Place.objects.select_related("place_class").filter(id=place_id or 0).first()
    if place is None:
        raise _no_place(place_id, kind)
    if place.status != "standard":
        raise Conflict.of(gettext_noop("place %(id)s %(name)s is %(status)s: only a standard "
                                       "name goes on the heritage list"),
                          **_place(place), status=place.status,
                          shown={"status": STATUS_LABELS.get(place.status, place.status)})
    if kind == Kind.HERITAGE_LIST:
        _listable(place, category)
    else:
        category = ""
        if not place.heritage_category:
            raise Conflict.of(gettext_noop("place %(id)s %(name)s is not on the heritage list"),
                              **_place(place))
        if not reason.strip():
            raise BadRequest.of(gettext_noop(
                "reason: taking a name off the heritage list needs a reason"))
    proposal = Proposal.objects.create(
        kind=kind, place_class=place.place_class, division_code=_deepest_division(place),
        place=place, heritage_category=category, meaning=meaning, reason=reason,
        applicant=actor)
    Transition.objects.create(proposal=proposal, action="submit", from_state=NEW,
                              to_state=step.target, actor=actor)
    return proposal


def _listable(place: Place, category: str) -> None:
    if category not in HeritageCategory.values:
        raise BadRequest.of(gettext_noop("heritage_category %(category)r: expected one of "
                                         "%(categories)s"),
                            category=category, categories=", ".join(HeritageCategory.values))
    if place.heritage_category:
        listed = place.heritage_category
        raise Conflict.of(gettext_noop("place %(id)s %(name)s is already on the heritage list "
                                       "(%(category)s, since %(since)s)"),
                          **_place(place), category=listed, since=place.heritage_listed_on,
                          shown={"category": CATEGORY_LABELS.get(listed, listed)})


def _deepest_division(place: Place) -> str:
    row = place.divisions.order_by("-level", "division_code").first()
    if row is None:
        raise BadRequest.of(gettext_noop("place %(id)s %(name)s lies in no known division"),
                            **_place(place))
    return row.division_code


def run_checks(proposal: Proposal) -> list[dict]:
    """The statutory checks, and a warning for other open proposals wanting the name.

    The name is checked in every scope its geometry (or the place renamed) lies in,
    which must meet the declared division (gazetteer.checks); the scopes are kept on
    the proposal, for the clashes with other open proposals and for the lock."""
    if proposal.kind == Kind.CANCELLATION or proposal.kind in HERITAGE:
        return []
    result = checks.check_name(name=proposal.name, place_class=proposal.place_class,
                               division_code=proposal.division_code, place=proposal.place,
                               geom=proposal.geom)
    proposal.scopes = result.scopes
    return result.as_dict()["findings"] + pending_clashes(proposal)


OPEN = [State.SUBMITTED, State.ACCEPTED, State.EXPERT_REVIEW, State.CONSULTATION,
        State.COMMITTEE_REVIEW, State.APPROVED]


def pending_clashes(p: Proposal) -> list[dict]:
    """Open proposals for the same or a homophone name sharing a scope (one query)."""
    others = (Proposal.objects.filter(state__in=OPEN, place_class__group=p.place_class.group,
                                      scopes__overlap=p.scopes)
              .filter(Q(pinyin=p.pinyin) | Q(name=p.name)).exclude(id=p.id)
              .order_by("id").values("id", "name", "state")[:checks.MAX_EVIDENCE])
    return [_pending(p, o) for o in others]


PENDING = {
    True: gettext_noop("%(name)s: proposal %(id)s (%(state)s) asks for the same name "
                       "%(other)s; only one can be published"),
    False: gettext_noop("%(name)s: proposal %(id)s (%(state)s) asks for a homophone "
                        "%(other)s; only one can be published"),
}


def _pending(p: Proposal, o: dict) -> dict:
    finding = checks.Finding.said(
        "pending", checks.WARN, PENDING[o["name"] == p.name],
        {"name": p.name, "id": o["id"], "state": o["state"], "other": o["name"]},
        [{"id": o["id"], "name": o["name"], "state": o["state"]}])
    return asdict(finding)


def blocking(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["severity"] == checks.BLOCK]


@dataclass
class ActionIn:
    note: str = ""
    recommendation: str = ""
    opinion: str = ""
    choice: str = ""
    author: str = ""
    text: str = ""
    consultation_start: date | None = None
    consultation_end: date | None = None
    announcement_number: str = ""
    announcement_date: date | None = None


def _require(value, what: str):
    """The value, else BadRequest saying ``what`` (a field's name, or a Said)."""
    if not value or (isinstance(value, str) and not value.strip()):
        raise BadRequest.of(gettext_noop("%(what)s is required for this action"), what=what)
    return value


def _accept(p: Proposal, actor, data: ActionIn) -> str:
    return data.note


def _return(p: Proposal, actor, data: ActionIn) -> str:
    return _require(data.note, Said(gettext_noop("note (why it is returned)")))


def _opinion(p: Proposal, actor, data: ActionIn) -> str:
    if data.recommendation not in ("approve", "reject"):
        raise BadRequest.of(gettext_noop("recommendation: expected approve or reject"))
    if ExpertOpinion.objects.filter(proposal=p, expert=actor).exists():
        raise Conflict.of(gettext_noop("this expert has already given an opinion on the "
                                       "proposal"))
    ExpertOpinion.objects.create(proposal=p, expert=actor, recommendation=data.recommendation,
                                 opinion=_require(data.opinion, "opinion"))
    return f"{data.recommendation}: {data.opinion}"


def _extra_review(p: Proposal, actor, data: ActionIn) -> str:
    if p.place is None:
        raise Conflict.of(gettext_noop("an extra review concerns an existing place; this is a "
                                       "new naming"))
    places.review_record(place_id=p.place_id, reviewed_on=today(),
                         opinion=_require(data.opinion, "opinion"),
                         document_number=data.note)
    return data.opinion


def _open_consultation(p: Proposal, actor, data: ActionIn) -> str:
    given = p.opinions.count()
    if given < MIN_EXPERTS:
        raise Conflict.of(gettext_noop("%(given)d expert opinion(s) recorded; at least "
                                       "%(needed)d are needed"), given=given, needed=MIN_EXPERTS)
    start = _require(data.consultation_start, "consultation_start")
    end = _require(data.consultation_end, "consultation_end")
    if (end - start).days < MIN_CONSULTATION_DAYS:
        raise BadRequest.of(gettext_noop("consultation %(start)s – %(end)s: at least %(days)d "
                                         "days"), start=start, end=end, days=MIN_CONSULTATION_DAYS)
    p.consultation_start, p.consultation_end = start, end
    return f"{start} – {end}"


def _comment(p: Proposal, actor, data: ActionIn) -> str:
    if not p.consultation_start <= today() <= p.consultation_end:
        raise Conflict.of(gettext_noop("the consultation runs %(start)s – %(end)s"),
                          start=p.consultation_start, end=p.consultation_end)
    Comment.objects.create(proposal=p, author=_require(data.author, "author"),
                           text=_require(data.text, "text"), recorded_by=actor)
    return data.text


def _close_consultation(p: Proposal, actor, data: ActionIn) -> str:
    if today() < p.consultation_end:
        raise Conflict.of(gettext_noop("the consultation is open until %(end)s"),
                          end=p.consultation_end)
    return data.note


def _vote(p: Proposal, actor, data: ActionIn) -> str:
    if data.choice not in ("approve", "reject", "abstain"):
        raise BadRequest.of(gettext_noop("choice: expected approve, reject or abstain"))
    if Vote.objects.filter(proposal=p, member=actor).exists():
        raise Conflict.of(gettext_noop("this member has already voted on the proposal"))
    Vote.objects.create(proposal=p, member=actor, choice=data.choice)
    return data.choice


def committee_size() -> int:
    return Group.objects.filter(name__in=[Role.MEMBER, Role.CHAIR]).values(
        "user").distinct().exclude(user=None).count()


def _approve(p: Proposal, actor, data: ActionIn) -> str:
    votes = list(p.votes.values_list("choice", flat=True))
    needed = math.ceil(QUORUM * committee_size())
    if len(votes) < max(needed, 1):
        raise Conflict.of(gettext_noop("%(votes)d vote(s) cast; the quorum is %(needed)d"),
                          votes=len(votes), needed=needed)
    ayes = votes.count("approve")
    if ayes <= MAJORITY * len(votes):
        raise Conflict.of(gettext_noop("%(ayes)d of %(votes)d votes approve: no majority"),
                          ayes=ayes, votes=len(votes))
    p.findings = run_checks(p)
    _no_blocking(p)
    # the minutes' note, written in the registry's language like the report (whoever reads)
    tally = in_chinese(gettext, gettext_noop("%(ayes)d of %(votes)d votes approve"))
    return data.note or tally % {"ayes": ayes, "votes": len(votes)}


def _reject(p: Proposal, actor, data: ActionIn) -> str:
    return _require(data.note, Said(gettext_noop("note (the reasons for rejection)")))


def _no_blocking(p: Proposal) -> None:
    found = blocking(p.findings)
    if found:
        raise Conflict.of(gettext_noop("blocking findings: %(findings)s"),
                          findings="; ".join(f"{f['rule']}: {f['message']}" for f in found),
                          shown={"findings": _said_findings(found)})


def _say_findings(found: list[dict]) -> str:
    return pgettext("list separator", "; ").join(
        f"{f['rule']}: {in_language(f)}" for f in found)


# The findings said in the language of the page that shows the refusal
_said_findings = lazy(_say_findings, str)


def _publish(p: Proposal, actor, data: ActionIn) -> str:
    number = _require(data.announcement_number, "announcement_number")
    when = _require(data.announcement_date, "announcement_date")
    _lock_scope(p)
    p.findings = run_checks(p)  # under the lock: sees every name published before
    _no_blocking(p)
    if p.kind == Kind.NAMING:
        p.published_place = places.places_create(places=[places.NewPlace(
            name=p.name, place_class=p.place_class.code, geom=p.geom,
            division_codes=_filed_explicitly(p), valid_from=when,
            meaning=p.meaning, document_number=number)], actor=actor)[0]
    elif p.kind == Kind.RENAMING:
        p.published_place = places.place_rename(place_id=p.place_id, new_name=p.name,
                                                effective_date=when, document_number=number,
                                                reason=p.reason, actor=actor)
    elif p.kind == Kind.HERITAGE_LIST:
        p.published_place = places.place_heritage_list(
            place_id=p.place_id, category=p.heritage_category, effective_date=when,
            document_number=number, reason=p.reason, actor=actor)
    elif p.kind == Kind.HERITAGE_DELIST:
        p.published_place = places.place_heritage_delist(
            place_id=p.place_id, effective_date=when, document_number=number, reason=p.reason,
            actor=actor)
    else:
        p.published_place = places.place_cancel(place_id=p.place_id, effective_date=when,
                                                document_number=number, reason=p.reason,
                                                actor=actor)
    p.announcement_number, p.announcement_date = number, when
    return f"{number} ({when})"


def _filed_explicitly(p: Proposal) -> list[str]:
    """The place is filed where its geometry lies (gazetteer.services computes it); the
    declared division is added only where no polygon of its level says so (a township
    without a polygon, or no geometry at all)."""
    if p.geom is None:
        return [p.division_code]
    level = where.division_row(p.division_code)[1]
    lies_in = where.geometry_divisions(p.geom)
    return [] if any(row[1] == level for row in lies_in) else [p.division_code]


def _lock_scope(p: Proposal) -> None:
    """Serialise publications competing for names in a scope (class group + code prefix):
    every scope the name lies in, in one order, so that two locking overlapping sets of
    scopes wait for each other and never deadlock."""
    if p.kind == Kind.CANCELLATION or p.kind in HERITAGE:
        keys = [f"place:{p.place_id}"]
    else:
        cand = checks.candidate(name=p.name, place_class=p.place_class,
                                division_code=p.division_code, place=p.place, geom=p.geom)
        keys = sorted(f"{p.place_class.group}:{prefix}" for prefix in checks.scope_prefixes(cand))
    with connection.cursor() as cur:
        for key in keys:
            cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


# The handler of each action in the table (proposals.transitions): its preconditions
# and what it records besides the transition; it returns the transition's note.
HANDLERS = {
    "accept": _accept,
    "return": _return,
    "start_review": _accept,
    "opinion": _opinion,
    "extra_review": _extra_review,
    "open_consultation": _open_consultation,
    "comment": _comment,
    "close_consultation": _close_consultation,
    "vote": _vote,
    "approve": _approve,
    "reject": _reject,
    "publish": _publish,
}


@transaction.atomic
def proposal_act(*, proposal_id: int, actor, action: str, data: ActionIn) -> Proposal:
    if action not in HANDLERS:
        raise BadRequest.of(gettext_noop("action %(action)r: expected one of %(actions)s"),
                            action=action, actions=", ".join(HANDLERS))
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related(
        "place_class", "place").filter(id=proposal_id).first()
    if proposal is None:
        raise NotFound.of(gettext_noop("no proposal has the id %(id)s"), id=proposal_id)
    permissions.require(actor, f"proposal.{action}", proposal)
    step = MACHINE.require(action, proposal.state, proposal)
    note = HANDLERS[action](proposal, actor, data)
    if action != "publish":  # publish ran them under its lock, before the name was taken
        proposal.findings = run_checks(proposal)
    before = proposal.state
    proposal.state = step.target or before
    proposal.save()
    Transition.objects.create(proposal=proposal, action=action, from_state=before,
                              to_state=proposal.state, actor=actor, note=note or "")
    return proposal


def proposals_rekey(*, actor, progress=None) -> dict:
    """The homophone key of every proposal from the place-name reading table: open
    proposals competing for a name are found by it."""
    permissions.check_actor(actor)
    with transaction.atomic():
        return rekey_rows(Proposal.objects.only("id", "name", "pinyin"), ["pinyin"],
                          lambda p: {"pinyin": toneless(normalize(p.name))}, progress=progress)


class _Preview(Exception):
    """Raised to roll the preview's transaction back."""


def search_keys_rekey(*, actor, commit: bool, progress=None) -> dict:
    """Divisions, places and proposals re-keyed in one transaction, written with ``commit``
    and rolled back otherwise (a preview that counts what would change).
    ``progress(kind, total)`` gives a callable advanced by the rows done."""
    steps = [("divisions", DivisionVersion, divisions_rekey),
             ("places", Place, places.places_rekey),
             ("variants", PlaceName, places.place_names_rekey),
             ("proposals", Proposal, proposals_rekey)]
    report = {}
    try:
        with transaction.atomic():
            for kind, model, service in steps:
                tick = progress(kind, model.objects.count()) if progress else None
                report[kind] = service(actor=actor, progress=tick)
            if not commit:
                raise _Preview
    except _Preview:
        pass
    report["committed"] = commit
    return report
