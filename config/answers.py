"""Kept search answers served by their URL, before URL routing and ninja's validation.

A search answered from the cache (config.responses.cached_json) still paid for Django's
URL resolution, ninja's routing and the validation of its query parameters before its
one Redis read: together as much as the read itself, and a cached answer ran at 0.67×
the rate of a bare ``ping``. Here the answer is also kept under its URL as requested
(the path, the query string as sent, today's date): a repeated request costs one MGET
(the namespace's generation and the answer) and no parsing at all.

Only answers the view itself made with ``cached_json`` are kept (it marks the response
with its namespace): errors, and endpoints that stop caching, are never stored. The
answer is kept with the generation read before the view ran, so a write committed
meanwhile (``invalidate``) makes it stale at once, on every server, as for cached_json.
This is the innermost middleware: every other one runs as for any request, so the
headers (ETag, Cache-Control, Vary, CORS, Content-Language…) are the same.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .responses import ANSWER_NAMESPACE, json_response, keep_bytes, kept_bytes

# path → the cached_json namespace of the view at that path
CACHED_PATHS = {"/api/v1/divisions": "search", "/api/v1/places": "places"}


def _answer_key(namespace: str, request) -> str:
    # the date is in the key: undated requests mean "in force today"
    url = f"{request.path_info}?{request.META.get('QUERY_STRING', '')}|{timezone.localdate()}"
    digest = hashlib.sha256(url.encode()).hexdigest()
    # make_key, not make_and_validate_key: a hex digest needs no check of each character,
    # which cost as much as the rest of the request's own work
    return cache.make_key(f"answer:{namespace}:{digest}")


class CachedAnswerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        namespace = CACHED_PATHS.get(request.path_info) if request.method == "GET" else None
        if namespace is None or not settings.SEARCH_CACHE_SECONDS:
            return self.get_response(request)
        answer_key = _answer_key(namespace, request)
        generation, body = kept_bytes(namespace, answer_key)
        if body is not None:
            return json_response(body)
        response = self.get_response(request)
        if response.status_code == 200 and \
                getattr(response, ANSWER_NAMESPACE, None) == namespace:
            keep_bytes(answer_key, generation, response.content, settings.SEARCH_CACHE_SECONDS)
        return response
