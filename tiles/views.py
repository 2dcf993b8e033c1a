"""The tile endpoints: /tiles/ (the layers), /tiles/{layer}.json (TileJSON) and
/tiles/{layer}/{z}/{x}/{y}.pbf (Mapbox Vector Tiles), with ``as_of`` (YYYY-MM-DD, today).

Errors are JSON ``{"detail": ...}`` (config.middleware). A tile's ETag is known before it
is rendered, so a revalidation costs one cache read and no query.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from boundaries.temporal import today
from boundaries.views import as_of_param

from . import selectors
from .layers import LAYERS

MVT = "application/vnd.mapbox-vector-tile"


def _base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _json(document: dict) -> JsonResponse:
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@require_safe
def index(request):
    base = _base_url(request)
    return _json({"layers": [
        {"name": layer.name, "description": layer.description, "minzoom": layer.minzoom,
         "maxzoom": layer.maxzoom, "tilejson": f"{base}/tiles/{layer.name}.json",
         "tiles": f"{base}/tiles/{layer.name}/{{z}}/{{x}}/{{y}}.pbf"}
        for layer in LAYERS.values()]})


@require_safe
def tilejson(request, layer: str):
    return _json(selectors.tilejson(selectors.layer(layer), _base_url(request)))


@require_safe
def tile(request, layer: str, z: str, x: str, y: str):
    tile = selectors.address(layer, z, x, y, as_of_param(request) or today())
    made_in, body = selectors.kept(tile)
    etag = f'"{tile.key(made_in)}"'
    if etag in _etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        if body is None:
            body = selectors.render(tile)
            selectors.keep(tile, made_in, body)
        response = HttpResponse(body, content_type=MVT)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
    return response


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}
