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
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext


def said(template: str, params: dict | None = None) -> dict:
    """A message to put inside another one as a parameter."""
    return {"template": template, "params": params or {}}


class Said(str):
    """An English message (a str: it goes wherever a reason or a detail did) that
    remembers how to say itself in another language: its template (a msgid marked with
    gettext_noop) and parameters. ``shown`` gives, for some parameters, what a page shows
    instead of the English value — a state's or an action's label (lazy translations),
    where the English message keeps the code the API has always said."""

    template: str
    params: dict
    shown: dict

    def __new__(cls, template: str, /, shown: dict | None = None, **params):
        if shown is not None and not isinstance(shown, dict):  # a parameter named "shown"
            raise TypeError("Said(shown=…) takes what pages show instead of parameters "
                            "(a dict); name the parameter otherwise")
        text = super().__new__(cls, filled(template, params))
        text.template, text.params, text.shown = template, params, shown or {}
        return text

    def said(self) -> dict:
        return {"message": str(self), "template": self.template,
                "params": self.params | self.shown}


# How a language joins a list: messages ("a; b"), a series of labels ("a, b" — 甲、乙)
# and alternatives ("a or b")
SEPARATORS = {"messages": lambda: pgettext("list separator", "; "),
              "series": lambda: pgettext("list separator", ", "),
              "alternatives": lambda: pgettext("alternatives", " or ")}


def _joined(how: str, items: list) -> str:
    return SEPARATORS[how]().join(
        in_language(item.said()) if isinstance(item, Said) else str(item) for item in items)


# joined(how, items): the items (messages, lazy labels) said and joined in the language
# of the page that shows them — a refusal's shown parameter
joined = lazy(_joined, str)


def listed(items) -> Said:
    """Several messages as one (a parameter of another: a list cannot be one template's
    parameter): joined by "; " in English, the API's words; on a page each one said in the
    page's language, joined as that language joins them."""
    items = list(items)
    return Said("%(items)s", items="; ".join(items), shown={"items": joined("messages", items)})


def all_said(template: str, problems, **params) -> Said:
    """Several problems in one refusal, ``%(problems)s`` in the template."""
    return Said(template, problems=listed(problems), **params)


def _fill(template: str, params: dict, say: Callable[[str], str]) -> str:
    if not params:
        return say(template)
    return say(template) % {k: _param(v, say) for k, v in params.items()}


def _param(value, say: Callable[[str], str]):
    if isinstance(value, Said):  # English as it is; in another language, said again
        return str.__str__(value) if say is str else _fill(
            value.template, value.params | value.shown, say)
    if isinstance(value, dict) and "template" in value:
        return _fill(value["template"], value.get("params") or {}, say)
    return value


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
