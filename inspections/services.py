"""The joint-inspection workflow: plan → survey → reconcile → sign (each side) → archive.

The steps are the table in inspections.transitions, and who may take them is answered
by accounts.permissions (inspections.policies): the office (clerk, admin) plans and
archives; each side's team is a Django group named when the inspection is planned, and
only its members upload, confirm and sign for that side. A wrong role is Forbidden
(HTTP 403), a step out of order a Conflict (409). Changing what was signed (a confirmed,
withdrawn or replaced survey, a new reconciliation that differs, a hazard recorded on the
inspection) voids a lone signature, and that is recorded. Every step has an actor: the
command line acts as the system actor (accounts.services.system_actor()).
"""

from datetime import date
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts import permissions
from accounts.transitions import NEW, Step
from boundaries.models import SHORT_LENGTHS, BoundaryLine, DivisionVersion
from boundaries.temporal import add_years, in_force, today
from config import jobfiles
from config.errors import BadRequest, Conflict, NotFound
from config.said import Said
from importers import survey
from importers.survey import checks, staging
from importers.survey.pipeline import STAGES
from jobs.models import Job
from jobs.services import job_create

from . import accept
from .models import (
    OPEN_STATES,
    Inspection,
    InspectionTransition,
    Side,
    State,
    SurveyUpload,
)
from .transitions import MACHINE

INTERVAL_YEARS = 5
SIGNED_BY = {Side.A: State.SIGNED_A, Side.B: State.SIGNED_B}


def _side(side: str) -> str:
    if side not in Side.values:
        raise BadRequest.of(gettext_noop("side %(side)r: expected A or B"), side=side)
    return side


def check_step(actor, inspection: Inspection | None, action: str,
               side: str | None = None) -> Step:
    """May the actor take the step now? Forbidden (403) for the wrong role or team, then
    Conflict (409) out of order: the permission and state part of every service."""
    permissions.require(actor, f"inspection.{action}", inspection, side=side)
    if inspection is None:
        return MACHINE.require(action, NEW)
    return MACHINE.require(action, inspection.state, inspection)


def inspection_locked(inspection_id: int, *, lock: bool = True) -> Inspection:
    qs = Inspection.objects.select_related("line")
    found = (qs.select_for_update(of=("self",)) if lock else qs).filter(pk=inspection_id).first()
    if found is None:
        raise NotFound.of(gettext_noop("no inspection %(id)s"), id=inspection_id)
    return found


def _move(inspection: Inspection, actor, action: str, to_state: str, note: str = "") -> None:
    InspectionTransition.objects.create(inspection=inspection, action=action,
                                        from_state=inspection.state, to_state=to_state,
                                        actor=actor, note=note)
    inspection.state = to_state


def results_changed(inspection: Inspection, actor, what: str, *, stale: bool) -> None:
    """Something that was (or is about to be) signed changed: a lone signature is void.
    ``stale``: the reconciliation no longer describes the surveys and must be re-run."""
    if inspection.state in (State.SIGNED_A, State.SIGNED_B):
        side = Side.A if inspection.state == State.SIGNED_A else Side.B
        _move(inspection, actor, "void_signature", State.RECONCILING,
              f"side {side}'s signature voided: {what}")
        inspection.signed_a_by = inspection.signed_a_at = None
        inspection.signed_b_by = inspection.signed_b_at = None
    if stale:
        inspection.results, inspection.reconciled_at = {}, None
    inspection.save()


def _group(value, name: str) -> Group:
    if isinstance(value, Group):
        return value
    found = Group.objects.filter(name=value).first()
    if found is None:
        raise BadRequest.of(gettext_noop("%(name)s %(value)r: no such group (a side's team is "
                                         "a Django group)"), name=name, value=value)
    return found


def last_completed(line: BoundaryLine) -> Inspection | None:
    """The latest completed inspection of the line, over all versions of the line."""
    return (Inspection.objects.filter(
        line__level=line.level, line__left_code=line.left_code, line__right_code=line.right_code,
        completed_on__isnull=False).order_by("-completed_on").first())


def _next_round(line: BoundaryLine, round: int | None) -> int:
    rounds = Inspection.objects.filter(line__level=line.level, line__left_code=line.left_code,
                                       line__right_code=line.right_code)
    highest = max(rounds.values_list("round", flat=True), default=0)
    if round is None:
        return highest + 1
    if round <= highest:
        raise Conflict.of(gettext_noop("round %(round)s: %(line)s already has round "
                                       "%(highest)s"), round=round, line=line.name,
                          highest=highest)
    return round


def _line_in_force(line) -> BoundaryLine:
    line = line if isinstance(line, BoundaryLine) else BoundaryLine.objects.filter(
        pk=line).first()
    if line is None:
        raise BadRequest.of(gettext_noop("line_id: no such border line"))
    if line.valid_to is not None:
        raise Conflict.of(gettext_noop("%(line)s (line %(id)s) ended on %(until)s: inspect "
                                       "the version in force"),
                          line=line.name, id=line.id, until=str(line.valid_to))
    return line


@transaction.atomic
def inspection_plan(*, actor, line, year: int, team_a, team_b, round: int | None = None,
                    note: str = "") -> Inspection:
    """Plan the next round on a line; due five years after the last completed one."""
    step = check_step(actor, None, "plan")
    line = _line_in_force(line)
    # Rounds count over all versions of the pair: one planner at a time per pair, so that of
    # two plans at once the second sees the first and is a Conflict, not a duplicate round.
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                    [f"inspection-plan:{line.level}:{line.left_code}:{line.right_code}"])
    team_a, team_b = _group(team_a, "team_a"), _group(team_b, "team_b")
    if team_a == team_b:
        raise BadRequest.of(gettext_noop("team_b: the two sides need two different teams"))
    if not 1950 <= year <= today().year + 10:
        raise BadRequest.of(gettext_noop("year %(year)s: not a plausible inspection year"),
                            year=year)
    if Inspection.objects.filter(line=line, state__in=OPEN_STATES).exists():
        raise Conflict.of(gettext_noop("%(line)s already has an inspection under way"),
                          line=line.name)
    last = last_completed(line)
    due = add_years(last.completed_on, INTERVAL_YEARS) if last else today()
    inspection = Inspection.objects.create(
        line=line, round=_next_round(line, round), year=year, due_date=due, team_a=team_a,
        team_b=team_b, note=note)
    InspectionTransition.objects.create(inspection=inspection, action="plan", from_state=NEW,
                                        to_state=step.target, actor=actor, note=note)
    return inspection


def _transition(inspection: Inspection, actor, action: str, to_state: str, note: str):
    _move(inspection, actor, action, to_state, note)
    inspection.save()


@transaction.atomic
def inspection_record_previous(*, actor, line, round: int, completed_on: date,
                               note: str = "") -> Inspection:
    """Record an earlier round done on paper (archived, no signatures in the registry)."""
    step = check_step(actor, None, "record_previous")
    line = _line_in_force(line)
    if completed_on > today():
        raise BadRequest.of(gettext_noop("completed_on %(date)s: in the future"),
                            date=str(completed_on))
    round = _next_round(line, round)
    inspection = Inspection(line=line, round=round, year=completed_on.year,
                            due_date=completed_on, state=step.target,
                            completed_on=completed_on, note=note)
    inspection.save()
    InspectionTransition.objects.create(inspection=inspection, action="record_previous",
                                        from_state=NEW, to_state=step.target, actor=actor,
                                        note=note)
    return inspection


@transaction.atomic
def inspection_start_survey(*, actor, inspection_id: int, note: str = "") -> Inspection:
    inspection = inspection_locked(inspection_id)
    step = check_step(actor, inspection, "start_survey")
    _transition(inspection, actor, "start_survey", step.target, note)
    return inspection


def _store_features(upload: SurveyUpload, number_property: str | None) -> int:
    """The staged features of the read (its temporary table lives until commit)."""
    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO inspections_surveyfeature (upload_id, idx, layer, number, geom,
                                                   properties)
            SELECT %(upload)s, idx, coalesce(layer, ''),
                   CASE WHEN ST_Dimension(geom) = 0
                        THEN coalesce(left(btrim(properties->>%(prop)s), 50), '') ELSE '' END,
                   geom, coalesce(properties::jsonb, '{{}}'::jsonb)
            FROM pg_temp.{staging.TEMP_TABLE}""",
                    {"upload": upload.id, "prop": number_property or ""})
        return cur.rowcount


def _side_division(line: BoundaryLine, side: str) -> str | None:
    """The side's division (short code) when it has a polygon: the reader then reports
    features far from it and can place Gauss-Krüger eastings given without zone prefix."""
    code = line.left_code if side == Side.A else line.right_code
    found = DivisionVersion.objects.filter(in_force(today()), code=code, level=line.level,
                                           geom__isnull=False).exists()
    return code[:SHORT_LENGTHS[line.level]] if found else None


@transaction.atomic
def survey_upload(*, actor, inspection_id: int, side: str, path: str | Path,
                  file_name: str | None = None, crs: str | None = None,
                  encoding: str | None = None, repair: bool = False,
                  report=None, **parameters) -> SurveyUpload:
    """Read one side's survey file (importers.survey) and keep it as a preview to confirm.
    Refused files raise importers.errors.ImporterError and nothing is kept.

    Reading a large file takes seconds to minutes: it runs before the inspection's row is
    locked (its staged features wait in a temporary table until this transaction ends), so
    a hazard or a signature on the same inspection is not held up; the step is checked
    again under the lock. ``parameters``: helmert, convention, plane, params_from (see
    importers.survey.run); the side's county's registered set is used otherwise."""
    inspection = inspection_locked(inspection_id, lock=False)
    check_step(actor, inspection, "upload_survey", _side(side))
    result = survey.run(path, crs=crs, encoding=encoding, repair=repair,
                        division=_side_division(inspection.line, side), report=report,
                        **parameters)
    inspection = inspection_locked(inspection_id)
    check_step(actor, inspection, "upload_survey", _side(side))
    upload = SurveyUpload.objects.create(
        inspection=inspection, side=side, file_name=(file_name or Path(path).name)[:255],
        format=result.format, crs=result.crs, crs_source=result.crs_source,
        encoding=result.encoding, transformation=result.transformation,
        findings=[f.as_dict() for f in result.findings],
        uploaded_by=actor)
    upload.feature_count = _store_features(upload, checks.number_property(result.features, None))
    upload.save(update_fields=["feature_count"])
    return upload


def survey_upload_queue(*, actor, inspection_id: int, side: str, file: str,
                        file_name: str, crs: str | None = None, encoding: str | None = None,
                        repair: bool = False, **parameters) -> Job:
    """A large survey file is read by the job worker (survey_upload_job): the step is
    checked now, so a caller who may not upload learns it at once, and again when read."""
    check_step(actor, inspection_locked(inspection_id, lock=False), "upload_survey", _side(side))
    return job_create(actor=actor, kind="survey_upload", params={
        "inspection_id": inspection_id, "side": side, "file": file,
        "file_name": file_name, "crs": crs, "encoding": encoding, "repair": repair,
        **{k: v for k, v in parameters.items() if v}})


def survey_upload_job(job, progress) -> dict:
    """The worker's side of survey_upload_queue: the upload's id and what the preview
    holds; the file is removed whatever the outcome."""
    params = job.params
    with jobfiles.job_input(params) as path:
        upload = survey_upload(
            actor=job.created_by, inspection_id=params["inspection_id"], side=params["side"],
            path=path, file_name=params["file_name"], crs=params["crs"],
            encoding=params["encoding"], repair=params["repair"],
            report=lambda stage, done: progress(done, len(STAGES), stage),
            **{k: params.get(k) for k in ("helmert", "convention", "plane", "params_from",
                                          "phone_map")})
    return {"upload_id": upload.id, "inspection_id": upload.inspection_id,
            "features": upload.feature_count, "format": upload.format, "crs": upload.crs,
            "transformation": upload.transformation,
            "findings": len(upload.findings)}


def _upload_locked(actor, upload_id: int, action: str) -> tuple[Inspection, SurveyUpload]:
    """The upload and its inspection, locked, for a step of the upload's side."""
    upload = SurveyUpload.objects.filter(pk=upload_id).first()
    if upload is None:
        raise NotFound.of(gettext_noop("no survey upload %(id)s"), id=upload_id)
    inspection = inspection_locked(upload.inspection_id)
    upload = SurveyUpload.objects.select_for_update().get(pk=upload_id)
    check_step(actor, inspection, action, upload.side)
    if upload.withdrawn_at is not None:
        how = (Said(gettext_noop("replaced by upload %(id)s"), id=upload.replaced_by_id)
               if upload.replaced_by_id else Said(gettext_noop("withdrawn")))
        raise Conflict.of(gettext_noop("survey upload %(id)s (%(file)s) was %(how)s on %(when)s "
                                       "by %(who)s"),
                          id=upload.id, file=upload.file_name, how=how,
                          when=f"{upload.withdrawn_at:%Y-%m-%d %H:%M}",
                          who=str(upload.withdrawn_by))
    return inspection, upload


def _confirm(upload: SurveyUpload, actor) -> None:
    if upload.confirmed:
        raise Conflict.of(gettext_noop("survey upload %(id)s is already confirmed"),
                          id=upload.id)
    errors = [f for f in upload.findings if f.get("severity") == "error"]
    if errors:
        raise Conflict.of(gettext_noop("survey upload %(id)s has %(n)d error finding(s) "
                                       "(first: %(first)s): correct the file and upload it "
                                       "again"),
                          id=upload.id, n=len(errors),
                          # a finding with its template is said again in the page's language
                          first=errors[0] if errors[0].get("template") else errors[0]["message"])
    upload.confirmed, upload.confirmed_by, upload.confirmed_at = True, actor, timezone.now()
    upload.save(update_fields=["confirmed", "confirmed_by", "confirmed_at"])


def _record(inspection: Inspection, actor, action: str, note: str) -> None:
    InspectionTransition.objects.create(inspection=inspection, action=action,
                                        from_state=inspection.state,
                                        to_state=inspection.state, actor=actor, note=note)


@transaction.atomic
def survey_confirm(*, actor, upload_id: int, note: str = "") -> SurveyUpload:
    """Make a previewed upload part of the inspection's surveys."""
    inspection, upload = _upload_locked(actor, upload_id, "confirm_survey")
    _confirm(upload, actor)
    what = f"survey {upload.file_name} of side {upload.side} confirmed"
    _record(inspection, actor, "confirm_survey", note or what)
    results_changed(inspection, actor, what, stale=True)
    return upload


@transaction.atomic
def survey_withdraw(*, actor, upload_id: int, reason: str) -> SurveyUpload:
    """The side takes its survey back until the inspection is accepted: the upload is kept,
    marked withdrawn (who, when, why), and no longer part of the surveys; a confirmed one
    makes the reconciliation stale and voids a lone signature."""
    reason = (reason or "").strip()
    if not reason:
        raise BadRequest.of(gettext_noop("reason: say why the survey is withdrawn"))
    inspection, upload = _upload_locked(actor, upload_id, "withdraw_survey")
    upload.withdrawn_by, upload.withdrawn_at = actor, timezone.now()
    upload.withdrawal_reason = reason
    upload.save(update_fields=["withdrawn_by", "withdrawn_at", "withdrawal_reason"])
    what = (f"survey {upload.file_name} (upload {upload.id}) of side {upload.side} "
            f"withdrawn: {reason}")
    _record(inspection, actor, "withdraw_survey", what)
    if upload.confirmed:
        results_changed(inspection, actor, what, stale=True)
    return upload


@transaction.atomic
def survey_replace(*, actor, upload_id: int, replacement_id: int,
                   reason: str = "") -> SurveyUpload:
    """A corrected file takes a confirmed survey's place: the replacement (a preview of the
    same side) is confirmed and the old upload superseded, linked to it. Like any change
    to what was signed, it voids a lone signature, whichever side gave it."""
    inspection, old = _upload_locked(actor, upload_id, "replace_survey")
    if not old.confirmed:
        raise Conflict.of(gettext_noop("survey upload %(id)s is a preview: confirm the new "
                                       "file instead, or withdraw this one"), id=old.id)
    new = SurveyUpload.objects.select_for_update().filter(
        pk=replacement_id, inspection=inspection).first()
    if new is None:
        raise BadRequest.of(gettext_noop("replacement_id %(id)s: no survey upload of "
                                         "inspection %(inspection)s"),
                            id=replacement_id, inspection=inspection.id)
    if new.side != old.side:
        raise BadRequest.of(gettext_noop("replacement_id %(id)s: an upload of side %(side)s; "
                                         "upload %(old)s is side %(old_side)s's"),
                            id=new.id, side=new.side, old=old.id, old_side=old.side)
    if new.withdrawn_at is not None:
        raise Conflict.of(gettext_noop("survey upload %(id)s was withdrawn: upload the file "
                                       "again"), id=new.id)
    _confirm(new, actor)
    reason = (reason or "").strip() or "corrected file"
    old.withdrawn_by, old.withdrawn_at = actor, timezone.now()
    old.withdrawal_reason, old.replaced_by = reason, new
    old.save(update_fields=["withdrawn_by", "withdrawn_at", "withdrawal_reason",
                            "replaced_by"])
    what = (f"survey {old.file_name} (upload {old.id}) of side {old.side} replaced by "
            f"{new.file_name} (upload {new.id}): {reason}")
    _record(inspection, actor, "replace_survey", what)
    results_changed(inspection, actor, what, stale=True)
    return new


@transaction.atomic
def inspection_sign(*, actor, inspection_id: int, side: str, note: str = "") -> Inspection:
    """One side signs the reconciled results; the second signature accepts them."""
    inspection = inspection_locked(inspection_id)
    action = f"sign_{_side(side).lower()}"
    try:
        step = check_step(actor, inspection, action)
    except Conflict:
        if inspection.state == SIGNED_BY[side]:
            raise Conflict.of(gettext_noop("sign: side %(side)s has already signed"),
                              side=side) from None
        raise
    now = timezone.now()
    if side == Side.A:
        inspection.signed_a_by, inspection.signed_a_at = actor, now
    else:
        inspection.signed_b_by, inspection.signed_b_at = actor, now
    if step.target != State.SIGNED:
        _transition(inspection, actor, action, step.target, note)
        return inspection
    inspection.completed_on = timezone.localdate(now)
    inspection.applied = accept.apply_results(inspection, inspection.completed_on, actor=actor)
    _transition(inspection, actor, action, step.target, note)
    return inspection


@transaction.atomic
def inspection_archive(*, actor, inspection_id: int, note: str = "") -> Inspection:
    inspection = inspection_locked(inspection_id)
    step = check_step(actor, inspection, "archive")
    _transition(inspection, actor, "archive", step.target, note)
    return inspection


# The steps taken at once; reconciling is queued (inspections.reconciling.QUEUED).
ACTIONS = {
    "start_survey": inspection_start_survey,
    "sign": inspection_sign,
    "archive": inspection_archive,
}
