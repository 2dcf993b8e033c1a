"""Merger scenarios (planning: nothing written to the registry) and division change
proposals (draft → approved → executed) with their transitions."""

from .scenarios import Scenario

__all__ = ["Scenario"]
