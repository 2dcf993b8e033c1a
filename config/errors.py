"""The registry's one error vocabulary: selectors and services raise these, whoever calls them.

Each class carries the HTTP status it means; config.api answers every one of them with
``{"detail": str(exc)}`` and that status, through one handler on the base class.
Management commands catch the base class and exit non-zero with the text.
"""

from django.utils.translation import pgettext

from .said import Said


class RegistryError(Exception):
    """Base of every refusal the registry explains to its caller.

    Its text is English (the API's ``detail``, a command's message). One made with
    ``of(template, **params)``, or from a config.said.Said (a policy's or a guard's
    reason), also keeps its template (a msgid marked with gettext_noop) and parameters,
    so that a page says it in its own language (config.said.in_language on ``said()``)."""

    status = 500

    @classmethod
    def of(cls, template: str, /, shown: dict | None = None, **params):
        return cls(Said(template, shown=shown, **params))

    def said(self) -> dict:
        message = self.args[0] if self.args else ""
        if isinstance(message, Said):
            return message.said()
        return {"message": str(self), "template": None, "params": None}


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


def form_refused(form) -> BadRequest:
    """A page's form that did not validate: each error after its field's label. Django
    wrote the errors in the page's language already, so this message is said as it is."""
    def one(name: str, errors: list) -> str:
        field = form.fields.get(name)
        if name == "__all__":
            return " ".join(errors)
        return pgettext("form error", "%(field)s: %(errors)s") % {
            "field": field.label if field and field.label else name, "errors": " ".join(errors)}

    return BadRequest(pgettext("list separator", "; ").join(
        one(name, errors) for name, errors in form.errors.items()))
