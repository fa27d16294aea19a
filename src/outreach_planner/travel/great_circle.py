"""Great-circle travel: haversine distance x a circuity factor, at a speed per profile."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..i18n import _
from .base import Point

EARTH_RADIUS_M = 6_371_008.8
_BLOCK_CELLS = 1 << 20  # pairs per block of rows in GreatCircle.matrices


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
            raise ValueError(_("travel.circuity", id="circuity minimal 1", en="circuity must be at least 1"))
        self.circuity = circuity
        self.speed_kmh = dict(speed_kmh or {"car": 40.0, "motorbike": 35.0})

    def _speed(self, profile: str) -> float:
        try:
            return self.speed_kmh[profile] / 3.6
        except KeyError:
            raise ValueError(_("travel.no_speed", id="tidak ada kecepatan untuk jenis kendaraan {profile}; yang ada: "
                               "{known}", en="no speed for vehicle profile {profile}; known: {known}",
                               profile=repr(profile), known=", ".join(sorted(self.speed_kmh)))) from None

    def matrices(self, points: Sequence[Point], profile: str) -> tuple[np.ndarray, np.ndarray]:
        """``(durations_s, distances_m)`` as int32 (n, n) arrays; seconds rounded up, metres rounded.

        The haversine distance is computed as the chord between unit vectors,
        ``2 R asin(|p - q| / 2)`` (the same quantity, no trigonometry per pair), in
        blocks of rows so that the temporaries stay small. ``int64`` instead when the
        points' bounding box allows a figure of 2**31 or more (stops over 2,000 km apart).
        """
        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        speed = self._speed(profile)
        lon, lat = np.radians(pts[:, 0]), np.radians(pts[:, 1])
        xyz = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)
        n = len(pts)
        # upper bound of any pair's figures: the chord of the box around the points
        chord = float(np.linalg.norm(xyz.max(axis=0) - xyz.min(axis=0))) if n else 0.0
        top_m = 2 * EARTH_RADIUS_M * self.circuity * float(np.arcsin(min(1.0, chord / 2))) + 1
        dtype = np.int32 if max(top_m, top_m / speed) + 2 < np.iinfo(np.int32).max else np.int64
        dur = np.empty((n, n), dtype=dtype)
        dist = np.empty((n, n), dtype=dtype)
        step = max(1, _BLOCK_CELLS // max(n, 1))
        for r0 in range(0, n, step):
            blk = xyz[r0:r0 + step]
            sq = np.square(blk[:, None, 0] - xyz[None, :, 0])
            sq += np.square(blk[:, None, 1] - xyz[None, :, 1])
            sq += np.square(blk[:, None, 2] - xyz[None, :, 2])
            np.sqrt(sq, out=sq)
            sq *= 0.5
            np.clip(sq, 0.0, 1.0, out=sq)
            np.arcsin(sq, out=sq)
            sq *= 2 * EARTH_RADIUS_M * self.circuity  # metres along the road
            np.rint(sq, out=dist[r0:r0 + step], casting="unsafe")
            sq /= speed
            sq -= 1e-9
            np.ceil(sq, out=dur[r0:r0 + step], casting="unsafe")
        return dur, dist

    def path(self, a: Point, b: Point, profile: str) -> list[Point]:
        """A straight segment (this model knows no roads)."""
        return [tuple(a), tuple(b)]
