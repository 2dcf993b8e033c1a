"""The archive's pages: the catalogue search (htmx swaps the results as the form
changes), a document with its versions, links and downloads, and the archive office's
forms (upload, new version, link, publish). Views parse the form and call the selector
or service; refusals are the error page (config.middleware.RegistryErrorPageMiddleware).
Files are downloaded from the API (attachments, never inline)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from accounts import permissions
from config.errors import BadRequest, form_refused

from . import policies, selectors, services
from .api import parse_links
from .models import LINK_TARGETS, Category, Retention

PAGE_ROWS = 200


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Title or number"), required=False, max_length=200)
    number = forms.CharField(label=_("Document number"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("any"))] + Category.choices)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    division = forms.CharField(label=_("Division code"), required=False, max_length=12)
    line = forms.IntegerField(label=_("Line id"), required=False, min_value=1)
    place = forms.IntegerField(label=_("Place id"), required=False, min_value=1)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, TIFF/GeoTIFF, JPEG, PNG or office file)"))
    title = forms.CharField(label=_("Title"), max_length=300)
    number = forms.CharField(label=_("Document number"), required=False, max_length=100)
    date = forms.DateField(label=_("Date"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}))
    authority = forms.CharField(label=_("Issuing authority"), required=False, max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    retention = forms.ChoiceField(label=_("Retention period"), choices=Retention.choices)
    retention_years = forms.IntegerField(label=_("Years (for a fixed period)"), required=False,
                                         min_value=1, max_value=1000)
    links = forms.CharField(label=_("Linked records (kind:id, comma-separated)"),
                            required=False, max_length=500)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


def _valid(form: forms.Form) -> dict:
    if not form.is_valid():
        raise form_refused(form)
    return form.cleaned_data


def _private(response, public: bool = False):
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


def catalogue_page(request):
    form = SearchForm(request.GET or None)
    data = _valid(form) if request.GET else {}
    search = selectors.Search(**{k: v for k, v in data.items() if v not in (None, "")})
    rows = list(selectors.search(request.user, search)[:PAGE_ROWS])
    context = {"form": form, "rows": rows, "limit": PAGE_ROWS,
               "query": request.GET.urlencode(),
               "may_upload": request.user.is_authenticated
               and permissions.offered(request.user, "archive.upload")}
    template = "archives/results.html" if request.htmx else "archives/catalogue.html"
    return _private(render(request, template, context))


def document_page(request, document_id: int):
    document = selectors.document_for(request.user, document_id)
    writer = request.user.is_authenticated and permissions.offered(request.user,
                                                                   "archive.version")
    return _private(render(request, "archives/document.html", {
        "d": document, "versions": list(document.versions.all()),
        "links": [(link, LINK_TARGETS[link.kind][1], selectors.link_label(link))
                  for link in document.links.all()],
        "public": policies.is_public(document), "writer": writer,
        "kinds": [(kind, what) for kind, (_model, what) in LINK_TARGETS.items()],
        "may_publish": writer and document.published_on is None
        and document.category in {c.value for c in policies.PUBLIC_CATEGORIES}}),
        public=policies.is_public(document))


@login_required
def upload_page(request):
    permissions.require(request.user, "archive.upload")
    if request.method != "POST":
        return _private(render(request, "archives/upload.html", {"form": UploadForm()}))
    data = _valid(UploadForm(request.POST, request.FILES))
    document = services.document_upload(
        actor=request.user, file=data["file"], title=data["title"], number=data["number"],
        date=data["date"], authority=data["authority"], category=data["category"],
        retention=data["retention"], retention_years=data["retention_years"],
        description=data["description"], links=parse_links(data["links"]))
    return redirect("archive-document", document_id=document.id)


@login_required
@require_POST
def version_add(request, document_id: int):
    upload = request.FILES.get("file")
    if upload is None:
        raise BadRequest.of(gettext_noop("file: choose the corrected file"))
    services.document_version_add(actor=request.user, document_id=document_id, file=upload,
                                  note=request.POST.get("note", "")[:2000])
    return redirect("archive-document", document_id=document_id)


@login_required
@require_POST
def link_add(request, document_id: int):
    target = request.POST.get("target_id", "")
    if not target.isdigit():
        raise BadRequest.of(gettext_noop("target_id: a record's number"))
    services.document_link(actor=request.user, document_id=document_id,
                           kind=request.POST.get("kind", ""), target_id=int(target))
    return redirect("archive-document", document_id=document_id)


@login_required
@require_POST
def link_remove(request, document_id: int, link_id: int):
    services.document_unlink(actor=request.user, document_id=document_id, link_id=link_id)
    return redirect("archive-document", document_id=document_id)


@login_required
@require_POST
def publish(request, document_id: int):
    services.document_publish(actor=request.user, document_id=document_id)
    return redirect("archive-document", document_id=document_id)
