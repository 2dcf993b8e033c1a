"""The registry's one error vocabulary: selectors and services raise these, whoever calls them.

Each class carries the HTTP status it means; config.api answers every one of them with
``{"detail": str(exc)}`` and that status, through one handler on the base class.
Management commands catch the base class and exit non-zero with the text.
"""


class RegistryError(Exception):
    """Base of every refusal the registry explains to its caller."""

    status = 500


class BadRequest(RegistryError):
    """Malformed input: says what and where."""

    status = 400


class Forbidden(RegistryError):
    """The actor's roles or side do not allow the action."""

    status = 403


class NotFound(RegistryError):
    """No such record (or none the actor may see)."""

    status = 404


class Conflict(RegistryError):
    """The action is not possible in the record's state."""

    status = 409
