"""Errors every app's endpoints raise; config.api turns them into JSON responses."""


class BadRequest(Exception):
    """Malformed input: becomes HTTP 400 {"detail": ...} saying what and where."""
