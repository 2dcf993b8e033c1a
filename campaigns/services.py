"""Writes of campaigns: create one, run it (in the worker, or at once), triage findings.

A run writes only the findings it has not seen in this campaign (by fingerprint); one
already triaged in any campaign is not raised again (counted as already_triaged). Every
triage is a Triage row (append-only); correcting goes through the gazetteer's services
(place_rename for a name, sign_replace for a sign), which write the place's history;
proposing opens a renaming proposal through proposals.services.proposal_submit.
"""

import hashlib
import time
from datetime import date

from django.db import transaction
from django.utils.translation import gettext_noop

from accounts import permissions
from boundaries.codes import code_prefix, parse_code
from boundaries.temporal import today
from config.errors import BadRequest, Conflict, NotFound
from gazetteer import services as places
from gazetteer import signs
from gazetteer.models import PlaceClass
from jobs import services as jobs
from proposals.services import proposal_submit

from . import clashes, engine
from .models import Campaign, CampaignState, Finding, FindingState, Triage, TriageAction

# What a page shows instead of a finding's state in a refusal
FINDING_STATES = dict(FindingState.choices)
KINDS = {"unique": None, "banned_pattern": "banned", "charset": "charset",
         "repeated_generic": "repeated_generic", "generic_fit": "mismatched_generic",
         "length": "length", "empty_specific": "empty_specific", "sign_text": "sign",
         "sign_romanization": "sign"}


def kind_of(hit: engine.Hit) -> str:
    if hit.finding.rule == "unique":
        matches = {e.get("match") for e in hit.finding.evidence}
        return "duplicate" if matches & {"same_name", "traditional_form"} else "homophone"
    return KINDS.get(hit.finding.rule, hit.finding.rule)


def fingerprint(hit: engine.Hit) -> str:
    """What the finding is about, so that the same data gives the same print in any run."""
    key = "|".join([hit.finding.rule, hit.subject, hit.subject_id, hit.name,
                    hit.finding.message])
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def campaign_create(*, actor, title: str, scope_code: str = "", classes: list[str] = (),
                    include_divisions: bool = False, include_signs: bool = True) -> Campaign:
    permissions.require(actor, "campaign.create")
    if not title.strip():
        raise BadRequest.of(gettext_noop("title: a campaign needs a title"))
    code, level = "", None
    if scope_code:
        code, level = parse_code(scope_code)
        code_prefix(code, level)  # refuses a code that names no prefix
    known = set(PlaceClass.objects.values_list("slug", flat=True))
    unknown = sorted(set(classes) - known)
    if unknown:
        raise BadRequest.of(gettext_noop("classes: no such place class %(unknown)s (known: "
                                         "%(known)s)"),
                            unknown=", ".join(unknown), known=", ".join(sorted(known)))
    return Campaign.objects.create(title=title.strip(), scope_code=code, scope_level=level,
                                   classes=sorted(set(classes)), created_by=actor,
                                   include_divisions=include_divisions,
                                   include_signs=include_signs)


def _locked(campaign_id: int) -> Campaign:
    found = Campaign.objects.select_for_update().filter(id=campaign_id).first()
    if found is None:
        raise _no_campaign(campaign_id)
    return found


def _no_campaign(campaign_id: int) -> NotFound:
    return NotFound.of(gettext_noop("no campaign %(id)s"), id=campaign_id)


@transaction.atomic
def campaign_start(*, campaign_id: int, actor) -> Campaign:
    """Queue a run in the background (jobs); its progress is the job's."""
    permissions.require(actor, "campaign.run")
    campaign = _locked(campaign_id)
    if campaign.state == CampaignState.RUNNING:
        raise Conflict.of(gettext_noop("campaign %(id)s is running (job %(job)s)"),
                          id=campaign.id, job=campaign.job_id)
    campaign.job = jobs.job_create(actor=actor, kind="campaign_run",
                                   params={"campaign_id": campaign.id})
    campaign.state = CampaignState.RUNNING
    campaign.save(update_fields=["job", "state"])
    return campaign


def _prefix(campaign: Campaign) -> str | None:
    if not campaign.scope_code:
        return None
    return code_prefix(campaign.scope_code, campaign.scope_level)[0]


def check_scope(campaign: Campaign, progress=None) -> tuple[int, list[engine.Hit]]:
    """Every finding of the engine over the campaign's scope: (names checked, hits)."""
    progress = progress or (lambda *a, **k: None)
    class_ids = list(PlaceClass.objects.filter(slug__in=campaign.classes)
                     .values_list("id", flat=True))
    prefix = _prefix(campaign)
    total = engine.read_scope(prefix=prefix, class_ids=class_ids)
    try:
        progress(0, total, "scope read")
        per_name = engine.PerName()
        hits, done = [], 0
        for rows in engine.chunks():
            hits += per_name.run(rows)
            done += len(rows)
            progress(done, total, f"per-name rules: {done} of {total}")
        hits += engine.banned(per_name)
        progress(done, total, "banned patterns")
        hits += clashes.unique_hits()
        progress(done, total, "duplicates and homophones")
        if campaign.include_signs:
            hits += clashes.sign_hits()
        checked = total
        if campaign.include_divisions:
            n, found = clashes.division_hits(prefix=prefix, per_name=per_name)
            checked, hits = checked + n, hits + found
    finally:
        engine.drop_scope()
    return checked, hits


def campaign_run(*, campaign_id: int, actor, progress=None) -> dict:
    """Run the checks now (the job's handler calls this); the run's counts."""
    permissions.require(actor, "campaign.run")
    campaign = Campaign.objects.filter(id=campaign_id).first()
    if campaign is None:
        raise _no_campaign(campaign_id)
    started = time.monotonic()
    try:
        checked, hits = check_scope(campaign, progress)
    except Exception:
        Campaign.objects.filter(id=campaign_id).update(state=CampaignState.FAILED)
        raise
    return _record(campaign_id, checked, hits, time.monotonic() - started)


@transaction.atomic
def _record(campaign_id: int, checked: int, hits: list, seconds: float) -> dict:
    campaign = _locked(campaign_id)
    run = campaign.runs + 1
    prints = {}
    for hit in hits:
        prints.setdefault(fingerprint(hit), hit)
    triaged = set(Finding.objects.filter(fingerprint__in=list(prints))
                  .exclude(campaign=campaign).exclude(state=FindingState.OPEN)
                  .values_list("fingerprint", flat=True))
    seen = set(Finding.objects.filter(campaign=campaign, fingerprint__in=list(prints))
               .values_list("fingerprint", flat=True))
    Finding.objects.filter(campaign=campaign, fingerprint__in=seen).update(last_run=run)
    new = [_finding(campaign, fp, hit, run) for fp, hit in prints.items()
           if fp not in seen and fp not in triaged]
    Finding.objects.bulk_create(new, batch_size=5000)
    subjects = {(h.subject, h.subject_id) for fp, h in prints.items() if fp not in triaged}
    stats = {"run": run, "checked": checked, "findings": len(prints) - len(triaged),
             "new": len(new), "already_triaged": len(triaged),
             "non_standard": len(subjects), "seconds": round(seconds, 3),
             "checks_per_second": round(checked / seconds, 1) if seconds else None,
             "finished_on": today().isoformat()}
    campaign.runs, campaign.last_run, campaign.state = run, stats, CampaignState.DONE
    campaign.save(update_fields=["runs", "last_run", "state"])
    return stats


def _finding(campaign, fp: str, hit: engine.Hit, run: int) -> Finding:
    f = hit.finding
    return Finding(campaign=campaign, fingerprint=fp, kind=kind_of(hit), rule=f.rule,
                   severity=f.severity, subject=hit.subject, place_id=hit.place_id,
                   division_code=hit.division_code, sign_code=hit.sign_code, name=hit.name,
                   place_class=hit.place_class, detail=f.message, template=f.template,
                   params=f.params, evidence=f.evidence,
                   first_run=run, last_run=run)


def _open_finding(finding_id: int) -> Finding:
    finding = Finding.objects.select_for_update().filter(id=finding_id).first()
    if finding is None:
        raise NotFound.of(gettext_noop("no finding %(id)s"), id=finding_id)
    if finding.state != FindingState.OPEN:
        raise Conflict.of(gettext_noop("finding %(id)s is already triaged (%(state)s)"),
                          id=finding.id, state=finding.state,
                          shown={"state": FINDING_STATES.get(finding.state, finding.state)})
    return finding


@transaction.atomic
def finding_triage(*, finding_id: int, actor, action: str, reason: str = "",
                   new_name: str = "", effective_date: date | None = None,
                   document_number: str = "") -> Finding:
    """Keep (a reason), correct the record (a new name, or a sign showing the record), or
    open a renaming proposal pre-filled with the finding."""
    permissions.require(actor, "campaign.triage")
    finding = _open_finding(finding_id)
    if action not in TriageAction.values:
        raise BadRequest.of(gettext_noop("action %(action)r: expected one of %(actions)s"),
                            action=action, actions=", ".join(TriageAction.values))
    proposal = None
    if action == TriageAction.KEEP:
        if not reason.strip():
            raise BadRequest.of(gettext_noop(
                "reason: keeping a non-standard name needs a reason"))
        to_state = FindingState.KEPT
    elif action == TriageAction.CORRECT:
        _correct(finding, actor, reason, new_name, effective_date, document_number)
        to_state = FindingState.CORRECTED
    else:
        proposal = _propose(finding, actor, reason, new_name)
        to_state = FindingState.PROPOSED
    Triage.objects.create(finding=finding, action=action, from_state=finding.state,
                          to_state=to_state, reason=reason.strip(), new_name=new_name.strip(),
                          proposal=proposal, actor=actor)
    finding.state, finding.proposal = to_state, proposal
    finding.save(update_fields=["state", "proposal"])
    return finding


def _correct(finding, actor, reason, new_name, effective_date, document_number) -> None:
    if finding.subject == "sign":
        # the sign is wrong, not the record: a new sign showing the standard name
        signs.sign_replace(code=finding.sign_code, installed_on=effective_date or today(),
                           actor=actor)
        return
    if finding.place_id is None:
        raise BadRequest.of(gettext_noop("finding %(id)s: a division's name is corrected by a "
                                         "division change (mergers), not here"), id=finding.id)
    if not new_name.strip():
        raise BadRequest.of(gettext_noop(
            "new_name: correcting the record needs the corrected name"))
    places.place_rename(place_id=finding.place_id, new_name=new_name,
                        effective_date=effective_date or today(),
                        document_number=document_number,
                        reason=reason.strip() or f"不规范地名清理整治: {finding.detail}",
                        actor=actor)


def _propose(finding, actor, reason, new_name):
    if finding.place_id is None:
        raise BadRequest.of(gettext_noop("finding %(id)s: only a place's name can be proposed "
                                         "for renaming"), id=finding.id)
    if not new_name.strip():
        raise BadRequest.of(gettext_noop(
            "new_name: a renaming proposal needs the proposed name"))
    prefilled = (f"不规范地名清理整治 (campaign {finding.campaign_id}, finding {finding.id}): "
                 f"{finding.detail}")
    return proposal_submit(actor=actor, kind="renaming", place_id=finding.place_id,
                           name=new_name, reason=(reason.strip() + "\n" + prefilled).strip())

