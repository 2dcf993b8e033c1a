"""The printable joint report (the same content as GET /api/v1/inspections/{id}/report)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from config.errors import NotFound

from . import report, selectors


def report_page(request, inspection_id: int):
    # Reports are for signed-in staff and teams, like the API (not a public page).
    if not request.user.is_authenticated:
        raise PermissionDenied("sign in to read inspection reports")
    try:
        inspection = selectors.inspection_get(inspection_id)
    except NotFound as exc:  # a page, not the API: Django's own 404
        raise Http404(str(exc)) from exc
    data = report.report_data(inspection)
    response = render(request, "inspections/report.html", {"r": data})
    response["Cache-Control"] = "private, no-store"
    return response
