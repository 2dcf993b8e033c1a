"""Messages the services write once and the pages say in their own language.

A finding is kept (in the database, in the API's answers) with its English ``message``,
the same for every reader, and with the ``template`` it was made from (a msgid, marked
with gettext_noop where it is written, so makemessages finds it) and the ``params`` that
fill it in. A page says it with ``in_language``: the template translated, filled with the
same parameters; a finding kept before templates were (no ``template``) keeps its
English message.
"""

from django.utils.translation import gettext


def filled(template: str, params: dict) -> str:
    """The English message: the template filled with its parameters."""
    return template % params if params else template


def in_language(finding: dict) -> str:
    """The finding's message in the active language (its English message when it has no
    template, or when the translation does not take the parameters)."""
    template = finding.get("template") or ""
    if not template:
        return finding.get("message", "")
    try:
        return filled(gettext(template), finding.get("params") or {})
    except (KeyError, TypeError, ValueError):
        return finding.get("message", "")
