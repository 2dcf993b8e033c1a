"""The planners' pages: the merger sandbox (pick townships on the map, see the metrics and
clashes, save a scenario, ask for a proposed plan), scenarios and their comparison, and
change proposals with the steps the user may take. Views parse forms and call the same
selectors and services as /api/v1/mergers and /api/v1/division-changes."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from accounts import permissions
from boundaries import selectors as divisions
from boundaries.temporal import today
from config.errors import BadRequest, form_refused

from . import changes, labels, selectors, services
from .models import ChangeKind

DEFAULT_COUNTY = "520201"  # 钟山区, the seed plan's central district
KINDS = [("镇", "镇"), ("乡", "乡"), ("民族乡", "民族乡"), ("街道", "街道")]
CHANGE_ACTIONS = {"approve": changes.division_change_approve,
                  "execute": changes.division_change_execute,
                  "withdraw": changes.division_change_withdraw}
CHANGE_BUTTONS = {"approve": _("Approve"), "execute": _("Execute"), "withdraw": _("Withdraw")}


class MergeForm(forms.Form):
    county = forms.CharField(label=_("County"), max_length=12)
    townships = forms.MultipleChoiceField(label=_("Townships"), choices=[])
    name = forms.CharField(label=_("Name of the merged township"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS)
    title = forms.CharField(label=_("Scenario title"), max_length=200, required=False)

    def __init__(self, data, codes: list[str]):
        super().__init__(data)
        self.fields["townships"].choices = [(c, c) for c in codes]

    def clean_townships(self):
        picked = self.cleaned_data["townships"]
        if len(picked) < 2:
            raise forms.ValidationError(_("pick at least two townships to merge"))
        return picked


class ProposeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of change"),
                             choices=[(k, labels.CHANGE_KINDS[k]) for k in ChangeKind.values])
    effective_date = forms.DateField(label=_("Effective date"))
    approval_document = forms.CharField(label=_("Approval document"), max_length=200,
                                        required=False)
    approving_authority = forms.CharField(label=_("Approving authority"), max_length=200,
                                          required=False)


class UpdateForm(forms.Form):
    """What a draft needs before it is approved: its date, document and authority."""

    effective_date = forms.DateField(label=_("Effective date"), widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))
    approval_document = ProposeForm.base_fields["approval_document"]
    approving_authority = ProposeForm.base_fields["approving_authority"]


def _valid(form: forms.Form) -> dict:
    if not form.is_valid():
        raise form_refused(form)
    return form.cleaned_data


def _county(request) -> tuple:
    raw = (request.POST.get("county") or request.GET.get("county") or DEFAULT_COUNTY).strip()
    county = divisions.division_get(raw)
    if county.level != 3:
        raise BadRequest.of(gettext_noop("county %(code)s: %(name)s is not a county-level "
                                         "division"), code=raw, name=county.name)
    return county, list(divisions.children(county, None, None))


@login_required
def sandbox(request):
    permissions.require(request.user, "scenario.simulate")
    county, townships = _county(request)
    extent = county.geom.extent if county.geom is not None else None
    return render(request, "mergers/sandbox.html", {
        "county": county, "townships": townships, "kinds": KINDS,
        "map": {"bounds": [[extent[1], extent[0]], [extent[3], extent[2]]] if extent else None,
                "townships": "/api/v1/map/divisions/township"},
        "scenarios": selectors.scenarios_visible(request.user)[:30],
    })


def _merge_from(request) -> tuple[dict, object]:
    county, townships = _county(request)
    data = _valid(MergeForm(request.POST, [t.short_code for t in townships]))
    return data, county


@login_required
@require_POST
def simulate(request):
    """The metrics of the townships picked (an htmx fragment)."""
    data, county = _merge_from(request)
    result = selectors.simulate(townships=data["townships"], name=data["name"],
                                kind=data["kind"], seat=None, as_of=today(), simplify_m=20)
    return render(request, "mergers/simulation.html", {
        "result": result, "county": county, "said": labels.unit_said(result["unit"])})


@login_required
@require_POST
def scenario_save(request):
    data, county = _merge_from(request)
    operation = {"op": "merge", "townships": data["townships"], "name": data["name"],
                 "kind": data["kind"]}
    scenario = services.scenario_create(
        actor=request.user, title=data["title"] or f"{county.name}：{data['name']}",
        scope=county.short_code, as_of=today(), operations=[operation])
    return redirect("scenario-page", scenario.id)


@login_required
@require_POST
def suggest(request):
    """A proposed plan for the county (an htmx fragment), saved as a scenario if asked."""
    county, _townships = _county(request)
    try:
        target = int(request.POST.get("target", ""))
    except ValueError:
        raise BadRequest.of(gettext_noop(
            "target: the number of townships the plan should reach")) from None
    found = selectors.suggest(scope=county.short_code, as_of=today(), target=target, keep=[],
                              max_seat_distance_km=None, min_population=None, seed=1)
    scenario = None
    if request.POST.get("save"):
        scenario = services.scenario_create(
            actor=request.user, title=f"{county.name}：{target} 个乡镇（系统建议）",
            scope=county.short_code, as_of=today(),
            operations=found["suggestion"]["operations"])
    return render(request, "mergers/suggestion.html",
                  {"found": found, "county": county, "scenario": scenario})


@login_required
def scenario_page(request, scenario_id: int):
    scenario = selectors.scenario_get(request.user, scenario_id)
    plan = (scenario.metrics or {}).get("plan", {})
    return render(request, "mergers/scenario.html", {
        "scenario": scenario, "plan": [(labels.metric(k), v) for k, v in plan.items()],
        "operations": [labels.operation(op) for op in scenario.operations],
        "units": (scenario.metrics or {}).get("units", []),
        "form": ProposeForm(initial={"kind": ChangeKind.MERGE}),
        "may_propose": permissions.offered(request.user, "division_change.create"),
    })


@login_required
def compare_page(request):
    ids = ",".join(request.GET.getlist("ids"))
    compared = selectors.compare(request.user, ids)
    for m in compared["metrics"]:
        m["label"] = labels.metric(m["metric"])
    return render(request, "mergers/compare.html", {"compared": compared})


@login_required
@require_POST
def scenario_propose(request, scenario_id: int):
    scenario = selectors.scenario_get(request.user, scenario_id)
    data = _valid(ProposeForm(request.POST))
    change = changes.division_change_from_scenario(actor=request.user, scenario=scenario,
                                                   title=None, **data)
    return redirect("change-page", change.id)


@login_required
def change_page(request, change_id: int):
    permissions.require(request.user, "division_change.view")
    change = changes.division_change_get(change_id)
    actions = changes.next_actions(request.user, change)
    return render(request, "mergers/change.html", {
        "change": change, "kind": labels.CHANGE_KINDS.get(change.kind, change.kind),
        "state": labels.CHANGE_STATES.get(change.state, change.state),
        "operations": [labels.operation(op) for op in change.operations],
        "buttons": [(a, CHANGE_BUTTONS[a]) for a in actions
                                      if a in CHANGE_BUTTONS],
        "update_form": UpdateForm(initial={
            name: getattr(change, name) for name in UpdateForm.base_fields})
        if "update" in actions else None,
        "transitions": [labels.transition(t) for t in change.transitions
                        .select_related("actor").order_by("at", "id")],
    })


@login_required
@require_POST
def change_action(request, change_id: int, action: str):
    if action == "update":
        changes.division_change_update(actor=request.user, change_id=change_id,
                                       **_valid(UpdateForm(request.POST)))
        return redirect("change-page", change_id)
    if action not in CHANGE_ACTIONS:
        raise BadRequest.of(gettext_noop("action %(action)r: expected one of %(actions)s"),
                            action=action, actions=", ".join(CHANGE_ACTIONS))
    CHANGE_ACTIONS[action](actor=request.user, change_id=change_id,
                           note=request.POST.get("note", "")[:1000])
    return redirect("change-page", change_id)
