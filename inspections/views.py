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
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.auth import request_user
from config.errors import BadRequest, Forbidden, NotFound
from jobs.selectors import job_get, job_out

from . import policies, report, selectors, services
from .api import _saved, queued
from .models import HazardStatus

PRIVATE = "private, no-store"
# The buttons of the actions a caller may take on the inspection's page (uploads have
# their own form and page).
BUTTONS = {"start_survey": _("Start the survey"), "reconcile": _("Reconcile both surveys"),
           "sign_a": _("Sign for side A"), "sign_b": _("Sign for side B"),
           "archive": _("Archive")}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Survey file (GeoPackage, Shapefile as .zip, GeoJSON, "
                                   "KML, CSV, DXF)"))
    side = forms.ChoiceField(label=_("Side"), choices=[("A", "A"), ("B", "B")])
    crs = forms.CharField(label=_("CRS, if the file does not say (e.g. EPSG:4523)"),
                          required=False, max_length=100)
    encoding = forms.CharField(label=_("Encoding, if not detected (e.g. GBK)"),
                               required=False, max_length=40)


def _private(response):
    response["Cache-Control"] = PRIVATE
    return response


@login_required
def inbox(request):
    permissions.require(request.user, "inspection.list")
    count, due = selectors.overdue_lines(limit=100)
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
        "map": selectors.inspection_map(inspection)}))


@login_required
@require_POST
def inspection_action(request, inspection_id: int, action: str):
    selectors.inspection_for(request.user, inspection_id)
    kwargs = {"actor": request.user, "inspection_id": inspection_id,
              "note": request.POST.get("note", "")[:2000]}
    if action in ("sign_a", "sign_b"):
        action, kwargs["side"] = "sign", action[-1].upper()
    if action not in services.ACTIONS:
        raise NotFound(f"no action {action!r}: expected one of {', '.join(BUTTONS)}")
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
        raise BadRequest("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    file, data = form.cleaned_data["file"], form.cleaned_data
    options = {"actor": request.user, "inspection_id": inspection_id, "side": data["side"],
               "crs": data["crs"] or None, "encoding": data["encoding"] or None}
    if (file.size or 0) > settings.SURVEY_INLINE_MAX_BYTES:
        job = queued(file, **options)
        return redirect("inspection-job", inspection_id=inspection_id, job_id=job.id)
    with tempfile.TemporaryDirectory(prefix="survey-") as tmp:
        upload = services.survey_upload(path=_saved(file, Path(tmp)), file_name=file.name,
                                        **options)
    return redirect("survey-preview", inspection_id=inspection_id, upload_id=upload.id)


@login_required
def job_progress(request, inspection_id: int, job_id: int):
    """The queued reading's progress; the fragment polls itself (htmx) until it is done."""
    selectors.inspection_for(request.user, inspection_id)
    job = job_out(job_get(user=request.user, job_id=job_id))
    template = ("inspections/job_progress.html" if request.htmx
                else "inspections/job.html")
    return _private(render(request, template, {"job": job, "inspection_id": inspection_id}))


@login_required
def survey_preview(request, inspection_id: int, upload_id: int):
    inspection = selectors.inspection_for(request.user, inspection_id)
    upload = selectors.upload_get(inspection_id, upload_id)
    actions = selectors.next_actions(request.user, inspection)
    may_confirm = ("confirm_survey" in actions and not upload.confirmed
                   and upload.withdrawn_at is None
                   and upload.side in policies.sides_of(request.user, inspection))
    return _private(render(request, "inspections/preview.html", {
        "i": inspection, "u": upload, "preview": selectors.upload_preview(upload),
        "may_confirm": may_confirm, "map": selectors.inspection_map(inspection, upload)}))


@login_required
@require_POST
def survey_confirm(request, inspection_id: int, upload_id: int):
    selectors.upload_get(inspection_id, upload_id)
    services.survey_confirm(actor=request.user, upload_id=upload_id,
                            note=request.POST.get("note", "")[:2000])
    return redirect("inspection-page", inspection_id=inspection_id)


@login_required
def hazard_register(request):
    permissions.require(request.user, "inspection.list")
    status = request.GET.get("status") or None
    if status is not None and status not in HazardStatus.values:
        raise BadRequest(f"status {status!r}: expected one of {', '.join(HazardStatus.values)}")
    return _private(render(request, "inspections/hazards.html", {
        "hazards": [report.hazard_out(h) for h in
                    selectors.hazards(status=status, user=request.user)[:500]],
        "status": status}))


def report_page(request, inspection_id: int):
    # Reports are for the office, the committee staff and the two teams, like the API:
    # signed in, or with an API token.
    user = request_user(request)
    if user is None:
        raise PermissionDenied("sign in (or send an API token) to read inspection reports")
    try:
        inspection = selectors.inspection_for(user, inspection_id)
    except NotFound as exc:  # a page, not the API: Django's own 404
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    data = report.report_data(inspection)
    return _private(render(request, "inspections/report.html", {"r": data}))
