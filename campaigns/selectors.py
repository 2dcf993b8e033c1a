"""Reads of campaigns: the office's only (checked like the writes, campaign.view)."""

import csv
import io

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_noop

from accounts import permissions
from config.errors import NotFound

from .models import Campaign, Finding, FindingState


def campaigns(*, user) -> QuerySet:
    permissions.require(user, "campaign.view")
    return Campaign.objects.select_related("job", "created_by")


def campaign_get(*, user, campaign_id: int) -> Campaign:
    found = campaigns(user=user).filter(id=campaign_id).first()
    if found is None:
        raise NotFound.of(gettext_noop("no campaign %(id)s"), id=campaign_id)
    return found


def findings(*, user, campaign_id: int, state: str = "", kind: str = "",
             severity: str = "", q: str = "", current: bool = False) -> QuerySet:
    """The work list, filtered; ``current``: only what the last run still found."""
    campaign = campaign_get(user=user, campaign_id=campaign_id)
    rows = Finding.objects.filter(campaign=campaign)
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    if severity:
        rows = rows.filter(severity=severity)
    if q:
        rows = rows.filter(Q(name__contains=q) | Q(division_code__startswith=q))
    if current:
        rows = rows.filter(last_run=campaign.runs)
    return rows.order_by("id")


def finding_get(*, user, finding_id: int) -> Finding:
    permissions.require(user, "campaign.view")
    found = Finding.objects.select_related("campaign").filter(id=finding_id).first()
    if found is None:
        raise NotFound.of(gettext_noop("no finding %(id)s"), id=finding_id)
    return found


def counts(campaign: Campaign) -> dict:
    """Findings by state and by kind, and the report's three figures."""
    rows = Finding.objects.filter(campaign=campaign)
    by_state = dict(rows.values_list("state").annotate(n=Count("id")))
    by_kind = dict(rows.values_list("kind").annotate(n=Count("id")))
    subjects = rows.values("subject", "place_id", "division_code", "sign_code")
    corrected = subjects.filter(state=FindingState.CORRECTED).distinct().count()
    return {"by_state": {s: by_state.get(s, 0) for s in FindingState.values},
            "by_kind": by_kind, "findings": sum(by_state.values()),
            "checked": campaign.last_run.get("checked", 0),
            "non_standard": subjects.distinct().count(), "corrected": corrected}


def report(*, user, campaign_id: int) -> dict:
    campaign = campaign_get(user=user, campaign_id=campaign_id)
    c = counts(campaign)
    return {"campaign": campaign.id, "title": campaign.title,
            "scope_code": campaign.scope_code, "classes": campaign.classes,
            "runs": campaign.runs, "last_run": campaign.last_run, **c,
            "summary": f"{c['checked']} names checked, {c['non_standard']} non-standard, "
                       f"{c['corrected']} corrected",
            "findings_list": [finding_row(f) for f in Finding.objects.filter(
                campaign=campaign).order_by("id")]}


def finding_row(f: Finding) -> dict:
    return {"id": f.id, "fingerprint": f.fingerprint, "kind": f.kind, "rule": f.rule,
            "severity": f.severity, "subject": f.subject, "place_id": f.place_id,
            "division_code": f.division_code, "sign_code": f.sign_code, "name": f.name,
            "place_class": f.place_class, "detail": f.detail, "evidence": f.evidence,
            "state": f.state, "proposal_id": f.proposal_id, "first_run": f.first_run,
            "last_run": f.last_run}


CSV_FIELDS = ["id", "kind", "rule", "severity", "subject", "place_id", "division_code",
              "sign_code", "name", "place_class", "detail", "state", "proposal_id",
              "fingerprint"]


def report_csv(data: dict) -> str:
    out = io.StringIO()
    out.write(f"# {data['title']}: {data['summary']}\n")
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(data["findings_list"])
    return out.getvalue()
