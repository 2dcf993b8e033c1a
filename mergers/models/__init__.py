"""Merger scenarios (planning: nothing written to the registry) and division change
proposals (draft → approved → executed) with their transitions."""

from .changes import ChangeKind, ChangeState, ChangeTransition, DivisionChange  # noqa: F401
