"""The registry's one error vocabulary: selectors and services raise these, whoever calls them.

Each class carries the HTTP status it means; config.api answers every one of them with
``{"detail": str(exc)}`` and that status, through one handler on the base class.
Management commands catch the base class and exit non-zero with the text.
"""

from .said import filled


class RegistryError(Exception):
    """Base of every refusal the registry explains to its caller.

    Its text is English (the API's ``detail``, a command's message). One made with
    ``of(template, **params)`` also keeps its template (a msgid marked with gettext_noop)
    and parameters, so that a page says it in its own language (config.said.in_language
    on ``said()``)."""

    status = 500
    template: str | None = None
    params: dict | None = None

    @classmethod
    def of(cls, template: str, **params):
        error = cls(filled(template, params))
        error.template, error.params = template, params
        return error

    def said(self) -> dict:
        return {"message": str(self), "template": self.template, "params": self.params}


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
