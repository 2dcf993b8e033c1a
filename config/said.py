"""Messages the services write once and the pages say in their own language.

A finding is kept (in the database, in the API's answers) with its English ``message``,
the same for every reader, and with the ``template`` it was made from (a msgid, marked
with gettext_noop where it is written, so makemessages finds it) and the ``params`` that
fill it in. A parameter may itself be said: {"template": …, "params": …} (a reason given
inside a message). A page says it with ``in_language``: the template translated, filled
with the same parameters; a finding kept before templates were (no ``template``) keeps
its English message.
"""

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext


def said(template: str, params: dict | None = None) -> dict:
    """A message to put inside another one as a parameter."""
    return {"template": template, "params": params or {}}


def _fill(template: str, params: dict, say: Callable[[str], str]) -> str:
    if not params:
        return say(template)
    return say(template) % {
        k: _fill(v["template"], v.get("params") or {}, say)
        if isinstance(v, dict) and "template" in v else v for k, v in params.items()}


def filled(template: str, params: dict) -> str:
    """The English message: the template filled with its parameters."""
    return _fill(template, params, str)


def in_language(finding: dict) -> str:
    """The finding's message in the active language (its English message when it has no
    template, or when the translation does not take the parameters)."""
    template = finding.get("template") or ""
    if not template:
        return finding.get("message", "")
    try:
        return _fill(template, finding.get("params") or {}, gettext)
    except (KeyError, TypeError, ValueError):
        return finding.get("message", "")


def in_chinese(say: Callable[..., str], *args) -> str:
    """``say(*args)`` said in Chinese whatever the request's language: the registry's
    official terms, as the API's ``*_label`` fields, the joint report and the archive
    catalogue give them (a choice's label: ``in_chinese(record.get_kind_display)``)."""
    with translation.override("zh-hans"):
        return str(say(*args))
