"""/api/v1/mergers: simulation, scenarios, comparison, suggested plans, change proposals."""

from ninja import Router

router = Router(tags=["mergers"])
