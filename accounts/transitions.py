"""State machines as tables: which action leads from which states to which, and who may
take it. Enforcement (``require``) and "what may this caller do now" (``available``)
read the same table, so they cannot disagree.

A step's ``who`` is whatever the owning app's permission policy understands (a set
of roles, or "office", "side", "party"); the machine itself only checks states and
the step's guard (a precondition on the record: the reason it is not met, or None).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from config.errors import BadRequest, Conflict
from config.said import Said, joined

# The from-state of the step that creates a record.
NEW = ""


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the record stays in its state
    who: Any
    guard: Callable[[Any], str | None] | None = field(default=None, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(str(s) for s in self.sources))


class Machine:
    def __init__(self, noun: str, steps: Iterable[Step], labels: dict | None = None,
                 states: type | None = None, verbs: dict | None = None):
        self.noun = noun  # English, marked with gettext_noop where the machine is made
        self.steps = tuple(steps)
        # What a step is called on the pages (lazy translations): a record's history, an
        # archive document's linked step; an action without one is shown as its code.
        self.labels = labels or {}
        # The action itself, as a refusal names it ("publish", where the history says
        # "published"); an action without one is named by its label
        self.verbs = verbs or {}
        # What a state is called on the pages (the model's choices), for the refusals
        self.state_labels = dict(states.choices) if states is not None else {}

    def __contains__(self, action: str) -> bool:
        return any(step.action == action for step in self.steps)

    @property
    def actions(self) -> list[str]:
        return list(dict.fromkeys(step.action for step in self.steps))

    def label(self, action: str) -> str:
        """The action in the active language."""
        return str(self.labels.get(action, action))

    def verb(self, action: str):
        """The action as a refusal on a page names it (a lazy translation)."""
        return self.verbs.get(action) or self.labels.get(action, action)

    def who(self, action: str):
        """Who may take the action (the same for each of its steps)."""
        for step in self.steps:
            if step.action == action:
                return step.who
        raise BadRequest.of(gettext_noop("action %(action)r: expected one of %(actions)s"),
                            action=action, actions=", ".join(self.actions))

    def sources(self, action: str) -> list[str]:
        return sorted({s for step in self.steps if step.action == action for s in step.sources})

    def step(self, action: str, state: str) -> Step | None:
        self.who(action)  # an unknown action is a BadRequest, not a Conflict
        return next((s for s in self.steps if s.action == action and state in s.sources), None)

    def require(self, action: str, state: str, record=None) -> Step:
        """The step the action takes from ``state``: Conflict (409) when out of order or
        when its guard is not met by the record."""
        step = self.step(action, state)
        if step is None:
            raise Conflict(self._out_of_order(action, state))
        why = step.guard(record) if step.guard and record is not None else None
        if why:
            raise Conflict.of(gettext_noop("%(action)s: %(why)s"), action=action, why=why,
                              shown={"action": self.verb(action)})
        return step

    def _out_of_order(self, action: str, state: str) -> Said:
        sources = self.sources(action)
        shown = [self._state(s) for s in sources]
        return Said(gettext_noop("%(action)s: the %(noun)s is %(state)s; this is possible "
                                 "only when it is %(sources)s"),
                    action=action, noun=self.noun, state=state or "not yet created",
                    sources=", ".join(sources),
                    shown={"action": self.verb(action),
                           "noun": gettext_lazy(self.noun), "state": self._state(state),
                           "sources": joined("series", shown)})

    def _state(self, state: str):
        if not state:
            return gettext_lazy("not yet created")
        return self.state_labels.get(state, state)

    def available(self, state: str, may: Callable[[Step], bool] = lambda step: True,
                  record=None) -> list[str]:
        """The actions possible from ``state`` that ``may`` allows, in table order."""
        out = []
        for step in self.steps:
            if state not in step.sources or step.action in out:
                continue
            if step.guard and record is not None and step.guard(record):
                continue
            if may(step):
                out.append(step.action)
        return out
