"""The naming office's pages: the inbox by state, a proposal with its findings, opinions,
comments, votes and the actions the user may take now (proposals.selectors.next_actions),
and the public pre-check (gazetteer.checks, the engine of /api/v1/names/check).
Views parse the form, call the service or selector and render; the services enforce
roles and order (a refusal is the error page, middleware.RegistryErrorPageMiddleware)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import permissions
from config.errors import BadRequest, form_refused
from config.said import in_language
from gazetteer import checks
from gazetteer.models import PlaceClass

from . import selectors, services
from .models import State

# What each action asks for (the rest of ActionIn stays empty), and its button.
ACTION_FIELDS = {
    "accept": ["note"], "return": ["note"], "start_review": [],
    "opinion": ["recommendation", "opinion"], "extra_review": ["opinion", "note"],
    "open_consultation": ["consultation_start", "consultation_end"],
    "comment": ["author", "text"], "close_consultation": ["note"], "vote": ["choice"],
    "approve": ["note"], "reject": ["note"],
    "publish": ["announcement_number", "announcement_date"],
}
ACTION_LABELS = {
    "accept": _("Accept"), "return": _("Return to the applicant"),
    "start_review": _("Start the expert review"), "opinion": _("Give an expert opinion"),
    "extra_review": _("Record the extra heritage review"),
    "open_consultation": _("Open the public consultation"),
    "comment": _("Record a consultation comment"),
    "close_consultation": _("Close the consultation"), "vote": _("Vote"),
    "approve": _("Approve"), "reject": _("Reject"), "publish": _("Publish the decision"),
}
# The registry's state names are Chinese (the models'); the page's language says them.
STATE_LABELS = dict(State.choices)  # said in the page's language
# The timeline's steps: the buttons' words, and the applicant's first one.
STEP_LABELS = {**ACTION_LABELS, "submit": _("Submit")}
# The findings of the checks in plain words, by rule.
RULE_HELP = {
    "empty_specific": _("The name is only a generic part (路, 街, 小区 …): it needs a "
                        "specific part of its own."),
    "generic_fit": _("The generic part does not fit this kind of place (a road is a 路, "
                     "街 or 巷; a residential community a 小区, 花园 or 苑)."),
    "repeated_generic": _("The generic part is repeated (like 中山路路)."),
    "banned_pattern": _("The name uses words that the clean-up of non-standard names "
                        "targets: grandiose, foreign-sounding, odd or duplicated names."),
    "charset": _("Write numbers in Chinese characters and use common characters only."),
    "length": _("The name is longer than names of this class may be."),
    "unique": _("Another place or division in the same area already has this name or one "
                "that sounds the same (同音)."),
    "stability": _("This place was named or renamed recently: names are kept stable."),
    "heritage": _("The name is on the place-name heritage list (地名文化保护名录): renaming "
                  "it needs an extra review first."),
}
SEVERITY_HELP = {checks.BLOCK: _("must be resolved before the name can be approved"),
                 checks.WARN: _("the committee will weigh this")}


class ActionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    recommendation = forms.ChoiceField(label=_("Recommendation"), required=False, choices=[
        ("approve", _("approve")), ("reject", _("reject"))])
    opinion = forms.CharField(label=_("Opinion"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    author = forms.CharField(label=_("Who commented"), required=False, max_length=100)
    text = forms.CharField(label=_("Comment"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    consultation_start = forms.DateField(label=_("Consultation from"), required=False,
                                         widget=forms.DateInput(attrs={"type": "date"}))
    consultation_end = forms.DateField(label=_("Consultation until"), required=False,
                                       widget=forms.DateInput(attrs={"type": "date"}))
    choice = forms.ChoiceField(label=_("Your vote"), required=False, choices=[
        ("approve", _("for")), ("reject", _("against")), ("abstain", _("abstain"))])
    announcement_number = forms.CharField(label=_("Announcement number (文号)"),
                                          required=False, max_length=100)
    announcement_date = forms.DateField(label=_("Announcement date"), required=False,
                                        widget=forms.DateInput(attrs={"type": "date"}))


class CheckForm(forms.Form):
    name = forms.CharField(label=_("Proposed name"), max_length=100)
    place_class = forms.ModelChoiceField(label=_("Kind of place"), to_field_name="code",
                                         queryset=PlaceClass.objects.order_by("code"))
    division_code = forms.CharField(label=_("Division code (where it lies)"), max_length=12)
    meaning = forms.CharField(label=_("Meaning and origin (含义、来历)"), required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Reason for the naming"), required=False,
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


@login_required
def inbox(request):
    state = request.GET.get("state") or ""
    rows = selectors.visible(request.user).order_by("-created_at", "-id")
    if state in State.values:
        rows = rows.filter(state=state)
    counts = selectors.counts_by_state(request.user)
    return render(request, "proposals/inbox.html", {
        "rows": [(p, STATE_LABELS[p.state]) for p in rows[:200]], "state": state,
        "total": sum(counts.values()),
        "states": [(s, STATE_LABELS[s], counts.get(s, 0)) for s in State.values]})


def _action_forms(actions: list[str]) -> list[dict]:
    out = []
    for action in actions:
        form = ActionForm(auto_id=f"id_{action}_%s")
        out.append({"action": action, "label": ACTION_LABELS.get(action, action),
                    "fields": [form[name] for name in ACTION_FIELDS.get(action, [])]})
    return out


def _explained(findings: list[dict]) -> list[dict]:
    return [f | {"help": RULE_HELP.get(f["rule"], ""), "text": in_language(f),
                 "severity_help": SEVERITY_HELP.get(f["severity"], "")} for f in findings]


@login_required
def proposal_page(request, proposal_id: int):
    p = selectors.proposal_get(request.user, proposal_id)
    response = render(request, "proposals/proposal.html", {
        "p": p, "state_label": STATE_LABELS[p.state], "findings": _explained(p.findings),
        "transitions": [(t, STEP_LABELS.get(t.action, t.action),
                         STATE_LABELS.get(t.to_state, t.to_state))
                        for t in sorted(p.transitions.all(), key=lambda t: (t.at, t.id))],
        "actions": _action_forms(selectors.next_actions(request.user, p)),
        "signs": selectors.signs_to_replace(p)})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def proposal_action(request, proposal_id: int, action: str):
    selectors.proposal_get(request.user, proposal_id)  # 404 when not visible
    form = ActionForm(request.POST)
    if not form.is_valid():
        raise form_refused(form)
    services.proposal_act(proposal_id=proposal_id, actor=request.user, action=action,
                          data=services.ActionIn(**form.cleaned_data))
    return redirect("proposal-page", proposal_id=proposal_id)


def precheck(request):
    """Public: check a name before proposing it, the findings in plain words; a signed-in
    applicant submits it from here."""
    form = CheckForm(request.GET or None)
    result, error = None, None
    if form.is_valid():
        try:
            result = checks.check_name(name=form.cleaned_data["name"],
                                       place_class=form.cleaned_data["place_class"],
                                       division_code=form.cleaned_data["division_code"])
        except BadRequest as exc:  # a wrong code or name: said next to the form
            error = in_language(exc.said())
    return render(request, "proposals/precheck.html", {
        "form": form, "result": result, "error": error,
        "findings": _explained([f.__dict__ for f in result.findings]) if result else [],
        "may_submit": request.user.is_authenticated
        and permissions.can(request.user, "proposal.submit")})


@login_required
@require_POST
def proposal_new(request):
    form = CheckForm(request.POST)
    if not form.is_valid():
        raise form_refused(form)
    data = form.cleaned_data
    p = services.proposal_submit(actor=request.user, kind="naming", name=data["name"],
                                 place_class=data["place_class"].code,
                                 division_code=data["division_code"],
                                 meaning=data["meaning"], reason=data["reason"])
    return redirect("proposal-page", proposal_id=p.id)
