"""The inspection workspace: lines due or overdue and the inspections one may read, an
inspection with its line and markers coloured by verdict, the survey upload with its
dry-run preview over the registered line before confirming, sign-off per side, the
hazard register, and the printable joint report (the same content as
GET /api/v1/inspections/{id}/report). Views parse the form, call the services and
selectors the API uses, and render; a refusal is the error page with its status."""

import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.auth import request_user
from config.errors import BadRequest, Forbidden, NotFound, form_refused
from config.said import in_language
from jobs.models import JobState
from jobs.selectors import job_get, job_page

from . import hazards, policies, reconciling, report, selectors, services
from .api import _saved, queued
from .models import HazardStatus, Severity, State

PRIVATE = "private, no-store"
# The buttons of the actions a caller may take on the inspection's page (uploads have
# their own form and page).
BUTTONS = {"start_survey": _("Start the survey"), "reconcile": _("Reconcile both surveys"),
           "sign_a": _("Sign for side A"), "sign_b": _("Sign for side B"),
           "archive": _("Archive")}

# A marker's verdict (inspections.judge), said in the page's language ({% translate %}).
VERDICTS = [gettext_noop("intact"), gettext_noop("displaced"), gettext_noop("missing"),
            gettext_noop("disputed"), gettext_noop("duplicate")]

# What a queued job does, as its page says.
JOB_KINDS = {"survey_upload": _("Reading the survey file"),
             reconciling.KIND: _("Reconciling both surveys")}

# A survey preview's words (importers.survey), said in the page's language likewise.
SURVEY_WORDS = [
    pgettext_lazy("survey finding", "error"), pgettext_lazy("survey finding", "warning"),
    pgettext_lazy("survey finding", "info"),
    pgettext_lazy("crs source", "declared"), pgettext_lazy("crs source", "detected"),
    pgettext_lazy("crs source", "given"),
    pgettext_lazy("geometry", "point"), pgettext_lazy("geometry", "line"),
    pgettext_lazy("geometry", "polygon"), pgettext_lazy("geometry", "collection"),
    pgettext_lazy("geometry", "none"),
]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Survey file (GeoPackage, Shapefile as .zip, GeoJSON, "
                                   "KML, KMZ, CSV, DXF)"))
    side = forms.ChoiceField(label=_("Side"), choices=[("A", "A"), ("B", "B")])
    crs = forms.CharField(label=_("CRS, if the file does not say (e.g. EPSG:4523)"),
                          required=False, max_length=100)
    encoding = forms.CharField(label=_("Encoding, if not detected (e.g. GBK)"),
                               required=False, max_length=40)
    phone_map = forms.BooleanField(label=_("Positions taken from a phone map app (checks "
                                           "the GCJ-02 shift)"), required=False)


SEVERITY_LABELS = {Severity.LOW: _("minor (一般)"), Severity.MEDIUM: _("serious (较大)"),
                   Severity.HIGH: _("grave (重大)")}
HAZARD_STATUS_LABELS = {HazardStatus.OPEN: _("open"), HazardStatus.MEDIATION: _("under mediation"),
                        HazardStatus.RESOLVED: _("resolved")}


class HazardForm(forms.Form):
    description = forms.CharField(label=_("What the hazard or dispute is"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(label=_("Severity"), choices=list(SEVERITY_LABELS.items()))
    lon = forms.FloatField(label=_("Longitude"), widget=forms.NumberInput(
        attrs={"step": "any", "data-pick": "lon"}))
    lat = forms.FloatField(label=_("Latitude"), widget=forms.NumberInput(
        attrs={"step": "any", "data-pick": "lat"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class HazardStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=list(HAZARD_STATUS_LABELS.items()))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


def _valid(form: forms.Form) -> dict:
    if not form.is_valid():
        raise form_refused(form)
    return form.cleaned_data


def _hazard_rows(user, hazards) -> list[dict]:
    """The hazards with their labels and whether the user may change their status."""
    return [{"h": report.hazard_out(h), "severity": SEVERITY_LABELS.get(h.severity),
             "status": HAZARD_STATUS_LABELS.get(h.status),
             "may_update": permissions.offered(user, "hazard.update", h.inspection),
             "form": HazardStatusForm(auto_id=f"id_hazard{h.id}_%s")} for h in hazards]


def _surveys(inspection, actions: list[str], sides: list[str]) -> list[dict]:
    """The inspection's uploads, and for the user's side's current ones the withdraw form."""
    withdraw = "withdraw_survey" in actions
    return [{"u": u, "may_withdraw": withdraw and u.side in sides and u.withdrawn_at is None}
            for u in inspection.uploads.all()]


def _private(response):
    response["Cache-Control"] = PRIVATE
    return response


@login_required
def inbox(request):
    permissions.require(request.user, "inspection.list")
    count, due = selectors.overdue_lines(limit=100)
    for row in due:
        if row["open_inspection"]:
            row["open_inspection"]["label"] = State(row["open_inspection"]["state"]).label
    return _private(render(request, "inspections/inbox.html", {
        "due": due, "due_count": count,
        "inspections": selectors.inspections(user=request.user)[:200]}))


@login_required
def inspection_page(request, inspection_id: int):
    inspection = selectors.inspection_for(request.user, inspection_id)
    actions = selectors.next_actions(request.user, inspection)
    sides = policies.sides_of(request.user, inspection)
    form = UploadForm(initial={"side": sides[0] if sides else "A"})
    return _private(render(request, "inspections/inspection.html", {
        "i": inspection, "r": report.report_data(inspection),
        "buttons": [(a, BUTTONS[a]) for a in actions if a in BUTTONS],
        "may_upload": "upload_survey" in actions, "form": form, "sides": sides,
        "surveys": _surveys(inspection, actions, sides),
        "hazards": _hazard_rows(request.user, inspection.hazards.all()),
        "hazard_form": HazardForm() if selectors.may_record_hazard(request.user, inspection)
        else None,
        "map": selectors.inspection_map(inspection)}))


@login_required
@require_POST
def inspection_action(request, inspection_id: int, action: str):
    selectors.inspection_for(request.user, inspection_id)
    kwargs = {"actor": request.user, "inspection_id": inspection_id,
              "note": request.POST.get("note", "")[:2000]}
    if action in reconciling.QUEUED:  # minutes for a large survey: the job's page follows it
        job = reconciling.QUEUED[action](**kwargs)
        return redirect("inspection-job", inspection_id=inspection_id, job_id=job.id)
    if action in ("sign_a", "sign_b"):
        action, kwargs["side"] = "sign", action[-1].upper()
    if action not in services.ACTIONS:
        raise NotFound.of(gettext_noop("no action %(action)r: expected one of %(known)s"),
                          action=action, known=", ".join(BUTTONS))
    services.ACTIONS[action](**kwargs)
    return redirect("inspection-page", inspection_id=inspection_id)


@login_required
@require_POST
def survey_upload(request, inspection_id: int):
    """Read the file as the API does (a dry run kept as a preview); a large one is queued
    and its progress shown until the preview is ready."""
    selectors.inspection_for(request.user, inspection_id)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        raise form_refused(form)
    file, data = form.cleaned_data["file"], form.cleaned_data
    options = {"actor": request.user, "inspection_id": inspection_id, "side": data["side"],
               "crs": data["crs"] or None, "encoding": data["encoding"] or None,
               "phone_map": data["phone_map"]}
    if (file.size or 0) > settings.SURVEY_INLINE_MAX_BYTES:
        job = queued(file, **options)
        return redirect("inspection-job", inspection_id=inspection_id, job_id=job.id)
    with tempfile.TemporaryDirectory(prefix="survey-") as tmp:
        upload = services.survey_upload(path=_saved(file, Path(tmp)), file_name=file.name,
                                        **options)
    return redirect("survey-preview", inspection_id=inspection_id, upload_id=upload.id)


def _job_result_url(inspection_id: int, job: dict) -> str | None:
    """Where a succeeded job's result is: the preview of the upload read, the inspection
    reconciled."""
    if job["state"] != JobState.SUCCEEDED or not job["result"]:
        return None
    # the job's own inspection, whatever the address it was asked under
    inspection_id = job["result"].get("inspection_id", inspection_id)
    if job["result"].get("upload_id"):
        return reverse("survey-preview", kwargs={"inspection_id": inspection_id,
                                                 "upload_id": job["result"]["upload_id"]})
    if job["kind"] == reconciling.KIND:
        return reverse("inspection-page", kwargs={"inspection_id": inspection_id})
    return None


@login_required
def job_progress(request, inspection_id: int, job_id: int):
    """A queued job's progress (a survey read, a reconciliation); the fragment polls itself
    (htmx) until the job is done, then sends the browser on to the result (HX-Redirect;
    a finished job's page redirects at once). A failed job shows why."""
    selectors.inspection_for(request.user, inspection_id)
    job = job_page(job_get(user=request.user, job_id=job_id))
    result_url = _job_result_url(inspection_id, job)
    if result_url and not request.htmx:
        return _private(redirect(result_url))
    template = ("inspections/job_progress.html" if request.htmx
                else "inspections/job.html")
    response = render(request, template, {
        "job": job, "inspection_id": inspection_id, "result_url": result_url,
        "what": JOB_KINDS.get(job["kind"], _("Background job"))})
    if result_url:
        response["HX-Redirect"] = result_url
    return _private(response)


@login_required
def survey_preview(request, inspection_id: int, upload_id: int):
    inspection = selectors.inspection_for(request.user, inspection_id)
    upload = selectors.upload_get(inspection_id, upload_id)
    actions = selectors.next_actions(request.user, inspection)
    may_confirm = ("confirm_survey" in actions and not upload.confirmed
                   and upload.withdrawn_at is None
                   and upload.side in policies.sides_of(request.user, inspection))
    # a corrected file may take the place of the side's confirmed survey instead
    replaceable = [u for u in inspection.uploads.all() if may_confirm
                   and "replace_survey" in actions and u.side == upload.side
                   and u.confirmed and u.withdrawn_at is None]
    return _private(render(request, "inspections/preview.html", {
        "i": inspection, "u": upload, "preview": selectors.upload_preview(upload),
        "findings": [f | {"text": in_language(f)} for f in upload.findings],
        "may_confirm": may_confirm, "replaceable": replaceable,
        "map": selectors.inspection_map(inspection, upload)}))


@login_required
@require_POST
def survey_confirm(request, inspection_id: int, upload_id: int):
    selectors.upload_get(inspection_id, upload_id)
    services.survey_confirm(actor=request.user, upload_id=upload_id,
                            note=request.POST.get("note", "")[:2000])
    return redirect("inspection-page", inspection_id=inspection_id)


@login_required
@require_POST
def survey_withdraw(request, inspection_id: int, upload_id: int):
    selectors.upload_get(inspection_id, upload_id)
    services.survey_withdraw(actor=request.user, upload_id=upload_id,
                             reason=request.POST.get("reason", "")[:2000])
    return redirect("inspection-page", inspection_id=inspection_id)


@login_required
@require_POST
def survey_replace(request, inspection_id: int, upload_id: int):
    """``upload_id``: the confirmed survey; the form names its replacement (a preview)."""
    selectors.upload_get(inspection_id, upload_id)
    try:
        replacement = int(request.POST.get("replacement_id", ""))
    except ValueError:
        raise BadRequest.of(gettext_noop("replacement_id: the id of the corrected file's "
                                         "upload")) from None
    services.survey_replace(actor=request.user, upload_id=upload_id,
                            replacement_id=replacement,
                            reason=request.POST.get("reason", "")[:2000])
    return redirect("inspection-page", inspection_id=inspection_id)


@login_required
@require_POST
def hazard_record(request, inspection_id: int):
    selectors.inspection_for(request.user, inspection_id)
    data = _valid(HazardForm(request.POST))
    hazards.hazard_record(actor=request.user, inspection_id=inspection_id,
                           location=(data["lon"], data["lat"]), severity=data["severity"],
                           description=data["description"], note=data["note"])
    return redirect("inspection-page", inspection_id=inspection_id)


@login_required
@require_POST
def hazard_status(request, hazard_id: int):
    hazard = selectors.hazard_for(request.user, hazard_id)
    data = _valid(HazardStatusForm(request.POST))
    hazards.hazard_update(actor=request.user, hazard_id=hazard_id, status=data["status"],
                           note=data["note"])
    if hazard.inspection_id and request.POST.get("back") == "inspection":
        return redirect("inspection-page", inspection_id=hazard.inspection_id)
    return redirect("hazard-register")


@login_required
def hazard_register(request):
    permissions.require(request.user, "inspection.list")
    status = request.GET.get("status") or None
    if status is not None and status not in HazardStatus.values:
        raise BadRequest.of(gettext_noop("status %(status)r: expected one of %(known)s"),
                            status=status, known=", ".join(HazardStatus.values))
    return _private(render(request, "inspections/hazards.html", {
        "hazards": _hazard_rows(request.user,
                                selectors.hazards(status=status, user=request.user)[:500]),
        "statuses": list(HAZARD_STATUS_LABELS.items()), "status": status}))


def report_page(request, inspection_id: int):
    # Reports are for the office, the committee staff and the two teams, like the API:
    # signed in, or with an API token.
    user = request_user(request)
    if user is None:
        raise PermissionDenied("sign in (or send an API token) to read inspection reports")
    try:
        inspection = selectors.inspection_for(user, inspection_id)
    except NotFound as exc:  # a page, not the API: Django's own 404
        raise Http404(in_language(exc.said())) from exc
    except Forbidden as exc:
        raise PermissionDenied(in_language(exc.said())) from exc
    data = report.report_data(inspection)
    return _private(render(request, "inspections/report.html", {"r": data}))
