"""The printable joint report (the same content as GET /api/v1/inspections/{id}/report)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from . import report, selectors


def report_page(request, inspection_id: int):
    # Reports are for signed-in staff and teams, like the API (not a public page).
    if not request.user.is_authenticated:
        raise PermissionDenied("sign in to read inspection reports")
    data = report.report_data(selectors.inspection_get(inspection_id))
    response = render(request, "inspections/report.html", {"r": data})
    response["Cache-Control"] = "private, no-store"
    return response
