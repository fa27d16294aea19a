"""Great-circle travel: haversine distance x a circuity factor, at a speed per profile."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import Point

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (broadcasts over numpy arrays)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(x, dtype=float)) for x in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class GreatCircle:
    """Straight-line distance times ``circuity``, driven at ``speed_kmh[profile]``."""

    name = "great_circle"

    def __init__(self, circuity: float = 1.35, speed_kmh: dict[str, float] | None = None):
        if circuity < 1:
            raise ValueError("circuity must be at least 1")
        self.circuity = circuity
        self.speed_kmh = dict(speed_kmh or {"car": 40.0, "motorbike": 35.0})

    def _speed(self, profile: str) -> float:
        try:
            return self.speed_kmh[profile] / 3.6
        except KeyError:
            raise ValueError(
                f"no speed for vehicle profile {profile!r}; known: {', '.join(sorted(self.speed_kmh))}"
            ) from None

    def matrices(self, points: Sequence[Point], profile: str) -> tuple[np.ndarray, np.ndarray]:
        """``(durations_s, distances_m)`` as int64 (n, n) arrays; seconds rounded up."""
        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        d = haversine_m(pts[:, None, 0], pts[:, None, 1], pts[None, :, 0], pts[None, :, 1]) * self.circuity
        dist = np.rint(d).astype(np.int64)
        dur = np.ceil(d / self._speed(profile) - 1e-9).astype(np.int64)
        return dur, dist

    def path(self, a: Point, b: Point, profile: str) -> list[Point]:
        """A straight segment (this model knows no roads)."""
        return [tuple(a), tuple(b)]
