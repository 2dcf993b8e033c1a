"""The office's pages for clean-up campaigns: the list with a form for a new one, a
campaign with its progress (htmx polls the job while it runs), its counts and the work
list with filters, and the triage of each finding. Views parse the form and call the
service or selector; the services and selectors enforce the office's role."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from config.errors import form_refused
from config.said import in_language
from gazetteer.models import PlaceClass

from . import selectors, services
from .models import FindingState, TriageAction

PRIVATE = "private, no-store"
# The kinds of finding (services.kind_of) in the page's language.
KIND_LABELS = {
    "duplicate": pgettext_lazy("campaign finding", "duplicate name"),
    "homophone": pgettext_lazy("campaign finding", "homophone"),
    "banned": pgettext_lazy("campaign finding", "banned pattern"),
    "charset": pgettext_lazy("campaign finding", "characters"),
    "repeated_generic": pgettext_lazy("campaign finding", "repeated generic"),
    "mismatched_generic": pgettext_lazy("campaign finding", "mismatched generic"),
    "length": pgettext_lazy("campaign finding", "too long"),
    "empty_specific": pgettext_lazy("campaign finding", "no specific part"),
    "sign": pgettext_lazy("campaign finding", "sign"),
}


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scope_code = forms.CharField(label=_("Division code (empty: the whole registry)"),
                                 max_length=12, required=False)
    classes = forms.MultipleChoiceField(label=_("Classes (none: every class)"),
                                        required=False, widget=forms.CheckboxSelectMultiple)
    include_divisions = forms.BooleanField(label=_("Check division names too"),
                                           required=False)
    include_signs = forms.BooleanField(label=_("Check signs against the record"),
                                       required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classes"].choices = [(c.slug, c.name) for c in
                                          PlaceClass.objects.order_by("code")]


class TriageForm(forms.Form):
    action = forms.ChoiceField(label=_("Decision"), choices=[
        (TriageAction.KEEP, _("Keep (give the reason)")),
        (TriageAction.CORRECT, _("Correct the record")),
        (TriageAction.PROPOSE, _("Open a renaming proposal"))])
    new_name = forms.CharField(label=_("Corrected or proposed name"), max_length=100,
                               required=False)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    document_number = forms.CharField(label=_("Document number (文号)"), max_length=100,
                                      required=False)


@login_required
def campaign_list(request):
    rows = selectors.campaigns(user=request.user)
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if not form.is_valid():
            raise form_refused(form)
        data = form.cleaned_data
        c = services.campaign_create(actor=request.user, title=data["title"],
                                     scope_code=data["scope_code"], classes=data["classes"],
                                     include_divisions=data["include_divisions"],
                                     include_signs=data["include_signs"])
        services.campaign_start(campaign_id=c.id, actor=request.user)
        return redirect("campaign-page", campaign_id=c.id)
    response = render(request, "campaigns/list.html", {
        "rows": [(c, selectors.counts(c)) for c in rows[:200]], "form": CampaignForm()})
    response["Cache-Control"] = PRIVATE
    return response


def _page_context(request, campaign_id: int) -> dict:
    c = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    return {"c": c, "counts": selectors.counts(c), "job": c.job,
            "running": c.state == "running"}


@login_required
def campaign_page(request, campaign_id: int):
    ctx = _page_context(request, campaign_id)
    filters = {k: request.GET.get(k, "") for k in ("state", "kind", "q")}
    rows = selectors.findings(user=request.user, campaign_id=campaign_id, **filters)
    shown = list(rows[:500])
    for f in shown:
        f.kind_label = KIND_LABELS.get(f.kind, f.kind)
        f.text = in_language({"message": f.detail, "template": f.template, "params": f.params})
    ctx |= {"filters": filters, "rows": shown, "shown": rows.count(),
            "states": FindingState.choices, "kinds": [(k, KIND_LABELS.get(k, k))
                                                      for k in sorted(ctx["counts"]["by_kind"])],
            "triage": TriageForm()}
    response = render(request, "campaigns/campaign.html", ctx)
    response["Cache-Control"] = PRIVATE
    return response


@login_required
def campaign_progress(request, campaign_id: int):
    """The progress block alone, polled by htmx while the run goes on."""
    response = render(request, "campaigns/progress.html", _page_context(request, campaign_id))
    response["Cache-Control"] = PRIVATE
    return response


@login_required
@require_POST
def campaign_rerun(request, campaign_id: int):
    services.campaign_start(campaign_id=campaign_id, actor=request.user)
    return redirect("campaign-page", campaign_id=campaign_id)


@login_required
@require_POST
def finding_triage(request, finding_id: int):
    finding = selectors.finding_get(user=request.user, finding_id=finding_id)
    form = TriageForm(request.POST)
    if not form.is_valid():
        raise form_refused(form)
    services.finding_triage(finding_id=finding_id, actor=request.user, **form.cleaned_data)
    return redirect("campaign-page", campaign_id=finding.campaign_id)


@login_required
def campaign_report(request, campaign_id: int):
    data = selectors.report(user=request.user, campaign_id=campaign_id)
    response = HttpResponse(selectors.report_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign_id}.csv"'
    response["Cache-Control"] = PRIVATE
    return response
