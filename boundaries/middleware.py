"""Code lookups (GET /api/v1/divisions/{code}) answered before URL routing and ninja.

A lookup is one prepared statement (documents.division_document); Django's URL
resolution, ninja's routing and the validation of ``as_of`` cost about as much again in
the worker, and kept the lookup at 0.65–0.70× the rate of a bare ``SELECT 1`` through
Django. Here the plain cases are answered at once: a code and, at most, ``as_of`` as
YYYY-MM-DD. Anything else (other parameters, a malformed code or date, a code without
a division, a database error) goes on to the view, which answers it as before; its
answer for the plain cases is this same document. Innermost, so every other middleware
(routing of reads to a replica, headers) runs as for any request.
"""

import re
from datetime import date

from django.db import DatabaseError

from config.errors import RegistryError
from config.responses import json_response

from . import documents
from .codes import parse_code
from .temporal import today

PREFIX = "/api/v1/divisions/"
_AS_OF = re.compile(r"as_of=(\d{4}-\d{2}-\d{2})")


def plain_lookup(request) -> str | None:
    """The document of a plain code lookup, or None: the view answers."""
    code = request.path_info[len(PREFIX):]
    if "/" in code:  # children, geometry, lineage…
        return None
    query = request.META.get("QUERY_STRING", "")
    as_of = None
    if query:
        given = _AS_OF.fullmatch(query)
        if given is None:
            return None
        try:
            as_of = date.fromisoformat(given[1])
        except ValueError:
            return None
    try:
        short, level = parse_code(code)
        return documents.division_document(short, level, as_of or today())
    except (RegistryError, DatabaseError):
        # the view says what is wrong, and retries on the primary a replica lost meanwhile
        return None


class DivisionLookupMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and request.path_info.startswith(PREFIX):
            document = plain_lookup(request)
            if document is not None:
                return json_response(document)
        return self.get_response(request)
