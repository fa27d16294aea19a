"""Travel times and distances between stops, per vehicle profile.

``travel_model(workspace)`` returns the model the workspace chooses in ``[travel]``.
"""

from __future__ import annotations

from .base import TravelModel
from .great_circle import GreatCircle


def travel_model(ws) -> TravelModel:
    """The travel model configured by ``ws.travel``."""
    cfg = ws.travel
    if cfg.model == "great_circle":
        return GreatCircle(circuity=cfg.circuity, speed_kmh=dict(cfg.speed_kmh))
    raise NotImplementedError(f"travel model {cfg.model!r} is not available yet; use 'great_circle'")


__all__ = ["GreatCircle", "TravelModel", "travel_model"]
