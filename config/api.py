"""The one NinjaAPI: every app's router is mounted here under /api/v1."""

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from accounts.api import router as accounts_router
from archives.api import router as archives_router
from boundaries.api import bench_router
from boundaries.api import router as boundaries_router
from campaigns.api import router as campaigns_router
from gazetteer.api import router as gazetteer_router
from importers.api import router as importers_router
from inspections.api import router as inspections_router
from jobs.api import router as jobs_router
from mergers.api import router as mergers_router
from proposals.api import router as proposals_router

from .errors import RegistryError
from .uploads import BodyTooLarge


class UTF8Renderer(JSONRenderer):
    """orjson: UTF-8 (Chinese names readable, not \\uXXXX escapes), several times faster
    than the standard library on an answer of coordinates, and taking a GeoJSON text from
    PostGIS as it is (``orjson.Fragment``) instead of parsing and writing it again. Dates and
    times go through ninja's encoder, so they are written as they always were."""

    _default = NinjaJSONEncoder().default

    def render(self, request, data, *, response_status):
        return orjson.dumps(data, default=self._default, option=orjson.OPT_PASSTHROUGH_DATETIME
                            | orjson.OPT_NON_STR_KEYS)


api = NinjaAPI(
    renderer=UTF8Renderer(),
    title="Place-name and administrative-boundary registry",
    version="1",
    description="Divisions of China with their history, boundaries and standard place names.",
    urls_namespace="api",
)


@api.exception_handler(RegistryError)
def refused(request, exc):
    # BadRequest, Forbidden, NotFound, Conflict (and importers' refusals, which are
    # BadRequests): each class carries its status
    return api.create_response(request, {"detail": str(exc)}, status=exc.status)


@api.exception_handler(DjangoValidationError)
def django_validation(request, exc):
    return api.create_response(request, {"detail": "; ".join(exc.messages)}, status=400)


@api.exception_handler(ValidationError)
def ninja_validation(request, exc):
    # 400, not ninja's 422: the parameter is malformed, and say which one.
    problems = [
        f"{'.'.join(str(p) for p in err.get('loc', []) if p not in ('query', 'path'))}: "
        f"{err.get('msg')}"
        for err in exc.errors
    ]
    return api.create_response(request, {"detail": "; ".join(problems)}, status=400)


@api.exception_handler(BodyTooLarge)
def too_large(request, exc):
    return api.create_response(request, {"detail": f"{exc}: refused"}, status=413)


@api.exception_handler(MultiPartParserError)
def bad_multipart(request, exc):
    return api.create_response(request, {"detail": f"multipart body: {exc}"}, status=400)


@api.exception_handler(RequestDataTooBig)
def too_big_for_memory(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=413)


# Inspections serve /boundaries/overdue and /boundaries/{line_id} (a line with its
# inspections); boundaries the other line routes, mounted first so that /boundaries/export
# is not read as a line id.
api.add_router("/v1/", boundaries_router)
api.add_router("/v1/", inspections_router)
api.add_router("/v1/", gazetteer_router)
api.add_router("/v1/", proposals_router)
api.add_router("/v1/", jobs_router)
api.add_router("/v1/", mergers_router)
api.add_router("/v1/", accounts_router)
api.add_router("/v1/", importers_router)
api.add_router("/v1/", archives_router)
api.add_router("/v1/", campaigns_router)


def mount_bench(target: NinjaAPI, *, enabled: bool) -> None:
    """The benchmark baselines /v1/ping and /v1/sql1, only for a server the bench runs."""
    if enabled:
        target.add_router("/v1/", bench_router)


mount_bench(api, enabled=settings.BENCH)
