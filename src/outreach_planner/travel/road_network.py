"""Road-network travel: shortest paths on a road line layer.

The model reads a line layer (GeoPackage, GeoJSON or Shapefile), turns every segment
between two consecutive vertices into a graph edge (vertices of different lines that
share coordinates, rounded to 1e-6 degrees, become one junction), snaps each stop to
the nearest point of the nearest road it may use, and finds the fastest path between
every pair of stops with :func:`scipy.sparse.csgraph.dijkstra`.

Columns read (all optional):

``road_class`` (or ``highway``, as in an OpenStreetMap export)
    Picks the default speed per profile from :data:`DEFAULT_CLASS_SPEEDS_KMH`
    (``*_link`` counts as its road class; a class the table does not know, or an empty
    cell, uses the ``default`` row). A speed of 0 closes the class to that profile
    (e.g. footpaths for cars).
``speed_kmh_<profile>`` (e.g. ``speed_kmh_motorbike``), then ``speed_kmh``
    Average speed on the road, km/h; overrides the class table where positive.
``oneway``
    ``true``/``yes``/``1``: only in the direction the line is drawn; ``-1``/``reverse``:
    only against it; anything else (or empty): both ways.

Units and exactness
-------------------
Each edge carries an integer time (milliseconds, or a power-of-two multiple of them on
a very large network) and an integer length (centimetres to metres), packed into one
float64 weight ``time * 2**k + length`` with ``2**k`` above any path's length. Dijkstra
then minimises time and, among equally fast paths, length; the sums are exact integers,
so a pair's figures never depend on which other stops are in the same request (the plan
validator asks for sub-matrices of single routes and compares them with the planner's).

Stops
-----
A stop joins the road at its snap point by an *access leg* in a straight line at
:data:`ACCESS_SPEED_KMH` (walking, or a motorbike on a footpath); the way between two
stops is always access leg, road, access leg, so the figures obey the triangle
inequality (stops at the same point are 0 apart). A stop further than ``snap_warn_m`` from any road
gets an :class:`~outreach_planner.errors.InputWarning` with the distance; one further
than ``snap_max_m`` is an input error, and so is a stop whose road is not connected to
the rest of the network (the error names the stops and the part of the network each is
on). Durations are whole seconds rounded up, distances whole metres.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError, InputWarning, Problem
from ..i18n import _
from .base import Point
from .cache import MatrixCache, file_digest, matrix_key, rounded_points
from .great_circle import haversine_m

#: Bump when the way matrices are computed changes (old cache files are then ignored).
MODEL_VERSION = 1
#: Speed of the leg between a stop and its snap point, km/h (walking pace or a motorbike on a footpath).
ACCESS_SPEED_KMH = 10.0
#: A stop snapped from further than this (metres) gets a warning.
SNAP_WARN_M = 2_000.0
#: A stop further than this (metres) from every road is an input error (wrong network or wrong coordinates).
SNAP_MAX_M = 100_000.0
#: Dijkstra sources per batch (bounds the memory of one batch to batch x nodes x 8 bytes).
BATCH_SOURCES = 256
#: Matrix cells kept in memory per profile to answer sub-matrix requests (16 bytes each).
MEMORY_CELLS = 20_000_000
#: Sources x graph nodes above which the all-pairs search is split over worker processes.
PARALLEL_MIN_WORK = 5_000_000

# Average speeds per road class, km/h, (car, motorbike); 0 = closed to that profile.
# The classes are OpenStreetMap's ``highway`` values plus ``feeder`` (the approximate
# default network). Rural Sulawesi speeds: narrow, winding, mixed traffic.
_CLASS_TABLE: dict[str, tuple[float, float]] = {
    "motorway": (80, 70),
    "trunk": (50, 45),
    "primary": (45, 40),
    "secondary": (40, 35),
    "tertiary": (30, 30),
    "feeder": (25, 25),
    "unclassified": (25, 25),
    "road": (25, 25),
    "residential": (20, 20),
    "service": (15, 15),
    "living_street": (10, 10),
    "track": (10, 15),
    "path": (0, 10),
    "bridleway": (0, 8),
    "cycleway": (0, 10),
    "footway": (0, 8),
    "pedestrian": (0, 8),
    "steps": (0, 0),
    "construction": (0, 0),
    "proposed": (0, 0),
    "abandoned": (0, 0),
    "platform": (0, 0),
    "corridor": (0, 0),
    "elevator": (0, 0),
    "bus_guideway": (0, 0),
    "raceway": (0, 0),
    "default": (25, 25),
}
#: Speed per profile and road class, km/h: ``{profile: {class: km/h}}``.
DEFAULT_CLASS_SPEEDS_KMH: dict[str, dict[str, float]] = {
    prof: {cls: float(speeds[i]) for cls, speeds in _CLASS_TABLE.items()}
    for i, prof in enumerate(("car", "motorbike"))
}

_NODE_SCALE = 1e6  # junctions: coordinates rounded to 1e-6 degrees
_PREFERRED_LAYER = "roads"
_TRUE = {"true", "yes", "1", "y", "t"}
_REVERSE = {"-1", "reverse"}


# --------------------------------------------------------------------------- reading the layer
def _choose_layer(path: Path, layer: str | None) -> str | None:
    """The layer to read: ``layer``; else ``roads``; else the only one; else the first with lines."""
    import pyogrio

    layers = pyogrio.list_layers(path)
    names = [str(x[0]) for x in layers]
    if layer is not None:
        if layer not in names:
            raise InputError([Problem(path.name, _("roads.layer", id="layer {layer}", en="layer {layer}",
                                                   layer=repr(layer)), "", layer,
                                      _("roads.layer_not_found", id="layer tidak ditemukan; berkas ini berisi: {names}",
                                        en="layer not found; the file has: {names}", names=", ".join(names)))])
        return layer
    if len(names) <= 1:
        return names[0] if names else None
    if _PREFERRED_LAYER in names:
        return _PREFERRED_LAYER
    for name, gtype in layers:
        if gtype and "LineString" in str(gtype):
            return str(name)
    return names[0]


def inspect_network(path: str | Path, layer: str | None = None) -> list[str]:
    """Cheap checks of a road layer: what is wrong with it (empty list when it looks usable).

    Used by the workspace reader; reads the layer's metadata, not its features.
    """
    import pyogrio

    p = Path(path)
    if not p.is_file():
        return [_("roads.file_missing", id="berkas tidak ditemukan: {path}", en="file not found: {path}", path=p)]
    try:
        name = _choose_layer(p, layer)
        info = pyogrio.read_info(p, layer=name)
    except InputError as exc:
        return [pr.message for pr in exc.problems]
    except Exception as exc:  # corrupt or not a spatial file
        return [_("roads.unreadable", id="layer jalan tidak bisa dibaca: {exc}", en="cannot read the road layer: {exc}",
                  exc=exc)]
    gtype = str(info.get("geometry_type") or "")
    if info.get("features", 0) == 0:
        return [_("roads.no_features", id="layer jalan tidak berisi fitur (tidak ada garis)",
                  en="the road layer has no features (no lines)")]
    if "LineString" not in gtype and gtype not in ("Unknown", "Geometry", "GeometryCollection", ""):
        return [_("roads.not_lines", id="layer jalan berisi fitur {gtype}, bukan garis (LineString/MultiLineString)",
                  en="the road layer holds {gtype} features, not lines (LineString/MultiLineString)", gtype=gtype)]
    return []


@dataclass
class _Roads:
    """The network read from the file, profile independent."""

    source: str
    nodes: np.ndarray  # (N, 2) lon, lat (rounded to 1e-6)
    u: np.ndarray  # (E,) segment start node
    v: np.ndarray  # (E,) segment end node
    length_m: np.ndarray  # (E,) haversine length
    oneway: np.ndarray  # (E,) bool: only u -> v
    road_class: np.ndarray  # (E,) str
    speeds: dict[str, np.ndarray]  # column name -> (E,) km/h (nan where empty)
    lat0: float
    lines: np.ndarray  # the layer's LineStrings (WGS84), for drawing
    line_class: np.ndarray  # road class of each line


def _read_roads(path: Path, layer: str | None) -> _Roads:
    import geopandas as gpd
    import pandas as pd
    import shapely

    source = path.name
    if not path.is_file():
        raise InputError([Problem(source, "", "", str(path),
                                  _("roads.network_missing", id="berkas jaringan jalan tidak ditemukan: {path}",
                                    en="road network file not found: {path}", path=path))])
    try:
        name = _choose_layer(path, layer)
        gdf = gpd.read_file(path, layer=name) if name else gpd.read_file(path)
    except InputError:
        raise
    except Exception as exc:
        raise InputError([Problem(source, "", "", None,
                                  _("roads.unreadable", id="layer jalan tidak bisa dibaca: {exc}",
                                    en="cannot read the road layer: {exc}", exc=exc))]) from None
    if name and path.suffix.lower() == ".gpkg":
        source = _("roads.source", id="{file} (layer {name})", en="{file} (layer {name})", file=path.name, name=name)
    if gdf.crs is None:
        b = gdf.total_bounds if len(gdf) else np.zeros(4)
        if not (-180 <= b[0] <= b[2] <= 180 and -90 <= b[1] <= b[3] <= 90):
            raise InputError([Problem(source, "", "crs", None,
                                      _("roads.no_crs", id="layer tidak punya CRS dan koordinatnya bukan derajat WGS84; "
                                        "simpan dengan CRS-nya (mis. EPSG:32751) atau dalam EPSG:4326",
                                        en="the layer has no CRS and its coordinates are not WGS84 degrees; "
                                        "save it with its CRS (e.g. EPSG:32751) or in EPSG:4326"))])
    elif gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    gdf = gdf.reset_index(drop=True)
    gdf["__feature"] = np.arange(1, len(gdf) + 1)  # 1-based position in the file, for messages
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf = gdf[gdf.geometry.geom_type.isin(["LineString", "MultiLineString"])]
    gdf = gdf.explode(index_parts=False).reset_index(drop=True)
    gdf = gdf[gdf.geometry.geom_type == "LineString"].reset_index(drop=True)
    if gdf.empty:
        raise InputError([Problem(source, "", "geometry", None,
                                  _("roads.no_lines", id="layer jalan tidak berisi garis (LineString atau "
                                    "MultiLineString)", en="the road layer has no lines (LineString or MultiLineString)"))])

    problems: list[Problem] = []
    cols = {str(c).strip().lower(): c for c in gdf.columns if c not in (gdf.geometry.name, "__feature")}

    def text(col: str) -> np.ndarray:
        if col not in cols:
            return np.full(len(gdf), "", dtype=object)
        s = gdf[cols[col]]
        return np.array(["" if pd.isna(x) else str(x).strip().lower() for x in s], dtype=object)

    cls = text("road_class") if "road_class" in cols else text("highway")
    cls = np.array([c.split(";")[0].removesuffix("_link") for c in cls], dtype=object)
    ow_text = text("oneway")
    if "oneway" in cols and gdf[cols["oneway"]].dtype == bool:
        ow_text = np.where(gdf[cols["oneway"]].to_numpy(), "true", "false")
    forward = np.isin(ow_text, list(_TRUE))
    reverse = np.isin(ow_text, list(_REVERSE))

    speeds_feat: dict[str, np.ndarray] = {}
    for col in cols:
        if col == "speed_kmh" or col.startswith("speed_kmh_"):
            raw = gdf[cols[col]]
            num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
            bad = np.isnan(num) & raw.notna().to_numpy() & (raw.astype(str).str.strip() != "").to_numpy()
            for i in np.flatnonzero(bad)[:20]:
                problems.append(Problem(source, _("roads.feature", id="fitur {n}", en="feature {n}",
                                                  n=gdf['__feature'].iloc[i]), cols[col], raw.iloc[i],
                                        _("roads.bad_speed", id="seharusnya kecepatan dalam km/jam (angka) atau sel "
                                          "kosong", en="expected a speed in km/h (a number) or an empty cell")))
            speeds_feat[col] = np.where(num > 0, num, np.nan)
    if problems:
        raise InputError(problems)

    geoms = gdf.geometry.to_numpy()
    rev_idx = np.flatnonzero(reverse)
    if len(rev_idx):
        geoms = geoms.copy()
        geoms[rev_idx] = shapely.reverse(geoms[rev_idx])
    xy, line = shapely.get_coordinates(geoms, return_index=True)
    micro = np.rint(xy * _NODE_SCALE).astype(np.int64)
    keys, inv = np.unique(micro, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    nodes = keys.astype(float) / _NODE_SCALE
    same = line[1:] == line[:-1]
    u, v, feat = inv[:-1][same], inv[1:][same], line[:-1][same]
    keep = u != v
    u, v, feat = u[keep], v[keep], feat[keep]
    if len(u) == 0:
        raise InputError([Problem(source, "", "geometry", None,
                                  _("roads.no_length", id="garis jalan tidak punya panjang",
                                    en="the road lines have no length"))])
    length = haversine_m(nodes[u, 0], nodes[u, 1], nodes[v, 0], nodes[v, 1])
    return _Roads(
        source=source, nodes=nodes, u=u.astype(np.int64), v=v.astype(np.int64), length_m=length,
        oneway=(forward | reverse)[feat], road_class=cls[feat],
        speeds={k: a[feat] for k, a in speeds_feat.items()}, lat0=float(np.mean(nodes[:, 1])),
        lines=geoms, line_class=cls,
    )


# --------------------------------------------------------------------------- one profile's graph
@dataclass
class _Graph:
    """The edges one profile may use, with packed integer weights, and a snapping index."""

    edge: np.ndarray  # (Ep,) indices into _Roads segments
    u: np.ndarray
    v: np.ndarray
    oneway: np.ndarray
    t: np.ndarray  # (Ep,) int64 time units
    d: np.ndarray  # (Ep,) int64 length units
    w: np.ndarray  # (Ep,) int64 packed weight t * 2**k + d
    k: int  # length bits
    time_unit_ms: int
    dist_unit_m: float
    tree: object  # shapely STRtree over scaled segments
    scale_x: float


def _bits(x: float) -> int:
    return max(1, int(math.ceil(math.log2(x + 2))))


def _units(total_len_m: float, total_time_s: float) -> tuple[int, float, int]:
    """(length bits, length unit m, time unit ms) so that any path's packed weight stays below 2**53."""
    dist_units = (0.01, 0.1, 1.0, 10.0, 100.0)
    di, tu = 0, 1
    while True:
        k = _bits(total_len_m / dist_units[di])
        kt = _bits(total_time_s * 1000 / tu)
        if k + kt <= 52:
            return k, dist_units[di], tu
        if dist_units[di] < 1.0:
            di += 1
        elif tu < 1024:
            tu *= 2
        elif di < len(dist_units) - 1:
            di += 1
        else:
            raise ValueError(_("roads.too_large", id="jaringan jalan terlalu besar untuk waktu tempuh bilangan bulat "
                               "yang tepat", en="the road network is too large for exact integer travel times"))


# --------------------------------------------------------------------------- the model
class RoadNetwork:
    """Travel times and distances along a road line layer (see the module docstring).

    Parameters
    ----------
    path
        The road layer file (``.gpkg``, ``.geojson``, ``.shp``).
    layer
        Layer of a multi-layer file; default ``roads``, or the only (or first line) layer.
    class_speeds_kmh
        ``{profile: {road class: km/h}}``; default :data:`DEFAULT_CLASS_SPEEDS_KMH`. Its
        profiles are the vehicle profiles the model knows.
    access_speed_kmh
        Speed of the straight leg between a stop and the road, km/h.
    snap_warn_m, snap_max_m
        Snap distances (metres) above which a stop gets a warning, or is refused.
    cache_dir
        Folder of the on-disk matrix cache (``None``: no disk cache).
    place_names
        Names for stops in messages, by (lon, lat) rounded to 6 decimals; e.g.
        ``{(120.883078, -3.504508): "depot dukcapil_lasusua"}``.
    workers
        Processes for a large all-pairs search (default: the usable cores). SciPy's
        Dijkstra holds the GIL, so the sources are split over forked processes; this
        happens only on Linux, when no other thread runs (forking a threaded process is
        unsafe), and for searches of more than :data:`PARALLEL_MIN_WORK` source x node steps.
    """

    name = "road_network"

    def __init__(
        self,
        path: str | Path,
        *,
        layer: str | None = None,
        class_speeds_kmh: Mapping[str, Mapping[str, float]] | None = None,
        access_speed_kmh: float = ACCESS_SPEED_KMH,
        snap_warn_m: float = SNAP_WARN_M,
        snap_max_m: float = SNAP_MAX_M,
        cache_dir: str | Path | None = None,
        place_names: Mapping[tuple[float, float], str] | None = None,
        workers: int | None = None,
    ):
        if access_speed_kmh <= 0:
            raise ValueError(_("roads.access_speed", id="access_speed_kmh harus positif",
                               en="access_speed_kmh must be positive"))
        self.network_path = Path(path)
        self.layer = layer
        self.class_speeds_kmh = {p: dict(t) for p, t in (class_speeds_kmh or DEFAULT_CLASS_SPEEDS_KMH).items()}
        for p, t in self.class_speeds_kmh.items():
            t.setdefault("default", DEFAULT_CLASS_SPEEDS_KMH.get(p, {}).get("default", 25.0))
        self.access_speed_kmh = float(access_speed_kmh)
        self.snap_warn_m = float(snap_warn_m)
        self.snap_max_m = float(snap_max_m)
        self.cache = MatrixCache(cache_dir)
        self.workers = int(workers) if workers else len(os.sched_getaffinity(0)) if hasattr(
            os, "sched_getaffinity") else (os.cpu_count() or 1)
        self._names = {(round(float(x), 6), round(float(y), 6)): n for (x, y), n in (place_names or {}).items()}
        self._roads: _Roads | None = None
        self._graphs: dict[str, _Graph] = {}
        self._memory: dict[str, list[tuple[dict[tuple[int, int], int], np.ndarray, np.ndarray]]] = {}
        self._paths: dict[tuple, list[Point]] = {}
        self._warned: set[tuple[int, int]] = set()
        #: How many times the all-pairs shortest paths were computed (for tests and benchmarks).
        self.computations = 0

    # -- set-up ------------------------------------------------------------
    @property
    def roads(self) -> _Roads:
        """The network, read on first use."""
        if self._roads is None:
            self._roads = _read_roads(self.network_path, self.layer)
        return self._roads

    def road_lines(self) -> list[list[Point]]:
        """The lines of the road layer as (lon, lat) lists, for drawing (reads the layer if needed)."""
        import shapely

        return [[(float(x), float(y)) for x, y in shapely.get_coordinates(g)] for g in self.roads.lines]

    def _speeds(self, profile: str) -> dict[str, float]:
        try:
            return self.class_speeds_kmh[profile]
        except KeyError:
            raise ValueError(_("roads.no_profile", id="tidak ada kecepatan jalan untuk jenis kendaraan {profile}; "
                               "yang ada: {known}", en="no road speeds for vehicle profile {profile}; known: {known}",
                               profile=repr(profile), known=", ".join(sorted(self.class_speeds_kmh)))) from None

    def _graph(self, profile: str) -> _Graph:
        if profile in self._graphs:
            return self._graphs[profile]
        import shapely

        table = self._speeds(profile)
        r = self.roads
        speed = np.array([table.get(c, table["default"]) for c in r.road_class], dtype=float)
        for col in ("speed_kmh", f"speed_kmh_{profile}"):  # the profile's own column wins
            if col in r.speeds:
                speed = np.where(np.isnan(r.speeds[col]), speed, r.speeds[col])
        edge = np.flatnonzero(speed > 0)
        if len(edge) == 0:
            raise InputError([Problem(r.source, "", "road_class", None,
                                      _("roads.closed_to", id="tidak ada jalan di layer ini yang bisa dilalui {profile} "
                                        "(periksa road_class/speed_kmh)", en="no road in the layer is open to a "
                                        "{profile} (check road_class/speed_kmh)", profile=profile))])
        length = r.length_m[edge]
        secs = length / (speed[edge] / 3.6)
        access_s = self.snap_max_m / (self.access_speed_kmh / 3.6)
        k, du, tu = _units(float(length.sum()) + 2 * self.snap_max_m, float(secs.sum()) + 2 * access_s)
        t = np.maximum(1, np.rint(secs * 1000 / tu)).astype(np.int64)
        d = np.rint(length / du).astype(np.int64)
        u, v = r.u[edge], r.v[edge]
        sx = math.cos(math.radians(r.lat0))
        a, b = r.nodes[u], r.nodes[v]
        segs = shapely.linestrings(np.stack([np.c_[a[:, 0] * sx, a[:, 1]], np.c_[b[:, 0] * sx, b[:, 1]]], axis=1))
        g = _Graph(edge=edge, u=u, v=v, oneway=r.oneway[edge], t=t, d=d, w=(t << k) + d, k=k,
                   time_unit_ms=tu, dist_unit_m=du, tree=shapely.STRtree(segs), scale_x=sx)
        self._graphs[profile] = g
        return g

    def _params(self, profile: str) -> dict:
        if not self.network_path.is_file():
            raise InputError([Problem(self.network_path.name, "", "", str(self.network_path),
                                      _("roads.network_missing", id="berkas jaringan jalan tidak ditemukan: {path}",
                                        en="road network file not found: {path}", path=self.network_path))])
        return {
            "model": self.name, "version": MODEL_VERSION, "network": file_digest(self.network_path),
            "layer": self.layer, "profile": profile, "speeds": self._speeds(profile),
            "access_kmh": self.access_speed_kmh, "snap_max_m": self.snap_max_m,
        }

    # -- labels and warnings -----------------------------------------------
    def _label(self, micro_pt, i: int, labels: Sequence[str] | None) -> str:
        if labels is not None:
            return str(labels[i])
        key = (round(micro_pt[0] / _NODE_SCALE, 6), round(micro_pt[1] / _NODE_SCALE, 6))
        return self._names.get(key, _("roads.stop", id="titik {i}", en="stop {i}", i=i))

    def _warn_far(self, micro: np.ndarray, snap_m: np.ndarray, labels) -> None:
        for i in np.flatnonzero(snap_m > self.snap_warn_m):
            pt = (int(micro[i, 0]), int(micro[i, 1]))
            if pt in self._warned:
                continue
            self._warned.add(pt)
            warnings.warn(
                _("roads.far_warning", id="{label} (lon={lon}, lat={lat}) berjarak {km} km dari jalan terdekat "
                  "{file}; dicapai lewat jalur akses lurus {kmh} km/jam. Periksa koordinatnya atau layer jalan.",
                  en="{label} (lon={lon}, lat={lat}) lies {km} km from the nearest road of {file}; it is reached by a "
                  "straight access leg at {kmh} km/h. Check its coordinates or the road layer.",
                  label=self._label(micro[i], int(i), labels), lon=pt[0] / _NODE_SCALE, lat=pt[1] / _NODE_SCALE,
                  km=f"{snap_m[i] / 1000:.1f}", file=self.network_path.name, kmh=f"{self.access_speed_kmh:g}"),
                InputWarning, stacklevel=3)

    # -- snapping and the graph with the stops on it --------------------------
    def _snap(self, g: _Graph, micro: np.ndarray):
        """Per point: (edge index in ``g``, packed position along it, packed access weight, access metres,
        snap point lon/lat)."""
        r = self.roads
        pts = micro.astype(float) / _NODE_SCALE
        import shapely

        q = shapely.points(pts[:, 0] * g.scale_x, pts[:, 1])
        inp, hit = g.tree.query_nearest(q, all_matches=True)
        order = np.lexsort((hit, inp))
        inp, hit = inp[order], hit[order]
        first = np.r_[True, inp[1:] != inp[:-1]]
        e = np.empty(len(pts), dtype=np.int64)
        e[inp[first]] = hit[first]
        a, b = r.nodes[g.u[e]], r.nodes[g.v[e]]
        ax, bx, px = a[:, 0] * g.scale_x, b[:, 0] * g.scale_x, pts[:, 0] * g.scale_x
        dx, dy = bx - ax, b[:, 1] - a[:, 1]
        den = dx * dx + dy * dy
        frac = np.clip(np.where(den > 0, ((px - ax) * dx + (pts[:, 1] - a[:, 1]) * dy) / np.where(den > 0, den, 1), 0),
                       0.0, 1.0)
        snap = a + frac[:, None] * (b - a)
        acc_m = haversine_m(pts[:, 0], pts[:, 1], snap[:, 0], snap[:, 1])
        pos = (np.rint(frac * g.t[e]).astype(np.int64) << g.k) + np.rint(frac * g.d[e]).astype(np.int64)
        acc_s = acc_m / (self.access_speed_kmh / 3.6)
        acc_w = (np.rint(acc_s * 1000 / g.time_unit_ms).astype(np.int64) << g.k) + np.rint(
            acc_m / g.dist_unit_m).astype(np.int64)
        return e, pos, acc_w, acc_m, snap

    def _augmented(self, g: _Graph, e: np.ndarray, pos: np.ndarray, snap: np.ndarray):
        """The CSR graph with the interior snap points as extra nodes; node of each point; node coordinates."""
        from scipy.sparse import csr_matrix

        n_base = len(self.roads.nodes)
        node = np.where(pos <= 0, g.u[e], g.v[e])
        interior = (pos > 0) & (pos < g.w[e])
        extra_xy = np.empty((0, 2))
        chain_r = chain_c = chain_w = np.empty(0, dtype=np.int64)
        chain_ow = np.empty(0, dtype=bool)
        cut = np.zeros(len(g.u), dtype=bool)
        if interior.any():
            pairs, first, inv = np.unique(np.c_[e[interior], pos[interior]], axis=0, return_index=True,
                                          return_inverse=True)
            inv = inv.reshape(-1)
            new_ids = n_base + np.arange(len(pairs))
            node[np.flatnonzero(interior)] = new_ids[inv]
            extra_xy = snap[np.flatnonzero(interior)[first]]
            es = np.unique(pairs[:, 0])
            cut[es] = True
            ce = np.r_[es, es, pairs[:, 0]]
            cp = np.r_[np.zeros(len(es), dtype=np.int64), g.w[es], pairs[:, 1]]
            cn = np.r_[g.u[es], g.v[es], new_ids]
            o = np.lexsort((cp, ce))
            ce, cp, cn = ce[o], cp[o], cn[o]
            same = ce[1:] == ce[:-1]
            chain_r, chain_c = cn[:-1][same], cn[1:][same]
            chain_w = (cp[1:] - cp[:-1])[same]
            chain_ow = g.oneway[ce[:-1][same]]
        keep = ~cut
        fr = np.r_[g.u[keep], chain_r]
        to = np.r_[g.v[keep], chain_c]
        w = np.r_[g.w[keep], chain_w]
        ow = np.r_[g.oneway[keep], chain_ow]
        rows = np.r_[fr, to[~ow]]
        cols = np.r_[to, fr[~ow]]
        ws = np.r_[w, w[~ow]]
        ok = rows != cols
        rows, cols, ws = rows[ok], cols[ok], ws[ok]
        o = np.lexsort((ws, cols, rows))
        rows, cols, ws = rows[o], cols[o], ws[o]
        first = np.r_[True, (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])]
        n = n_base + len(extra_xy)
        graph = csr_matrix((ws[first].astype(np.float64), (rows[first], cols[first])), shape=(n, n))
        return graph, node, extra_xy

    def _check_far(self, micro, acc_m, labels) -> None:
        far = np.flatnonzero(acc_m > self.snap_max_m)
        if len(far):
            raise InputError([
                Problem(self.roads.source, self._label(micro[i], int(i), labels), "lon/lat",
                        f"{micro[i, 0] / _NODE_SCALE}, {micro[i, 1] / _NODE_SCALE}",
                        _("roads.too_far", id="titik ini berjarak {km} km dari jalan terdekat (lebih dari {max} km "
                          "ditolak): apakah layer jalan mencakup daerah ini?", en="the stop lies {km} km from the "
                          "nearest road (more than {max} km is refused): does the road layer cover this area?",
                          km=f"{acc_m[i] / 1000:,.1f}", max=f"{self.snap_max_m / 1000:g}"))
                for i in far])

    def _check_connected(self, g: _Graph, graph, node, micro, labels) -> None:
        from scipy.sparse.csgraph import connected_components

        ncomp, comp = connected_components(graph, directed=True, connection="weak")
        stop_comp = comp[node]
        if len(np.unique(stop_comp)) <= 1:
            return
        km = np.bincount(comp[g.u], weights=self.roads.length_m[g.edge], minlength=ncomp) / 1000
        nstops = np.bincount(stop_comp, minlength=ncomp)
        main = max(np.unique(stop_comp), key=lambda c: (nstops[c], km[c], -c))
        rank = {int(c): i + 1 for i, c in enumerate(sorted(range(ncomp), key=lambda c: (-km[c], c)))}
        problems = []
        for i in np.flatnonzero(stop_comp != main):
            c = int(stop_comp[i])
            problems.append(Problem(
                self.roads.source, self._label(micro[i], int(i), labels), "lon/lat",
                f"{micro[i, 0] / _NODE_SCALE}, {micro[i, 1] / _NODE_SCALE}",
                _("roads.not_connected", id="titik ini ada di komponen jalan #{rank} ({km} km jalan, {n} titik), "
                  "yang tidak tersambung ke jaringan jalan utama (komponen #{main}: {main_km} km, {main_n} titik); "
                  "sambungkan jalan itu ke jaringan di layer jalan, atau perbaiki koordinat titiknya",
                  en="the stop is on road component #{rank} ({km} km of road, {n} stop(s)), which is not connected "
                  "to the main road network (component #{main}: {main_km} km, {main_n} stops); join that road to "
                  "the network in the road layer, or fix the stop's coordinates", rank=rank[c], km=f"{km[c]:,.1f}",
                  n=nstops[c], main=rank[int(main)], main_km=f"{km[main]:,.1f}", main_n=nstops[main])))
        raise InputError(problems)

    # -- the protocol ------------------------------------------------------
    def matrices(self, points: Sequence[Point], profile: str,
                 labels: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(durations_s, distances_m)`` as int32 (n, n) arrays along the fastest road paths.

        Computed over the distinct points only; a point given twice shares its rows. The
        arrays are read-only and may be the ones this model keeps in memory (no copy): pass
        distinct points (as ``Problem`` does, per place) to get exactly n x n cells.

        Parameters
        ----------
        points
            (lon, lat) WGS84 degrees; compared rounded to 1e-6 degrees.
        profile
            Vehicle profile (``car``, ``motorbike``, ...).
        labels
            Names of the points for error messages (default: names given at construction,
            else ``stop <index>``).

        Raises
        ------
        InputError
            A stop is not connected to the rest (or is unreachable one way), or lies
            further than ``snap_max_m`` from every road.
        ValueError
            Unknown profile.
        """
        micro = rounded_points(points)
        n = len(micro)
        self._speeds(profile)
        if n == 0:
            return np.zeros((0, 0), dtype=np.int32), np.zeros((0, 0), dtype=np.int32)
        hit = self._from_memory(profile, micro)
        if hit is not None:
            return hit
        key = matrix_key(self._params(profile), micro)
        stored = self.cache.get(key)
        if stored is not None and {"durations_s", "distances_m", "snap_m"} <= stored.keys() \
                and stored["durations_s"].shape == (n, n):
            dur, dist = _narrow(stored["durations_s"]), _narrow(stored["distances_m"])
            self._warn_far(micro, stored["snap_m"], labels)
        else:
            dur, dist, snap_m = self._compute(micro, profile, labels)
            self.cache.put(key, {"durations_s": dur, "distances_m": dist, "snap_m": snap_m})
        dur.flags.writeable = False
        dist.flags.writeable = False
        self._remember(profile, micro, dur, dist)
        return dur, dist

    def check_stops(self, points: Sequence[Point], profile: str, labels: Sequence[str] | None = None) -> None:
        """Check, without computing any path, that every stop reaches every other on ``profile``'s roads.

        What :meth:`matrices` would refuse is raised here, at a fraction of its cost: a stop too far
        from every road, or on a part of the network not joined to the main part (one-way dead ends
        show only in :meth:`matrices`). A far (but allowed) snap warns.

        Raises
        ------
        InputError
            The stops at fault, each named.
        ValueError
            Unknown profile.
        """
        micro = rounded_points(points)
        self._speeds(profile)
        if len(micro):
            _, uniq, _, names, _, acc_m, _, _ = self._joined(micro, profile, labels)
            self._warn_far(uniq, acc_m, names)

    def _joined(self, micro: np.ndarray, profile: str, labels):
        """Snap the distinct stops onto ``profile``'s graph and check them (too far, not connected).

        Returns the graph, the distinct stops, the inverse index of ``micro`` into them, their
        names, and per distinct stop its access weight and metres, the augmented graph and its node.
        """
        g = self._graph(profile)
        uniq, first, inv = np.unique(micro, axis=0, return_index=True, return_inverse=True)
        # names of the distinct points, as the caller's first point at each place
        names = [str(labels[f]) if labels is not None else self._label(uniq[j], int(f), None)
                 for j, f in enumerate(first)]
        e, pos, acc_w, acc_m, snap = self._snap(g, uniq)
        self._check_far(uniq, acc_m, names)
        graph, node, _ = self._augmented(g, e, pos, snap)
        self._check_connected(g, graph, node, uniq, names)
        return g, uniq, inv.reshape(-1), names, acc_w, acc_m, graph, node

    def _compute(self, micro: np.ndarray, profile: str, labels):
        from scipy.sparse.csgraph import dijkstra

        self.computations += 1
        g, uniq, inv, names, acc_w, acc_m, graph, node = self._joined(micro, profile, labels)
        src, src_of = np.unique(node, return_inverse=True)
        src_of = src_of.reshape(-1)
        if (self.workers > 1 and len(src) * graph.shape[0] >= PARALLEL_MIN_WORK and sys.platform == "linux"
                and threading.active_count() == 1):
            net = _parallel_dijkstra(graph, src, self.workers)
        else:
            net = np.empty((len(src), len(src)))
            for s in range(0, len(src), BATCH_SOURCES):
                block = dijkstra(graph, directed=True, indices=src[s:s + BATCH_SOURCES])
                net[s:s + BATCH_SOURCES] = block[:, src]
        # Rows in blocks, straight into the caller's order: no (u, u) float temporaries and
        # no expanded copy (a caller passing distinct points gets exactly u x u cells).
        n = len(inv)
        of = src_of[inv]  # caller point -> row/column of ``net``
        acc = acc_w.astype(np.float64)[inv]
        top = np.iinfo(np.int32).max
        dur = np.empty((n, n), dtype=np.int32)  # widened to int64 only if a figure does not fit
        dist = np.empty((n, n), dtype=np.int32)
        bad: list[tuple[int, int]] = []  # (distinct point, distinct point) without a path
        step = max(1, (1 << 20) // max(n, 1))
        mask = (1 << g.k) - 1
        for r0 in range(0, n, step):
            rows = slice(r0, r0 + step)
            cost = net[of[rows]][:, of]
            cost += acc[rows, None]
            cost += acc[None, :]
            cost[inv[rows, None] == inv[None, :]] = 0.0  # same place (the diagonal)
            if not np.isfinite(cost).all():
                if len(bad) < 10_000:
                    bad.extend((int(inv[r0 + i]), int(inv[j])) for i, j in np.argwhere(~np.isfinite(cost))[:10_000])
                continue
            tot = cost.astype(np.int64)
            bdur = ((tot >> g.k) * g.time_unit_ms + 999) // 1000
            bdist = np.rint((tot & mask) * g.dist_unit_m).astype(np.int64)
            if dur.dtype == np.int32 and max(int(bdur.max(initial=0)), int(bdist.max(initial=0))) > top:
                dur, dist = dur.astype(np.int64), dist.astype(np.int64)
            dur[rows] = bdur
            dist[rows] = bdist
        if bad:
            raise InputError([
                Problem(self.roads.source, f"{names[i]} -> {names[j]}", "oneway", None,
                        _("roads.no_path", id="tidak ada jalan ke arah ini (jalan satu arah membuat titik ini tanpa "
                          "jalan keluar atau masuk)", en="no road path in this direction (one-way roads leave the "
                          "stop without a way out or in)"))
                for i, j in sorted(set(bad))[:20]])
        self._warn_far(uniq, acc_m, names)
        return dur, dist, acc_m[inv]

    # -- memory: sub-matrices of what was computed already ---------------------
    def _from_memory(self, profile: str, micro: np.ndarray):
        pts = [(int(x), int(y)) for x, y in micro]
        for index, dur, dist in reversed(self._memory.get(profile, [])):
            try:
                idx = np.fromiter((index[p] for p in pts), dtype=np.int64, count=len(pts))
            except KeyError:
                continue
            if len(idx) == len(dur) and (idx == np.arange(len(idx))).all():
                return dur, dist  # the same request: the kept (read-only) arrays, no copy
            sub = dur[np.ix_(idx, idx)], dist[np.ix_(idx, idx)]
            for a in sub:
                a.flags.writeable = False
            return sub
        return None

    def _remember(self, profile: str, micro: np.ndarray, dur: np.ndarray, dist: np.ndarray) -> None:
        index = {(int(x), int(y)): i for i, (x, y) in enumerate(micro)}
        entries = self._memory.setdefault(profile, [])
        entries.append((index, dur, dist))
        while len(entries) > 1 and sum(e[1].size for e in entries) > MEMORY_CELLS:
            entries.pop(0)

    def path(self, a: Point, b: Point, profile: str) -> list[Point]:
        """The line along the roads from ``a`` to ``b``: access leg, road vertices, access leg.

        The same path whose time and length :meth:`matrices` reports (a straight segment
        when the two points coincide).
        """
        micro = rounded_points([a, b])
        ck = (profile, *map(int, micro.ravel()))
        if ck in self._paths:
            return list(self._paths[ck])
        a, b = (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))
        if (micro[0] == micro[1]).all():
            return [a, b]
        from scipy.sparse.csgraph import dijkstra

        g = self._graph(profile)
        e, pos, acc_w, acc_m, snap = self._snap(g, micro)
        self._check_far(micro, acc_m, None)
        graph, node, extra_xy = self._augmented(g, e, pos, snap)
        dist, pred = dijkstra(graph, directed=True, indices=int(node[0]), return_predecessors=True)
        if not np.isfinite(dist[node[1]]):
            self._check_connected(g, graph, node, micro, None)
            raise InputError([Problem(self.roads.source, f"{self._label(micro[0], 0, None)} -> "
                                      f"{self._label(micro[1], 1, None)}", "oneway", None,
                                      _("roads.no_path_oneway", id="tidak ada jalan ke arah ini (jalan satu arah)",
                                        en="no road path in this direction (one-way roads)"))])
        coords = np.r_[self.roads.nodes, extra_xy] if len(extra_xy) else self.roads.nodes
        seq = [int(node[1])]
        while seq[-1] != node[0]:
            seq.append(int(pred[seq[-1]]))
        line = [a] + [(float(x), float(y)) for x, y in coords[seq[::-1]]] + [b]
        line = [p for k, p in enumerate(line) if k == 0 or p != line[k - 1]]
        if len(line) == 1:  # both snap to one point and lie on it
            line = [a, b]
        self._paths[ck] = line
        return list(line)


def _narrow(a: np.ndarray) -> np.ndarray:
    """``a`` as int32 when every entry fits (travel figures: whole seconds, whole metres), else int64."""
    info = np.iinfo(np.int32)
    if a.dtype == np.int32:
        return a
    if a.size == 0 or (a.min() >= info.min and a.max() <= info.max):
        return a.astype(np.int32)
    return a.astype(np.int64, copy=False)


_FORKED: tuple | None = None  # (graph, sources) inherited by forked workers


def _rows(bounds: tuple[int, int]) -> np.ndarray:
    from scipy.sparse.csgraph import dijkstra

    graph, src = _FORKED  # type: ignore[misc]
    lo, hi = bounds
    return dijkstra(graph, directed=True, indices=src[lo:hi])[:, src]


def _parallel_dijkstra(graph, src: np.ndarray, workers: int) -> np.ndarray:
    """All pairs between ``src`` nodes, the sources split over ``workers`` forked processes."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _FORKED
    step = min(BATCH_SOURCES, -(-len(src) // (2 * workers)))
    bounds = [(lo, min(lo + step, len(src))) for lo in range(0, len(src), step)]
    _FORKED = (graph, src)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            return np.vstack(list(pool.map(_rows, bounds)))
    finally:
        _FORKED = None


__all__ = ["ACCESS_SPEED_KMH", "DEFAULT_CLASS_SPEEDS_KMH", "RoadNetwork", "inspect_network"]
