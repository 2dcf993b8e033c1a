"""Merger scenarios (planning: nothing written to the registry) and division change
proposals (draft → approved → executed) with their transitions."""
