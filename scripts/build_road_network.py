#!/usr/bin/env python3
"""Build the APPROXIMATE default road network of Kolaka Utara from the shared reference data.

No road geometry for the regency exists offline, so this script draws a stand-in from real
geography in ``<shared>`` (``villages.csv``, ``coastline_approx.geojson``,
``village_adjacency.csv``) and writes ``<out>`` (GeoPackage, layer ``roads``):

* **trunk**: the coastal trans-Sulawesi road. The 52 coastal villages (``is_coastal``) are
  ordered by where their stop point (``pop_lon/pop_lat``) projects onto the coastline, and
  consecutive ones are joined by a straight segment, south to north.
* **feeder**: roads to the 81 inland villages along neighbouring villages. On the graph of
  villages that share a border (``village_adjacency.csv``; edge length = straight distance
  between stop points) a multi-source shortest-path tree from all coastal villages gives each
  inland village its parent (a coastal village or an inland one nearer the coast); a straight
  feeder segment joins the two stop points.

Every village stop point is a vertex, so each village (and the Dukcapil office, which is the
Kelurahan Lasusua point) lies on the network. Speeds: the nominal averages are trunk 50 km/h by
car / 45 by motorbike and feeder 25 / 25 km/h; the straight chords drawn are shorter than the
winding real roads (by an assumed factor of :data:`CHORD_FACTOR` = 1.25), so the speeds stored
are nominal / 1.25 = trunk 40 / 36, feeder 20 / 20 km/h, and the travel times come out right
for the shorter lines (distances are correspondingly understated). Columns: ``road_class``
(trunk|feeder), ``speed_kmh`` (car), ``speed_kmh_motorbike``, ``oneway`` (false), ``source``
("approximate"), ``name``, ``from_code``, ``to_code``.

The script uses no random numbers; with ``OGR_CURRENT_DATE`` fixed, two runs give
byte-identical files.

Usage: python scripts/build_road_network.py [--shared PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
EARTH_RADIUS_M = 6_371_008.8
CHORD_FACTOR = 1.25  # real road length / straight chord between village points (assumed)
NOMINAL_KMH = {"trunk": (50.0, 45.0), "feeder": (25.0, 25.0)}  # (car, motorbike)
SPEEDS = {cls: tuple(round(s / CHORD_FACTOR, 1) for s in v) for cls, v in NOMINAL_KMH.items()}
FIXED_DATE = "2026-01-01T00:00:00Z"  # GeoPackage timestamps, for byte-identical output


def haversine_m(lon1, lat1, lon2, lat2):
    """Great-circle distance in metres."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(x, dtype=float)) for x in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def build(shared: Path):
    """The roads as a GeoDataFrame (EPSG:4326)."""
    import geopandas as gpd
    import shapely
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    v = pd.read_csv(shared / "villages.csv", dtype={"code": str})
    v = v.sort_values("code").reset_index(drop=True)
    v["x"], v["y"] = v["pop_lon"].round(6), v["pop_lat"].round(6)
    coast = gpd.read_file(shared / "coastline_approx.geojson").geometry.iloc[0]
    parts = list(getattr(coast, "geoms", [coast]))
    coastline = max(parts, key=lambda g: g.length)  # the main Teluk Bone coast (the rest are islets)

    rows = []

    def add(cls: str, a: int, b: int) -> None:
        car, moto = SPEEDS[cls]
        rows.append({
            "road_class": cls, "speed_kmh": car, "speed_kmh_motorbike": moto, "oneway": False,
            "source": "approximate", "name": f"{v.at[a, 'name']} - {v.at[b, 'name']}",
            "from_code": v.at[a, "code"], "to_code": v.at[b, "code"],
            "geometry": shapely.LineString([(v.at[a, "x"], v.at[a, "y"]), (v.at[b, "x"], v.at[b, "y"])]),
        })

    # trunk: coastal villages in coastline order
    coastal = v.index[v["is_coastal"].astype(str).str.lower() == "true"].to_numpy()
    along = np.array([coastline.project(shapely.Point(v.at[i, "x"], v.at[i, "y"])) for i in coastal])
    order = coastal[np.lexsort((coastal, along))]
    # the coastline runs from the south-east end; draw the trunk south to north
    if v.at[order[0], "y"] > v.at[order[-1], "y"]:
        order = order[::-1]
    for a, b in zip(order[:-1], order[1:]):
        add("trunk", int(a), int(b))

    # feeders: shortest-path tree over shared borders from all coastal villages
    adj = pd.read_csv(shared / "village_adjacency.csv", dtype={"code_a": str, "code_b": str})
    idx = {c: i for i, c in enumerate(v["code"])}
    ia = adj["code_a"].map(idx).to_numpy()
    ib = adj["code_b"].map(idx).to_numpy()
    w = haversine_m(v["x"].to_numpy()[ia], v["y"].to_numpy()[ia], v["x"].to_numpy()[ib], v["y"].to_numpy()[ib])
    n = len(v)
    graph = csr_matrix((np.r_[w, w], (np.r_[ia, ib], np.r_[ib, ia])), shape=(n, n))
    _, pred, _ = dijkstra(graph, directed=False, indices=order, min_only=True, return_predecessors=True)
    inland = [i for i in range(n) if i not in set(order.tolist())]
    orphans = [i for i in inland if pred[i] < 0]
    if orphans:
        raise SystemExit(f"inland villages with no neighbour path to the coast: {[v.at[i, 'name'] for i in orphans]}")
    for i in inland:  # in code order
        add("feeder", int(pred[i]), int(i))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326"), len(order), len(inland)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data" / "kolaka_utara")
    ap.add_argument("--out", type=Path, default=REPO / "data" / "kolaka_utara" / "roads.gpkg")
    args = ap.parse_args()
    roads, n_coastal, n_inland = build(args.shared)
    os.environ["OGR_CURRENT_DATE"] = FIXED_DATE
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, prefix=f".{args.out.name}.", suffix=".gpkg")
    os.close(fd)
    os.unlink(tmp)  # GDAL creates the file itself
    try:
        roads.to_file(tmp, layer="roads", driver="GPKG")
        os.chmod(tmp, 0o644)
        os.replace(tmp, args.out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    length = haversine_m(*np.array([np.r_[g.coords[0], g.coords[-1]] for g in roads.geometry]).T)
    km = pd.Series(length / 1000).groupby(roads["road_class"]).sum()
    print(f"Wrote {args.out}: {len(roads)} segments; trunk {km.get('trunk', 0):.1f} km through {n_coastal} "
          f"coastal villages, feeders {km.get('feeder', 0):.1f} km to {n_inland} inland villages.")


if __name__ == "__main__":
    main()
