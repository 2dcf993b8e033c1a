"""Public GET responses are cacheable and readable from any origin.

ETags and 304s come from Django's ConditionalGetMiddleware (placed before this
one); this adds Cache-Control and the CORS header to public reads only. A request
that identifies someone (a bearer token or a signed-in session) may be answered
with what only they may see: its answer is never stored by a shared cache.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from .errors import RegistryError
from .said import in_language

PUBLIC_PREFIXES = ("/api/", "/ogc/", "/tiles/")


class PublicGetCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "OPTIONS" and request.path.startswith(PUBLIC_PREFIXES):
            from django.http import HttpResponse

            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "If-None-Match, Content-Type"
            response["Access-Control-Allow-Origin"] = "*"
            return response
        response = self.get_response(request)
        if request.method in ("GET", "HEAD") and request.path.startswith(PUBLIC_PREFIXES):
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = "ETag"
            if response.status_code == 200 and not response.has_header("Cache-Control"):
                response["Cache-Control"] = (
                    "private, no-store" if _identified(request)
                    else f"public, max-age={settings.API_CACHE_SECONDS}")
            patch_vary_headers(response, ("Authorization", "Cookie"))
        return response


def _identified(request) -> bool:
    user = getattr(request, "user", None)
    return "HTTP_AUTHORIZATION" in request.META or bool(user and user.is_authenticated)


class RejectNulMiddleware:
    """400 for a NUL character in the path or a query parameter.

    PostgreSQL cannot store or compare text containing NUL, so such a value would
    fail deep inside a query; say which parameter is wrong instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = None
        if "\x00" in request.path:
            where = "the path"
        elif _may_hold_nul(request.META.get("QUERY_STRING", "")):
            where = next((f"query parameter {key!r}" for key, values in request.GET.lists()
                          if "\x00" in key or any("\x00" in v for v in values)), None)
        if where:
            return JsonResponse({"detail": f"{where} contains a NUL character (U+0000)"},
                                status=400, json_dumps_params={"ensure_ascii": False})
        return self.get_response(request)


def _may_hold_nul(query: str) -> bool:
    # Decoded, a query string holds NUL only from "%00" or a NUL as sent: most have
    # neither, and need not be parsed here (a kept answer never parses them at all)
    return "\x00" in query or "%00" in query


# Outside the API (whose handler answers them), paths whose errors are JSON
# {"detail": ...}: their clients are map libraries, not people.
JSON_ERROR_PREFIXES = ("/tiles/",)


class RegistryErrorPageMiddleware:
    """A page (outside the API, whose handler answers JSON) that raises a registry error
    answers with that error's status and its message, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RegistryError) or request.path.startswith("/api/"):
            return None
        if request.path.startswith(JSON_ERROR_PREFIXES):
            return JsonResponse({"detail": str(exception)}, status=exception.status,
                                json_dumps_params={"ensure_ascii": False})
        # an htmx request gets the message alone, swapped in where its answer goes
        template = "error_fragment.html" if request.headers.get("HX-Request") else "error.html"
        return render(request, template, {"status": exception.status,
                                          "detail": in_language(exception.said())},
                      status=exception.status)
