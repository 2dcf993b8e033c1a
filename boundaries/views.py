"""The public pages of divisions: the map (the registry's own layers, Leaflet served
locally) and a division's page with its hierarchy, neighbours and history on a date."""

from datetime import date

from django.shortcuts import render
from django.utils.translation import gettext_noop

from config.errors import BadRequest

from . import maplayers, selectors
from .temporal import today


def as_of_param(request) -> date | None:
    """The page's ``as_of`` (YYYY-MM-DD), None when not asked."""
    raw = request.GET.get("as_of") or ""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest.of(gettext_noop("as_of %(raw)r: expected a date, YYYY-MM-DD"),
                            raw=raw) from None



def map_page(request):
    return render(request, "boundaries/map.html",
                  {"layers": maplayers.web_layers(as_of_param(request))})


def division_page(request, code: str):
    as_of = as_of_param(request)
    page = selectors.division_page(code, as_of)
    version = page["division"]
    geometry_url = (f"/api/v1/divisions/{version.short_code}/geometry?simplify=20"
                    f"&as_of={page['on'].isoformat()}")
    return render(request, "boundaries/division.html",
                  page | {"as_of": as_of, "today": today(), "geometry_url": geometry_url})
