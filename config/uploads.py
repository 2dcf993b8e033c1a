"""Request bodies are bounded before they are read.

``BodyLimitMiddleware`` answers 413 from the Content-Length header alone, before a byte of
the body is read: a file part may be up to ``MAX_UPLOAD_BYTES`` (survey files, archives), a
form or JSON body up to Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``; a multipart body without
a boundary is a 400. When the view parses a multipart body, ``BoundedUploadHandler`` stops
the moment the file bytes pass the limit, whatever the header said.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import JsonResponse

# multipart framing, field names and small form fields around the file itself
MULTIPART_OVERHEAD = 1024 * 1024


class BodyTooLarge(Exception):
    pass


def file_limit(request) -> int:
    """The largest file part this request may carry: MAX_UPLOAD_BYTES, or less where
    UPLOAD_PATH_LIMITS names a lower setting for the path (the archives' ARCHIVE_MAX_BYTES),
    so that the lower limit too is applied before the body is read."""
    limit = settings.MAX_UPLOAD_BYTES
    path = getattr(request, "path", "") or ""
    for prefix, setting in getattr(settings, "UPLOAD_PATH_LIMITS", {}).items():
        if path.startswith(prefix):
            limit = min(limit, getattr(settings, setting))
    return limit


def _refuse(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status,
                        json_dumps_params={"ensure_ascii": False})


class BoundedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts the file bytes and passes them on."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        limit = file_limit(self.request)
        if self.received > limit:
            raise BodyTooLarge(f"the uploaded file passes {limit} bytes")
        return raw_data

    def file_complete(self, file_size):
        return None


class BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self._refusal(request)
        return refused or self.get_response(request)

    def _refusal(self, request) -> JsonResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(400, "Content-Length: not a number")
        multipart = request.content_type == "multipart/form-data"
        files = file_limit(request)
        limit = files + MULTIPART_OVERHEAD if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            what = f" (a file up to {files})" if multipart else ""
            return _refuse(413, f"request body of {length} bytes: the limit is {limit} "
                                f"bytes{what}")
        if multipart and not request.content_params.get("boundary"):
            return _refuse(400, "Content-Type: multipart/form-data without a boundary")
        # The body itself is parsed by the view, after authentication: an anonymous client
        # cannot make the server store a file. BodyTooLarge and MultiPartParserError raised
        # there are answered 413 and 400 by config.api.
        return None
