"""The printable joint report (the same content as GET /api/v1/inspections/{id}/report)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from accounts.auth import request_user
from config.errors import Forbidden, NotFound

from . import report, selectors


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
    response = render(request, "inspections/report.html", {"r": data})
    response["Cache-Control"] = "private, no-store"
    return response
