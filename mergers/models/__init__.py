"""Merger scenarios (planning: nothing written to the registry) and division change
proposals (draft → approved → executed) with their transitions."""

from .changes import ChangeKind, ChangeState, ChangeTransition, DivisionChange
from .scenarios import Scenario

__all__ = ["ChangeKind", "ChangeState", "ChangeTransition", "DivisionChange", "Scenario"]
