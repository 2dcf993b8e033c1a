"""A failed job's refusal kept as data (Job.error_said), to be shown later on a page in
that page's language.

The worker runs in no reader's language, and a refusal's parameters may be lazy labels
or lists said only when shown: so the worker says it at once in each of the site's
languages (settings.LANGUAGES) and keeps those texts; a page shows the one it is in.
"""

from django.conf import settings
from django.utils import translation

from config.errors import RegistryError
from config.said import in_language


def kept(exc: Exception) -> dict:
    """The refusal in each language, {language: text}; {} when it has no template (the
    English ``error`` is then all there is to say)."""
    found = exc.said() if isinstance(exc, RegistryError) else {}
    if not found.get("template"):
        return {}
    out = {}
    for language, _ in settings.LANGUAGES:
        with translation.override(language):
            out[language] = in_language(found)
    return out


def said(stored: dict) -> str | None:
    """The kept refusal in the active language (None: not kept in it)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return stored.get(language) or stored.get(language.split("-")[0])
