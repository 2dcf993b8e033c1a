"""The digest of a request's bearer token: what the rate limiter counts by and what
read-your-writes remembers a token client's last write under (the token itself is never
kept)."""

import hashlib


def bearer_digest(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.lower().startswith("bearer "):
        return None
    return hashlib.sha256(header[7:].strip().encode()).hexdigest()
