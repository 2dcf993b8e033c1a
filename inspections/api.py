"""Joint inspections, their survey uploads, reports and the hazard register
(authenticated like the proposals: session or bearer token)."""

import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_noop
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from accounts import permissions
from accounts.auth import AUTH
from boundaries import selectors as boundaries_selectors
from boundaries.api import line_feature
from boundaries.schemas import LineLevelParam
from config import jobfiles
from config.errors import BadRequest, NotFound
from config.paging import page_in, paginate
from config.said import in_chinese
from jobs.schemas import JobOut
from jobs.selectors import job_out

from . import hazards, reconciling, report, selectors, services
from .models import HazardStatus, State
from .schemas import (
    BoundaryLineFeatureOut,
    HazardIn,
    HazardOut,
    HazardPageOut,
    HazardStatusIn,
    InspectionActionIn,
    InspectionDetailOut,
    InspectionIn,
    InspectionPageOut,
    InspectionReportOut,
    OverduePageOut,
    SurveyReplaceIn,
    SurveyUploadOut,
    SurveyWithdrawIn,
)

router = Router(tags=["inspections"], auth=AUTH)

SAFE_NAME = re.compile(r"[^\w.\-]+")



def _private(response: HttpResponse) -> None:
    # Inspections are not public: no shared cache may keep them.
    response["Cache-Control"] = "private, no-store"


def inspection_out(i) -> dict:
    data = {"id": i.id, "line": report.line_out(i), "round": i.round, "year": i.year,
            "due_date": i.due_date, "state": i.state,
            "state_label": in_chinese(i.get_state_display),
            "teams": {"A": i.team_a.name if i.team_a else None,
                      "B": i.team_b.name if i.team_b else None},
            "signatures": {"A": report._signature(i.signed_a_by, i.signed_a_at),
                           "B": report._signature(i.signed_b_by, i.signed_b_at)},
            "completed_on": i.completed_on}
    return data


def upload_out(u, preview: bool = False, replaced: dict | None = None) -> dict:
    """``replaced``: replacement id → the upload it superseded, for all the inspection's
    uploads when the caller has them (else one query)."""
    replaces = (replaced.get(u.id) if replaced is not None
                else selectors.replaced_upload(u.id))
    return {"id": u.id, "inspection_id": u.inspection_id, "side": u.side,
            "file_name": u.file_name, "format": u.format, "crs": u.crs,
            "crs_source": u.crs_source, "encoding": u.encoding,
            "transformation": u.transformation, "feature_count": u.feature_count,
            "findings": u.findings, "confirmed": u.confirmed, "status": u.status,
            "uploaded_by": u.uploaded_by.username if u.uploaded_by else None,
            "uploaded_at": u.uploaded_at, "confirmed_at": u.confirmed_at,
            "withdrawn_by": u.withdrawn_by.username if u.withdrawn_by else None,
            "withdrawn_at": u.withdrawn_at, "withdrawal_reason": u.withdrawal_reason,
            "replaced_by": u.replaced_by_id, "replaces": replaces,
            "preview": selectors.upload_preview(u) if preview else None}


def detail(user, inspection_id: int) -> dict:
    i = selectors.inspection_for(user, inspection_id)
    replaced = {u.replaced_by_id: u.id for u in i.uploads.all() if u.replaced_by_id}
    return inspection_out(i) | {
        "note": i.note, "reconciled_at": i.reconciled_at,
        "summary": (i.results or {}).get("summary"),
        "transitions": [{"action": t.action, "from_state": t.from_state,
                         "to_state": t.to_state,
                         "actor": t.actor.username if t.actor else None, "note": t.note,
                         "at": t.at} for t in i.transitions.all()],
        "uploads": [upload_out(u, replaced=replaced) for u in i.uploads.all()],
        "hazards": [report.hazard_out(h) for h in i.hazards.all()],
        "actions": selectors.next_actions(user, i),
    }


@router.post("/inspections", response={201: InspectionDetailOut})
def inspection_create(request, payload: InspectionIn):
    """Plan the next round (第N轮) of a line's joint inspection (the office)."""
    i = services.inspection_plan(actor=request.auth, line=payload.line_id,
              year=payload.year, team_a=payload.team_a, team_b=payload.team_b,
              round=payload.round, note=payload.note)
    return 201, detail(request.auth, i.id)


class InspectionFilter(page_in(limit=50, max_limit=500)):
    line: int | None = Field(None, description="a line version's id")
    state: str | None = Field(None, description="one of the workflow states")
    overdue: bool | None = Field(None, description="open and past its due date")


@router.get("/inspections", response=InspectionPageOut)
def inspection_list(request, response: HttpResponse, filters: Query[InspectionFilter]):
    if filters.state is not None and filters.state not in State.values:
        raise BadRequest.of(gettext_noop("state %(state)r: expected one of %(known)s"),
                            state=filters.state, known=", ".join(State.values))
    permissions.require(request.auth, "inspection.list")
    qs = selectors.inspections(filters.line, filters.state, filters.overdue, user=request.auth)
    _private(response)
    return paginate(qs, filters.limit, filters.offset, lambda rows: map(inspection_out, rows))


@router.get("/inspections/{inspection_id}", response=InspectionDetailOut)
def inspection_detail(request, response: HttpResponse, inspection_id: int):
    """The inspection with its transitions, uploads, hazards and the caller's next actions."""
    _private(response)
    return detail(request.auth, inspection_id)


def _safe_name(upload: UploadedFile) -> str:
    if upload.size is not None and upload.size > settings.MAX_UPLOAD_BYTES:
        raise BadRequest.of(gettext_noop("file: %(size)s bytes, more than %(most)s"),
                            size=upload.size, most=settings.MAX_UPLOAD_BYTES)
    # only the last part of the client's name, and nothing a shell or path would read
    return (SAFE_NAME.sub("_", Path(upload.name or "survey").name).lstrip(".") or "survey")[:120]


def queued(upload: UploadedFile, **options):
    """A large upload into the shared job-files storage (config.jobfiles), and its job."""
    name = jobfiles.save(upload, _safe_name(upload))
    try:
        return services.survey_upload_queue(file=name, file_name=upload.name, **options)
    except Exception:
        jobfiles.delete(name)  # refused: nobody will read it
        raise


def _saved(upload: UploadedFile, into: Path) -> Path:
    path = into / _safe_name(upload)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


@router.post("/inspections/{inspection_id}/surveys",
             response={201: SurveyUploadOut, 202: JobOut})
def survey_create(request, response: HttpResponse, inspection_id: int,
                  file: File[UploadedFile], side: Form[str],
                  crs: Form[str | None] = None, encoding: Form[str | None] = None,
                  repair: Form[bool] = False, helmert: Form[str | None] = None,
                  convention: Form[str | None] = None, plane: Form[str | None] = None,
                  params_from: Form[str | None] = None, phone_map: Form[bool] = False):
    """Upload one side's survey file (a member of that side's team): it is read, checked
    and kept as a preview; confirm it to make it part of the inspection. A file over
    SURVEY_INLINE_MAX_BYTES is read by the job worker: 202 with the job to follow at
    /api/v1/jobs/{id} (its result names the upload). A file in Xian 1980 or Beijing 1954
    needs ``helmert`` (tx,ty,tz,rx,ry,rz,s with ``convention``) or ``plane``
    (dx,dy,rot,scale) parameters, ``params_from`` a county, or parameters registered for the
    side's county; without them it is refused (400). ``phone_map``: the positions come from
    a consumer map app; the GCJ-02 shift is compared with how far the markers sit."""
    selectors.inspection_for(request.auth, inspection_id)
    options = {"actor": request.auth, "inspection_id": inspection_id, "side": side,
               "crs": crs or None, "encoding": encoding or None, "repair": repair,
               "helmert": helmert or None, "convention": convention or None,
               "plane": plane or None, "params_from": params_from or None,
               "phone_map": phone_map}
    if (file.size or 0) > settings.SURVEY_INLINE_MAX_BYTES:
        return job_answer(response, queued(file, **options))
    with tempfile.TemporaryDirectory(prefix="survey-") as tmp:
        upload = services.survey_upload(path=_saved(file, Path(tmp)), file_name=file.name,
                                        **options)
    return 201, upload_out(upload, preview=True)


@router.post("/inspections/{inspection_id}/surveys/{upload_id}/confirm",
             response=SurveyUploadOut)
def survey_confirm(request, inspection_id: int, upload_id: int, payload: InspectionActionIn):
    selectors.upload_get(inspection_id, upload_id)
    upload = services.survey_confirm(actor=request.auth, upload_id=upload_id,
                   note=payload.note)
    return upload_out(upload, preview=True)


@router.post("/inspections/{inspection_id}/surveys/{upload_id}/withdraw",
             response=SurveyUploadOut)
def survey_withdraw(request, inspection_id: int, upload_id: int, payload: SurveyWithdrawIn):
    """Withdraw a survey of your side (its team), until the inspection is accepted: it is
    kept, marked withdrawn with who, when and why, and no longer counts; a lone signature
    is voided. 409 once both sides have signed or when already withdrawn."""
    selectors.upload_get(inspection_id, upload_id)
    upload = services.survey_withdraw(actor=request.auth, upload_id=upload_id,
                                      reason=payload.reason)
    return upload_out(upload)


@router.post("/inspections/{inspection_id}/surveys/{upload_id}/replace",
             response=SurveyUploadOut)
def survey_replace(request, inspection_id: int, upload_id: int, payload: SurveyReplaceIn):
    """Replace a confirmed survey of your side by a corrected file uploaded as a preview
    (``replacement_id``): the replacement is confirmed, the old one superseded and linked to
    it, a lone signature voided. Answers the replacement."""
    selectors.upload_get(inspection_id, upload_id)
    upload = services.survey_replace(actor=request.auth, upload_id=upload_id,
                                     replacement_id=payload.replacement_id,
                                     reason=payload.reason)
    return upload_out(upload, preview=True)


@router.get("/inspections/{inspection_id}/report", response=InspectionReportOut)
def inspection_report(request, response: HttpResponse, inspection_id: int):
    """The joint report: markers, line deviations, side A against B, hazards, agreed
    changes, signatures (printable at /inspections/{id}/report)."""
    _private(response)
    return report.report_data(selectors.inspection_for(request.auth, inspection_id))


@router.get("/inspections/{inspection_id}/report.gpkg")
def inspection_report_gpkg(request, inspection_id: int):
    """The joint report as a GeoPackage: layers markers, surveyed_line, deviations and
    differences (EPSG:4490)."""
    body = report.report_gpkg(selectors.inspection_for(request.auth, inspection_id))
    response = HttpResponse(body, content_type="application/geopackage+sqlite3")
    response["Content-Disposition"] = f'attachment; filename="inspection-{inspection_id}.gpkg"'
    _private(response)
    return response


def job_answer(response: HttpResponse, job) -> tuple[int, dict]:
    """202 with a queued job, its address in Location (GET /api/v1/jobs/{id})."""
    response["Location"] = reverse("api:job_detail", kwargs={"job_id": job.id})
    return 202, job_out(job)


@router.post("/inspections/{inspection_id}/{action}",
             response={200: InspectionDetailOut, 202: JobOut})
def inspection_action(request, response: HttpResponse, inspection_id: int, action: str,
                      payload: InspectionActionIn):
    """start_survey, reconcile, sign (with side A or B) or archive: 403 for a wrong role
    or side, 409 out of order. ``reconcile`` runs in the job worker: 202 with the job
    (follow it at /api/v1/jobs/{id}, the Location); the inspection moves on when the job
    succeeds, and is left as it was when it fails (the job says why)."""
    selectors.inspection_get(inspection_id)
    known = [*services.ACTIONS, *reconciling.QUEUED]
    if action not in known:
        raise NotFound.of(gettext_noop("no action %(action)r: expected one of %(known)s"),
                          action=action, known=", ".join(known))
    kwargs = {"actor": request.auth, "inspection_id": inspection_id, "note": payload.note}
    if action in reconciling.QUEUED:
        return job_answer(response, reconciling.QUEUED[action](**kwargs))
    if action == "sign":
        kwargs["side"] = payload.side or ""
    services.ACTIONS[action](**kwargs)
    return 200, detail(request.auth, inspection_id)


@router.post("/hazards", response={201: HazardOut})
def hazard_create(request, payload: HazardIn):
    """Record a hazard or dispute (纠纷隐患) on a line or in an inspection."""
    hazard = hazards.hazard_record(actor=request.auth,
                   location=(payload.lon, payload.lat), description=payload.description,
                   severity=payload.severity, line_id=payload.line_id,
                   inspection_id=payload.inspection_id, note=payload.note)
    return 201, report.hazard_out(selectors.hazard_get(hazard.id))


class HazardFilter(Schema):
    line: int | None = None
    status: str | None = Field(None, description="open | mediation | resolved")


@router.get("/hazards", response=HazardPageOut)
def hazard_list(request, response: HttpResponse, filters: Query[HazardFilter]):
    if filters.status is not None and filters.status not in HazardStatus.values:
        raise BadRequest.of(gettext_noop("status %(status)r: expected one of %(known)s"),
                            status=filters.status, known=", ".join(HazardStatus.values))
    permissions.require(request.auth, "inspection.list")
    qs = selectors.hazards(filters.line, filters.status, user=request.auth)
    _private(response)
    return {"count": qs.count(), "items": [report.hazard_out(h) for h in qs]}


@router.get("/hazards/{hazard_id}", response=HazardOut)
def hazard_detail(request, response: HttpResponse, hazard_id: int):
    _private(response)
    return report.hazard_out(selectors.hazard_for(request.auth, hazard_id))


@router.post("/hazards/{hazard_id}/status", response=HazardOut)
def hazard_status(request, hazard_id: int, payload: HazardStatusIn):
    hazards.hazard_update(actor=request.auth, hazard_id=hazard_id,
          status=payload.status, note=payload.note)
    return report.hazard_out(selectors.hazard_get(hazard_id))


class OverdueFilter(page_in(limit=50, max_limit=500)):
    level: LineLevelParam | None = Field(None, description="only lines of this level")


@router.get("/boundaries/overdue", response=OverduePageOut, tags=["boundaries"])
def boundaries_overdue(request, response: HttpResponse, filters: Query[OverdueFilter]):
    """Lines in force not inspected for more than five years, or never, oldest due first."""
    permissions.require(request.auth, "inspection.list")
    level = int(filters.level) if filters.level is not None else None
    page = selectors.overdue_lines(level=level, limit=filters.limit, offset=filters.offset)
    _private(response)
    return paginate(page, filters.limit, filters.offset)


# After /boundaries/overdue, which the path pattern would otherwise take for a line id.
@router.get("/boundaries/{line_id}", response=BoundaryLineFeatureOut, tags=["boundaries"],
            auth=None)
def boundary_detail(request, line_id: int):
    """One line version as a GeoJSON Feature: sides, name, length, agreement, markers and
    the line's inspections over all its versions (public, like the rest of the line)."""
    line = boundaries_selectors.line_get(line_id)
    feature = line_feature(line)
    feature["properties"]["inspections"] = selectors.line_history(
        line.level, line.left_code, line.right_code)
    return feature
