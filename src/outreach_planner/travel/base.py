"""The travel-model interface every model implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

Point = tuple[float, float]  # (lon, lat), WGS84 degrees


class TravelModel(Protocol):
    """Durations and distances between points, and the path drawn between two stops."""

    #: Short name recorded in plans, e.g. ``great_circle``.
    name: str

    def matrices(self, points: Sequence[Point], profile: str) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(durations_s, distances_m)``, both ``int64`` arrays of shape (n, n)."""
        ...

    def path(self, a: Point, b: Point, profile: str) -> list[Point]:
        """The line to draw from ``a`` to ``b`` (lon, lat vertices)."""
        ...
