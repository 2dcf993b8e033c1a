"""The marker workspace: a line's boundary markers on the map with the form that registers
one (a click on the map sets its position, or type the coordinates), and a marker's page
with its states over time and the forms that record a new state or move it. The writes
are boundaries.services' (the same as POST /api/v1/markers, …/states, …/move), for the
place-name office (boundaries.policies); the views parse the form and call them. An htmx
form shows a refusal next to itself; without JavaScript it is the error page."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts import permissions
from boundaries import selectors as boundaries_selectors
from boundaries import services as boundaries_services
from boundaries.models import MarkerStatus, MarkerType
from boundaries.temporal import today
from config.errors import BadRequest, form_refused

from . import selectors, services

PRIVATE = "private, no-store"
# The registry's labels are Chinese; the page's language says them.
TYPE_LABELS = {MarkerType.SINGLE: _("single (单立)"), MarkerType.PAIRED: _("paired (同号双立)"),
               MarkerType.TRIPLE: _("triple, at a junction (同号三立)")}
STATUS_LABELS = {
    MarkerStatus.INTACT: _("intact"), MarkerStatus.DAMAGED: _("damaged"),
    MarkerStatus.MISSING: _("missing"), MarkerStatus.DISPLACED: _("displaced"),
    MarkerStatus.NEWLY_SET: _("newly set"), MarkerStatus.RESTORED: _("restored"),
    MarkerStatus.RELOCATED: _("relocated"), MarkerStatus.HISTORICAL: _("historical")}
# A state form offers what one records by hand: a move has its own form, "historical"
# follows from a division change.
RECORDABLE = [MarkerStatus.INTACT, MarkerStatus.DAMAGED, MarkerStatus.MISSING,
              MarkerStatus.DISPLACED, MarkerStatus.RESTORED]
# ISO: a browser's date input takes no other format (the localized one shows empty)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


LON, LAT = _("Longitude (or easting)"), _("Latitude (or northing)")


def _coordinate(axis: str, label, required: bool = True) -> forms.FloatField:
    """A coordinate the map's click fills (workspace.js: data-pick)."""
    return forms.FloatField(label=label, required=required,
                            widget=forms.NumberInput(attrs={"step": "any", "data-pick": axis}))


def _crs():
    return forms.IntegerField(label=_("EPSG code of the coordinates (4490: CGCS2000 "
                                      "lon/lat; 4523: Gauss-Krüger zone 35)"),
                              initial=4490, min_value=1)


class RegisterForm(forms.Form):
    number = forms.CharField(label=_("Number (the line's two characters and a sequence, "
                                     "e.g. 钟水05)"), max_length=20)
    type = forms.ChoiceField(label=_("Type"), choices=list(TYPE_LABELS.items()))
    also_on = forms.CharField(label=_("Also on lines (ids, comma-separated; for a paired "
                                      "or junction marker)"), required=False, max_length=60)
    lon, lat, crs = _coordinate("lon", LON), _coordinate("lat", LAT), _crs()
    material = forms.CharField(label=_("Material"), required=False, max_length=50)
    installed = forms.DateField(label=_("Installed on"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def extra_lines(self) -> list[int]:
        raw = self.cleaned_data["also_on"].replace("，", ",")
        try:
            return [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise BadRequest.of(gettext_noop("also_on %(raw)r: expected line ids, e.g. 12, 15"),
                                raw=raw) from None


class StateForm(forms.Form):
    status = forms.ChoiceField(label=_("New state"),
                               choices=[(s, STATUS_LABELS[s]) for s in RECORDABLE])
    on = forms.DateField(label=_("Since"), widget=DATE)
    lon = _coordinate("lon", _("Where it was found, if displaced: longitude"), False)
    lat = _coordinate("lat", _("Where it was found, if displaced: latitude"), False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class MoveForm(forms.Form):
    lon, lat, crs = _coordinate("lon", LON), _coordinate("lat", LAT), _crs()
    on = forms.DateField(label=_("Moved on"), widget=DATE)
    reason = forms.CharField(label=_("Reason (both sides' agreement)"), max_length=2000)


class PlanForm(forms.Form):
    """The next round of a line's joint inspection; a side's team is a group of users."""

    prefix = "plan"  # beside the register form on the line's page

    year = forms.IntegerField(label=_("Year"), min_value=1950)
    team_a = forms.ChoiceField(label=_("Side A's team"))
    team_b = forms.ChoiceField(label=_("Side B's team"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, teams: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("team_a", "team_b"):
            self.fields[name].choices = [("", "---------"), *((t, t) for t in teams)]


def _plan_form(request, line) -> PlanForm | None:
    """The planning form for the office when no inspection of the line is under way."""
    if (not permissions.offered(request.user, "inspection.plan")
            or selectors.under_way(line.id)):
        return None
    teams, team_a, team_b = selectors.teams_for(line)
    return PlanForm(teams=teams, initial={"year": today().year, "team_a": team_a,
                                          "team_b": team_b})


def _valid(form: forms.Form) -> dict:
    if not form.is_valid():
        raise form_refused(form)
    return form.cleaned_data


def _done(request, url: str):
    """After a write: the page again (an htmx form is told to go there)."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _state_rows(marker) -> list[dict]:
    return [{"s": s, "label": STATUS_LABELS.get(s.status, s.status)}
            for s in reversed(list(marker.states.all()))]


@login_required
def line_markers(request, line_id: int):
    line = boundaries_selectors.line_get(line_id)
    markers = boundaries_selectors.line_markers(line)
    rows = [{"m": m, "type": TYPE_LABELS.get(m.type, m.type), "state": states[-1],
             "status": STATUS_LABELS.get(states[-1].status, states[-1].status)}
            for m in markers for states in [list(m.states.all())] if states]
    response = render(request, "inspections/markers.html", {
        "line": line, "rows": rows, "map": selectors.lines_map([line], markers),
        "may_register": permissions.offered(request.user, "marker.register"),
        "form": RegisterForm(initial={"crs": 4490}), "plan_form": _plan_form(request, line),
        "inspections": selectors.inspections(line_id=line.id, user=request.user)[:20]
        if permissions.can(request.user, "inspection.list") else []})
    response["Cache-Control"] = PRIVATE
    return response


@login_required
@require_POST
def marker_register(request, line_id: int):
    permissions.require(request.user, "marker.register")
    form = RegisterForm(request.POST)
    data = _valid(form)
    marker = boundaries_services.marker_register(
        number=data["number"], type=data["type"], lines=[line_id, *form.extra_lines()],
        position=(data["lon"], data["lat"]), crs=data["crs"], material=data["material"],
        installed=data["installed"], note=data["note"], source="web", actor=request.user)
    return _done(request, reverse("marker-page", args=[marker.id]))


@login_required
@require_POST
def inspection_plan(request, line_id: int):
    line = boundaries_selectors.line_get(line_id)
    data = _valid(PlanForm(request.POST, teams=selectors.teams_for(line)[0]))
    inspection = services.inspection_plan(
        actor=request.user, line=line, year=data["year"], team_a=data["team_a"],
        team_b=data["team_b"], note=data["note"])
    return redirect("inspection-page", inspection.id)


@login_required
def marker_page(request, marker_id: int):
    marker = boundaries_selectors.marker_get(marker_id)
    lines = list(marker.lines.all())
    response = render(request, "inspections/marker.html", {
        "m": marker, "type": TYPE_LABELS.get(marker.type, marker.type), "lines": lines,
        "states": _state_rows(marker),
        "map": selectors.lines_map(lines, [marker], history_of=marker),
        "may_record": permissions.offered(request.user, "marker.record_state", marker),
        "may_move": permissions.offered(request.user, "marker.move", marker),
        "state_form": StateForm(initial={"on": today()}, auto_id="id_state_%s"),
        "move_form": MoveForm(initial={"on": today(), "crs": 4490}, auto_id="id_move_%s")})
    response["Cache-Control"] = PRIVATE
    return response


@login_required
@require_POST
def marker_state(request, marker_id: int):
    permissions.require(request.user, "marker.record_state")
    marker = boundaries_selectors.marker_get(marker_id)
    data = _valid(StateForm(request.POST))
    given = data["lon"] is not None and data["lat"] is not None
    if given and data["status"] != MarkerStatus.DISPLACED:  # as the API answers
        raise BadRequest.of(gettext_noop("position: only a displaced marker is recorded where "
                                         "it was found; a new position is a move (the form "
                                         "below, with its reason)"))
    boundaries_services.marker_record_state(
        marker=marker, status=data["status"], on=data["on"], note=data["note"],
        position=(data["lon"], data["lat"]) if given else None, source="web",
        actor=request.user)
    return _done(request, reverse("marker-page", args=[marker.id]))


@login_required
@require_POST
def marker_move(request, marker_id: int):
    permissions.require(request.user, "marker.move")
    marker = boundaries_selectors.marker_get(marker_id)
    data = _valid(MoveForm(request.POST))
    boundaries_services.marker_move(marker=marker, position=(data["lon"], data["lat"]),
                                    crs=data["crs"], on=data["on"], reason=data["reason"],
                                    source="web", actor=request.user)
    return _done(request, reverse("marker-page", args=[marker.id]))
