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
        """Return ``(durations_s, distances_m)``: integer arrays of shape (n, n), whole seconds and metres.

        ``int32`` (``int64`` only where a figure would not fit); callers pass distinct points
        (``Problem`` asks per place, not per node) and must not modify the arrays (a model may
        hand out, read-only, the arrays it keeps).
        """
        ...

    def path(self, a: Point, b: Point, profile: str) -> list[Point]:
        """The line to draw from ``a`` to ``b`` (lon, lat vertices)."""
        ...
