"""Islands: straight lines do not cross the sea. Stops on different land masses travel through crossings.

``[travel] islands = true`` (great-circle model only; a road network already knows which stops it joins)
wraps :class:`~.great_circle.GreatCircle` in :class:`IslandTravel`:

- **Land masses** are the connected parts of the union of the village polygons, each polygon grown by
  :data:`LAND_BUFFER_DEG` (about 33 m) so that the slivers between neighbouring polygons do not split a land
  mass. A stop belongs to the land mass that contains it, or else to the nearest one (a point on the shore).
- Between two stops on the same land mass: the great-circle figures, as before.
- Between stops on different land masses: the fastest way through the crossings (``crossings`` layer) that
  carry the vehicle: drive (great circle) to a port, cross (``duration_minutes`` plus the expected wait when the
  crossing has departure times: half the mean interval), drive on, possibly over several crossings. Distances
  add the straight port-to-port line. Departure times are only an expected wait here: the engines work with
  one duration per pair, not with a timetable.
- A pair that no chain of crossings joins raises :class:`~outreach_planner.errors.InputError` naming both
  places and the fix (add a crossing, or move the stop).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import InputError, Problem
from ..i18n import _
from .base import Point
from .great_circle import GreatCircle, haversine_m

#: Growth of each village polygon before the union, degrees (about 33 m at the equator).
LAND_BUFFER_DEG = 0.0003
_INF = float("inf")


def land_masses(polygons_wkt: Sequence[str | None]) -> list:
    """The connected land masses (shapely polygons) of the village polygons given as WKT (None: skipped)."""
    import shapely

    geoms = [shapely.from_wkt(w) for w in polygons_wkt if w]
    geoms = [g for g in geoms if g is not None and not g.is_empty and g.geom_type in ("Polygon", "MultiPolygon")]
    if not geoms:
        return []
    merged = shapely.union_all(shapely.buffer(np.array(geoms, dtype=object), LAND_BUFFER_DEG))
    return list(getattr(merged, "geoms", [merged]))


class IslandTravel:
    """Great-circle travel that crosses the sea only by crossings (see the module docstring)."""

    #: travel times are estimates from straight lines ("perkiraan"), not roads
    estimate = True

    def __init__(self, base: GreatCircle, masses: list, crossings: Sequence = (),
                 place_names: dict[tuple[float, float], str] | None = None):
        import shapely

        self.base = base
        self.name = base.name
        self.masses = masses
        self.crossings = tuple(crossings)
        self.place_names = dict(place_names or {})
        self._tree = shapely.STRtree(masses) if masses else None
        # a label per land mass: the first named stop on it (for messages), filled lazily
        self._mass_label: dict[int, str] = {}

    # ------------------------------------------------------------------ land masses
    def mass_of(self, points: Sequence[Point]) -> np.ndarray:
        """Land-mass index of each point (the containing one, else the nearest)."""
        import shapely

        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        if self._tree is None or not len(pts):
            return np.zeros(len(pts), dtype=np.int64)
        geoms = shapely.points(pts[:, 0], pts[:, 1])
        idx = self._tree.query_nearest(geoms, all_matches=False)
        out = np.zeros(len(pts), dtype=np.int64)
        out[idx[0]] = idx[1]
        return out

    def _name(self, p: Point) -> str:
        return self.place_names.get((round(float(p[0]), 6), round(float(p[1]), 6)), _("islands.stop_at", id="titik di ({lon}, {lat})", en="the stop at ({lon}, {lat})",
                                                                                                  lon=f"{p[0]:.5f}", lat=f"{p[1]:.5f}"))

    def _ports(self, profile: str):
        """Usable crossings for ``profile``: list of (port a, port b, seconds, metres)."""
        out = []
        for c in self.crossings:
            if profile in c.vehicles:
                a, b = (c.from_lon, c.from_lat), (c.to_lon, c.to_lat)
                metres = int(round(float(haversine_m(a[0], a[1], b[0], b[1]))))
                out.append((a, b, int(round(60 * c.duration_minutes)) + c.wait_s, metres))
        return out

    # ------------------------------------------------------------------ the model
    def _solve(self, points: Sequence[Point], profile: str):
        """Durations, distances, the land masses of the points and the port graph's pieces."""
        pts = [tuple(map(float, p)) for p in points]
        n = len(pts)
        ports = self._ports(profile)
        port_pts = [p for a, b, _s, _m in ports for p in (a, b)]
        every = pts + port_pts
        dur_all, dist_all = self.base.matrices(every, profile) if every else (np.zeros((0, 0)),) * 2
        lm_all = self.mass_of(every)
        lm, lmp = lm_all[:n], lm_all[n:]
        P = len(port_pts)
        # the port graph: drives between ports on the same land mass, and the crossings both ways
        G = np.full((P, P), _INF)
        Gd = np.full((P, P), _INF)
        nxt = np.full((P, P), -1, dtype=np.int64)
        for p in range(P):
            for q in range(P):
                if lmp[p] == lmp[q]:
                    G[p, q], Gd[p, q], nxt[p, q] = dur_all[n + p, n + q], dist_all[n + p, n + q], q
        for k, (_a, _b, secs, metres) in enumerate(ports):
            for p, q in ((2 * k, 2 * k + 1), (2 * k + 1, 2 * k)):
                if secs < G[p, q]:
                    G[p, q], Gd[p, q], nxt[p, q] = secs, metres, q
        for k in range(P):  # Floyd-Warshall (a few dozen ports at most)
            via = G[:, k:k + 1] + G[k:k + 1, :]
            better = via < G
            G = np.where(better, via, G)
            Gd = np.where(better, Gd[:, k:k + 1] + Gd[k:k + 1, :], Gd)
            nxt = np.where(better, nxt[:, k:k + 1], nxt)
        return pts, n, dur_all, dist_all, lm, lmp, G, Gd, nxt, port_pts

    def matrices(self, points: Sequence[Point], profile: str) -> tuple[np.ndarray, np.ndarray]:
        """``(durations_s, distances_m)``: great circle on one land mass, through crossings between them."""
        pts, n, dur_all, dist_all, lm, lmp, G, Gd, _nxt, _pp = self._solve(points, profile)
        dur = np.array(dur_all[:n, :n])
        dist = np.array(dist_all[:n, :n])
        other = lm[:, None] != lm[None, :]
        if not other.any():
            return dur, dist
        P = len(lmp)
        best = np.full((n, n), _INF)
        best_d = np.full((n, n), _INF)
        if P:
            to_port = np.where(lm[:, None] == lmp[None, :], dur_all[:n, n:], _INF)          # n x P
            to_port_d = np.where(lm[:, None] == lmp[None, :], dist_all[:n, n:], _INF)
            from_port = np.where(lmp[:, None] == lm[None, :], dur_all[n:, :n], _INF)        # P x n
            from_port_d = np.where(lmp[:, None] == lm[None, :], dist_all[n:, :n], _INF)
            C = np.full((P, n), _INF)
            Cd = np.full((P, n), _INF)
            for q in range(P):  # C[p, j]: from port p to stop j
                t = G[:, q:q + 1] + from_port[q:q + 1, :]
                b = t < C
                C = np.where(b, t, C)
                Cd = np.where(b, Gd[:, q:q + 1] + from_port_d[q:q + 1, :], Cd)
            for p in range(P):
                t = to_port[:, p:p + 1] + C[p:p + 1, :]
                b = t < best
                best = np.where(b, t, best)
                best_d = np.where(b, to_port_d[:, p:p + 1] + Cd[p:p + 1, :], best_d)
        stuck = other & ~np.isfinite(best)
        if stuck.any():
            self._unreachable(pts, lm, stuck, profile)
        dtype = np.int64 if max(best[other].max(), best_d[other].max()) >= np.iinfo(np.int32).max else dur.dtype
        dur, dist = dur.astype(dtype), dist.astype(dtype)
        dur[other] = np.ceil(best[other]).astype(dtype)
        dist[other] = np.rint(best_d[other]).astype(dtype)
        return dur, dist

    def _unreachable(self, pts, lm, stuck: np.ndarray, profile: str) -> None:
        problems, seen = [], set()
        for i, j in zip(*np.nonzero(stuck)):
            key = tuple(sorted((int(lm[i]), int(lm[j]))))
            if key in seen:
                continue
            seen.add(key)
            a, b = self._name(pts[i]), self._name(pts[j])
            problems.append(Problem(
                "[travel] islands", f"{a} -> {b}", "crossings", profile,
                _("islands.no_crossing", id="{a} dan {b} ada di daratan yang berbeda dan tidak ada penyeberangan di "
                  "layer crossings yang menghubungkannya untuk {profile}: tambahkan penyeberangan (pelabuhan ke "
                  "pelabuhan, duration_minutes, vehicles termasuk {profile}) ke layer crossings, atau pindahkan titiknya",
                  en="{a} and {b} are on different land masses and no crossing in the crossings layer joins them "
                  "for a {profile}: add a crossing (port to port, duration_minutes, vehicles including {profile}) "
                  "to the crossings layer, or move the stop", a=a, b=b, profile=profile)))
        raise InputError(problems)

    def path(self, a: Point, b: Point, profile: str) -> list[Point]:
        """Straight segments, through the ports of the crossings used between land masses."""
        pts, n, dur_all, _dist, lm, lmp, G, _Gd, nxt, port_pts = self._solve([a, b], profile)
        if lm[0] == lm[1] or not len(lmp):
            return [tuple(a), tuple(b)]
        best, pair = _INF, None
        for p in range(len(lmp)):
            if lmp[p] != lm[0]:
                continue
            for q in range(len(lmp)):
                if lmp[q] == lm[1] and np.isfinite(G[p, q]):
                    t = dur_all[0, n + p] + G[p, q] + dur_all[n + q, 1]
                    if t < best:
                        best, pair = t, (p, q)
        if pair is None:
            return [tuple(a), tuple(b)]
        p, q = pair
        line = [tuple(a), port_pts[p]]
        while p != q:
            p = int(nxt[p, q])
            line.append(port_pts[p])
        return line + [tuple(b)]


__all__ = ["LAND_BUFFER_DEG", "IslandTravel", "land_masses"]
