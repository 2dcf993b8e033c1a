"""Errors every app's endpoints raise; config.api turns them into JSON responses."""


class BadRequest(Exception):
    """Malformed input: becomes HTTP 400 {"detail": ...} saying what and where."""


class Forbidden(Exception):
    """The actor's roles or side do not allow the action: HTTP 403."""


class Conflict(Exception):
    """The action is not possible in the record's state: HTTP 409."""


class NotFound(LookupError):
    """No such record: HTTP 404."""
