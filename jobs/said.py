"""A failed job's refusal kept as data (Job.error_said), to be said again later on a page
in that page's language.

The worker runs in no reader's language: what it keeps is the refusal's template and
parameters (config.said), with each parameter made storable in JSON. A parameter that is
itself said (a Said) keeps its own template; a lazy label (a state's, a kind's) keeps the
msgid it translates, so that the page, not the worker, chooses the language.
"""

from django.utils import translation
from django.utils.functional import Promise

from config.errors import RegistryError
from config.said import Said, in_language

# The lazy translations a label may be, by the function that says it (see _stored).
_SAYERS = {translation.gettext: "gettext", translation.pgettext: "pgettext"}
_SAY = {name: say for say, name in _SAYERS.items()}


def kept(exc: Exception) -> dict:
    """What to store of a refusal: {message, template, params}; {} when it has no template
    (the English ``error`` is then all there is to say)."""
    if not isinstance(exc, RegistryError):
        return {}
    found = exc.said()
    if not found.get("template"):
        return {}
    return {"message": found["message"], "template": found["template"],
            "params": {k: _stored(v) for k, v in (found.get("params") or {}).items()}}


def _stored(value):
    if isinstance(value, Said):
        return {"template": value.template,
                "params": {k: _stored(v) for k, v in (value.params | value.shown).items()}}
    if isinstance(value, Promise):
        func, args = value.__reduce__()[1][:2]
        name = _SAYERS.get(func)
        return {"say": name, "args": list(args)} if name else str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return str.__str__(value) if isinstance(value, str) else value
    if isinstance(value, list):
        return [_stored(v) for v in value]
    return str(value)  # a date, a Decimal …: as the English message wrote it


def said(stored: dict) -> str:
    """The kept refusal in the active language."""
    return in_language(_restored(stored))


def _restored(value):
    if isinstance(value, dict) and "say" in value:
        return _SAY[value["say"]](*value["args"])
    if isinstance(value, dict):
        return {k: _restored(v) for k, v in value.items()}
    return value
