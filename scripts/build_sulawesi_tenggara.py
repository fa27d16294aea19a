#!/usr/bin/env python3
"""Build the embedded province default ``data/sulawesi_tenggara/`` from the shared reference data.

One complete workspace per regency (16 folders; Kabupaten Kolaka Utara, 74.08, is the existing default
``data/kolaka_utara``, listed in ``province.toml`` as ``../kolaka_utara`` and not rebuilt here) plus
``province.toml`` and ``README.md``. Reads ``<shared>/villages.geojson``, ``regencies.csv``,
``regencies.geojson`` and ``facilities.csv`` (real data, see the shared README). Everything SYNTHETIC is drawn
from ``numpy.random.default_rng(SEED)`` (one spawned stream per regency and layer): two runs give
byte-identical files.

Per regency:
- ``villages.geojson``: real codes, names, population-weighted points and polygons, simplified as a coverage
  (``shapely.coverage_simplify``, SIMPLIFY_DEG: neighbours keep shared edges, so the union has no new gaps);
  ``population`` = the shared ``pop_est_2025`` with a floor of POP_FLOOR; SYNTHETIC eligible/covered counts
  calibrated so the regency totals equal the regency's SYNTHETIC coverage (drawn per regency, see COVERAGE).
- ``home_visit_requests.csv``, ``deliveries.csv``: SYNTHETIC, as many as the regency's population calls for
  (one home visit per HV_PER people, one delivery per DL_PER; fictitious names, no NIK).
- ``crossings.csv``: APPROXIMATE sea crossings joining every land mass that holds a village to the office's
  (nearest village stop points, a tree grown from the office's land mass; duration from the straight distance
  at BOAT_KMH plus BOARD_MIN of boarding).
- ``regency.geojson``: the union of the simplified village polygons (each grown by LAND_BUFFER_DEG), so that
  every village point lies inside it (the shared regency outline leaves out tidal flats and islets).
- ``workspace.toml``: the office (approximate point), teams by the rule in :func:`teams_toml`, great-circle
  travel with ``islands = true`` (no road network exists for these regencies).

Usage: python scripts/build_sulawesi_tenggara.py [--shared PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_kolaka_utara as ku  # noqa: E402 - the shared helpers of the regency builder

SEED = 74_2026
REPO = Path(__file__).resolve().parents[1]
DEFAULT_REGENCY = "74.08"  # the existing default workspace data/kolaka_utara
SIMPLIFY_DEG = 0.001  # about 110 m: polygons are for the map and the land masses, not for areas
POP_FLOOR = 100  # people; GHS-POP misses small islands and villages over water (many get 0)
HV_PER, DL_PER = 2400, 1800  # people per SYNTHETIC home-visit request / delivery (Kolaka Utara: 60 / 80)
PEOPLE_PER_TEAM = 60_000  # one outreach team per started 60,000 people, 1 to 6 (Kolaka Utara: 3)
BOAT_KMH, BOARD_MIN = 15.0, 30  # approximate crossing: a motor boat or small ferry, plus boarding
LAND_BUFFER_DEG = 0.0003  # about 33 m: closes slivers between neighbouring polygons (as the planner does)
# SYNTHETIC regency coverage ranges (uniform, seeded), around the reported Kolaka Utara figures:
# ektp, kia, akta; cities (kota) get the upper part of each range.
COVERAGE = {"ektp": (0.90, 0.975), "kia": (0.25, 0.55), "akta": (0.85, 0.99)}
SHAPE = {"ektp": (0.60, 1.0, 0.55, 0.10), "kia": (0.05, 0.80, 0.85, 0.0), "akta": (0.70, 1.0, 1.10, 0.0)}


def slug(name: str) -> str:
    s = re.sub(r"^(kabupaten|kota)\s+", "", name.lower())
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def folder_name(code: str, name: str) -> str:
    return f"{code}_{slug(name)}"


def population(raw: np.ndarray, total: int) -> np.ndarray:
    """Scale to ``total``, floor at POP_FLOOR, re-scale the rest; ints summing to ``total``."""
    raw = np.nan_to_num(raw.astype(float))
    fixed = np.zeros(len(raw), dtype=bool)
    while True:
        p = np.where(fixed, POP_FLOOR, 0.0).astype(float)
        rest = raw[~fixed].sum()
        p[~fixed] = raw[~fixed] * (total - POP_FLOOR * fixed.sum()) / rest if rest > 0 else POP_FLOOR
        new = fixed | (p < POP_FLOOR)
        if (new == fixed).all():
            return ku.apportion(p, total)
        fixed = new


def calibrate(rng, eligible: np.ndarray, remote: np.ndarray, target: float, shape) -> np.ndarray:
    """As ``build_kolaka_utara.calibrate`` with the regency's own target (SYNTHETIC)."""
    lo, hi, spread, tail = shape
    return ku.calibrate_to(rng, eligible, remote, target, min(lo, target - 0.02), hi, spread, tail)


def land_masses(geoms) -> list:
    """Connected land masses of the village polygons (as ``travel.islands.land_masses`` computes them)."""
    polys = [g for g in geoms if g is not None and not g.is_empty]
    merged = shapely.union_all([g.buffer(LAND_BUFFER_DEG) for g in polys])
    return list(getattr(merged, "geoms", [merged]))


def crossings(v: gpd.GeoDataFrame, office: tuple[float, float], code: str) -> list[dict]:
    """Approximate crossings: a tree joining every land mass with a village to the office's."""
    masses = land_masses(v.geometry)
    tree = shapely.STRtree(masses)
    pts = shapely.points(v.pop_lon.to_numpy(), v.pop_lat.to_numpy())
    which = tree.query_nearest(pts, all_matches=False, return_distance=False)[1]
    home = int(tree.query_nearest(shapely.Point(office), all_matches=False)[0])
    groups = {int(k): np.flatnonzero(which == k) for k in np.unique(which)}
    joined, rows = {home}, []
    while len(joined) < len(groups):
        best = None
        for a in joined:
            ia = groups.get(a, np.array([], dtype=int))
            if not len(ia):
                continue
            for b, ib in groups.items():
                if b in joined:
                    continue
                d = ku.haversine_km(v.pop_lon.to_numpy()[ia][:, None], v.pop_lat.to_numpy()[ia][:, None],
                                    v.pop_lon.to_numpy()[ib][None, :], v.pop_lat.to_numpy()[ib][None, :])
                k = int(np.argmin(d))
                cand = (float(d.flat[k]), a, b, int(ia[k // d.shape[1]]), int(ib[k % d.shape[1]]))
                if best is None or cand[0] < best[0]:
                    best = cand
        if best is None:  # the office's land mass has no village: join from the office point
            b = min(groups, key=lambda g: ku.haversine_km(office[0], office[1], v.pop_lon.iloc[groups[g][0]],
                                                          v.pop_lat.iloc[groups[g][0]]))
            joined.add(b)
            continue
        km, a, b, i, j = best
        joined.add(b)
        va, vb = v.iloc[i], v.iloc[j]
        rows.append({
            "id": f"x{code.replace('.', '')}_{len(rows) + 1:02d}",
            "name": f"Penyeberangan {va['name']} - {vb['name']}",
            "from_name": f"Dermaga {va['name']}", "from_lon": f"{va.pop_lon:.6f}", "from_lat": f"{va.pop_lat:.6f}",
            "to_name": f"Dermaga {vb['name']}", "to_lon": f"{vb.pop_lon:.6f}", "to_lat": f"{vb.pop_lat:.6f}",
            "duration_minutes": int(math.ceil(BOARD_MIN + 60 * km / BOAT_KMH)),
            "vehicles": "car;motorbike", "departures": "", "approximate": "true",
        })
    return rows


def teams_toml(code: str, depot: str, pop: int) -> str:
    """Outreach teams: one per started PEOPLE_PER_TEAM people (1..6), 2 kits for the first two, 1 after; and
    one courier on a motorbike (capacity 40). No school team: the province data has no schools."""
    n = min(6, max(1, math.ceil(pop / PEOPLE_PER_TEAM)))
    out = []
    for k in range(1, n + 1):
        out.append(f"""[[teams]]
id = "tim{k}"
name = "Tim Jemput Bola {k}"
members = ["Petugas {k}A", "Petugas {k}B"]
vehicle = "car"
activities = ["village_session", "home_visit"]
services = ["ektp", "kia", "akta"]
recording_kits = {2 if k <= 2 else 1}
depot = "{depot}"
days = ["mon", "tue", "wed", "thu", "fri"]
""")
    out.append(f"""[[teams]]
id = "kurir"
name = "Kurir Dokumen"
members = ["Kurir 1"]
vehicle = "motorbike"
activities = ["delivery"]
delivery_capacity = 40
depot = "{depot}"
days = ["mon", "tue", "wed", "thu", "fri"]
""")
    return "\n".join(out)


def workspace_toml(reg, fac, kota: bool) -> str:
    base = (REPO / "data/kolaka_utara/workspace.toml").read_text(encoding="utf-8")
    services = base[base.index("[[services]]"):base.index("[[teams]]")]
    calendar = base[base.index("[calendar]"):base.index("# Services")]
    depot = f"dukcapil_{reg.code}"
    return f"""# Province default: {reg['name']} (Sulawesi Tenggara). Written by scripts/build_sulawesi_tenggara.py.
# Real: codes, names, boundaries, points, postal codes, population estimates.
# SYNTHETIC: per-village eligible/covered counts, home-visit requests, deliveries, teams.
# APPROXIMATE: the office point and the sea crossings. See ../README.md. Format: docs/workspace.md.

[regency]
code = "{reg.code}"
name = "{reg['name']}"
timezone = "Asia/Makassar"   # WITA, UTC+8

[[depots]]
id = "{depot}"
name = "Dinas Dukcapil {reg['name']} ({fac.village_name})"
lon = {float(fac.lon):.6f}   # approximate: population-weighted point of {fac.village_kind.title()} {fac.village_name}
lat = {float(fac.lat):.6f}

{calendar}{services}{teams_toml(reg.code, depot, int(reg.population_2025))}
[policy]
setup_minutes = 20
max_session_minutes = 120
home_visit_minutes = 40
delivery_stop_minutes = 5
min_session_people = 5

[travel]
# No road network for this regency: straight-line distance x circuity at these speeds (estimates,
# "perkiraan"). islands = true: stops on different land masses (of the village polygons) are joined only
# by the crossings layer.
model = "great_circle"
circuity = {1.25 if kota else 1.4}
islands = true

[travel.speed_kmh]
car = {30 if kota else 40}
motorbike = {28 if kota else 35}

[layers]
villages = "villages.geojson"
home_visit_requests = "home_visit_requests.csv"
deliveries = "deliveries.csv"
boundary = "regency.geojson"
crossings = "crossings.csv"
"""


def build_regency(rng_v, rng_hv, rng_dl, reg, fac, vill: gpd.GeoDataFrame, outline, out: Path) -> dict:
    v = vill[vill.regency_code == reg.code].sort_values("code").reset_index(drop=True).copy()
    kota = reg.kind == "kota"
    # the 2 villages without a source polygon: a 300 m disc around their (district) point
    nogeom = v.geometry.isna() | v.geometry.is_empty
    v.loc[nogeom, "geometry"] = gpd.GeoSeries(shapely.points(v.pop_lon[nogeom], v.pop_lat[nogeom])).buffer(0.0027).values
    v["geometry"] = shapely.coverage_simplify(shapely.make_valid(v.geometry.values), SIMPLIFY_DEG)
    v["population"] = population(v.pop_est_2025.to_numpy(dtype=float), int(reg.population_2025))
    v["area_km2"] = v.area_km2.fillna(1.0).clip(lower=0.05)
    pop = v.population.to_numpy()
    child = ku.CHILD_SHARE * (1 + rng_v.uniform(-ku.VARIATION, ku.VARIATION, len(v)))
    v["kia_eligible"] = np.rint(pop * child).astype(np.int64)
    v["ektp_eligible"] = pop - v.kia_eligible
    v["akta_eligible"] = np.rint(pop * child * ku.AKTA_SHARE / ku.CHILD_SHARE).astype(np.int64)
    office = (float(fac.lon), float(fac.lat))
    dist = ku.haversine_km(office[0], office[1], v.pop_lon.to_numpy(), v.pop_lat.to_numpy())
    density = np.log(np.maximum(pop, 1) / v.area_km2.to_numpy())
    coastal = v.is_coastal.astype("boolean").fillna(False).to_numpy(dtype=bool)
    v["remote"] = ku.zscore(0.6 * ku.zscore(dist) + 1.0 * ~coastal - 0.6 * ku.zscore(density))
    targets = {}
    for s, (lo, hi) in COVERAGE.items():
        u = rng_v.uniform(0.5, 1.0) if kota else rng_v.uniform(0.0, 1.0)
        targets[s] = round(lo + (hi - lo) * u, 4)
        v[f"{s}_covered"] = calibrate(rng_v, v[f"{s}_eligible"].to_numpy(), v.remote.to_numpy(), targets[s], SHAPE[s])
    v["is_coastal"] = coastal
    v["postal_code"] = v.postal_code.fillna("").astype(str)
    v["pop_est_2019"] = v.pop_est_2025  # the regency builder's column name
    feats = []
    for r in v.itertuples():
        props = {"code": r.code, "name": r.name, "district_code": r.district_code, "district_name": r.district_name,
                 "postal_code": r.postal_code, "population": int(r.population), "lon": round(r.pop_lon, 6),
                 "lat": round(r.pop_lat, 6), "is_coastal": bool(r.is_coastal)}
        for s in COVERAGE:
            props[f"{s}_eligible"] = int(getattr(r, f"{s}_eligible"))
            props[f"{s}_covered"] = int(getattr(r, f"{s}_covered"))
        feats.append((props, r.geometry))
    n_hv = min(150, max(10, round(int(reg.population_2025) / HV_PER)))
    n_dl = min(200, max(10, round(int(reg.population_2025) / DL_PER)))
    hv = ku.build_home_visits(rng_hv, v, n_hv)
    dl = ku.build_deliveries(rng_dl, v, n_dl)
    xs = crossings(v, office, reg.code)
    out.mkdir(parents=True, exist_ok=True)
    ku.write_atomic(out / "villages.geojson", ku.geojson_text("villages", feats))
    ku.write_atomic(out / "regency.geojson", ku.geojson_text("regency", [(
        {"code": reg.code, "name": reg["name"], "population_2025": int(reg.population_2025)},
        shapely.union_all(shapely.buffer(v.geometry.values, LAND_BUFFER_DEG)))]))
    ku.write_atomic(out / "home_visit_requests.csv", ku.csv_text(list(hv[0]), hv))
    ku.write_atomic(out / "deliveries.csv", ku.csv_text(list(dl[0]), dl))
    cols = ["id", "name", "from_name", "from_lon", "from_lat", "to_name", "to_lon", "to_lat", "duration_minutes",
            "vehicles", "departures", "approximate"]
    ku.write_atomic(out / "crossings.csv", ku.csv_text(cols, xs))
    ku.write_atomic(out / "workspace.toml", workspace_toml(reg, fac, kota))
    achieved = {s: int(v[f"{s}_covered"].sum()) / max(1, int(v[f"{s}_eligible"].sum())) for s in COVERAGE}
    teams = min(6, max(1, math.ceil(int(reg.population_2025) / PEOPLE_PER_TEAM)))
    return {"code": reg.code, "name": reg["name"], "villages": len(v), "population": int(v.population.sum()),
            "floored": int((v.population == POP_FLOOR).sum()), "teams": teams, "hv": n_hv, "dl": n_dl,
            "crossings": len(xs), "targets": targets, "achieved": achieved}


README_HEAD = """# Provinsi Sulawesi Tenggara: province default (17 regency workspaces)

Written by `scripts/build_sulawesi_tenggara.py` (seed {seed}) from the shared reference folder
`../shared/data/sulawesi_tenggara` (see its README for sources, licences and the source's defects). **Do not edit
the generated files by hand**; rebuild with

    python scripts/build_sulawesi_tenggara.py [--shared PATH] [--out PATH]

(two runs give byte-identical files). `province.toml` lists the 17 regencies and their workspace folders; plan
them all with `outreach-planner plan-many data/sulawesi_tenggara --week 2026-W49`. **Kabupaten Kolaka Utara
(74.08) is the existing default workspace `data/kolaka_utara`** (with its approximate road network), listed as
`../kolaka_utara` and not rebuilt here, so it plans exactly as `outreach-planner plan` does.

> **Mixed real, APPROXIMATE and SYNTHETIC data.** Codes, names, village polygons and population-weighted points,
> postal codes are real (cahyadsn/wilayah, wilayah_boundaries, wilayah_kodepos: MIT; GHS-POP, EC JRC: CC BY 4.0).
> Village population is a model estimate (the shared `pop_est_2025`, GHS-POP shares of the official 2025 regency
> total) with a floor of {floor} people ({n_floor} villages: GHS-POP misses small islands and villages built over
> water). Office points and sea crossings are **APPROXIMATE**. Every eligible/covered count, every home-visit
> request and delivery, the regency coverage figures and the teams are **SYNTHETIC**: not statistics.

## What was made, per regency

- `villages.geojson`: polygons simplified as a coverage (`shapely.coverage_simplify`, {simp}° ≈ 110 m; shared
  edges stay shared, so no gaps open between neighbours; small islets keep at least a triangle). The 2 villages
  without a source polygon (Uepai 74.02.18.1001, Wundumbatu 74.71.04.1021) get a 300 m disc around their district
  point. Eligible counts as for Kolaka Utara (KIA = population × 0.30 ± 5 %, e-KTP = the rest, akta = KIA × 0.32/0.30).
  Covered counts: Kolaka Utara's logistic method (remoteness: distance from the office, inland, low density)
  calibrated to a **SYNTHETIC regency coverage** drawn per regency from e-KTP 90.0–97.5 %, KIA 25–55 %,
  akta 85–99 % (cities: the upper half of each range); the table gives the figures used.
- `regency.geojson`: the union of the simplified village polygons (each grown by about 33 m), not the shared
  regency outline, which leaves out tidal flats and islets where village points lie.
- `home_visit_requests.csv` (one per {hv_per:,} people, 10–150) and `deliveries.csv` (one per {dl_per:,} people,
  10–200): SYNTHETIC, made as Kolaka Utara's (fictitious names, empty NIK, points near the village point).
- No schools: the shared data has none (so no school team and no school sessions).
- Teams (SYNTHETIC): **one outreach team per started {ppt:,} people (1 to 6)**, cars, e-KTP/KIA/akta, 2 recording
  kits for teams 1–2 and 1 for the others, plus one courier on a motorbike carrying 40 documents; all Mon–Fri at
  the regency's office. Calendar, services and policy as Kolaka Utara.
- Travel: **no road network exists for these regencies**: `model = "great_circle"` (straight line × circuity 1.4,
  cities 1.25; cars 40 km/h, cities 30): travel times are estimates (*perkiraan*), not roads. `islands = true`:
  stops on different land masses (connected parts of the union of the village polygons) are joined only by a
  crossing of `crossings.csv`; a pair that no crossing joins is reported as unreachable.
- `crossings.csv`: **APPROXIMATE** crossings, not timetables: a tree joining every land mass that holds a village
  to the office's, each edge between the nearest two village stop points (the "dermaga" are those points, not real
  ports), duration = {board} min boarding + straight distance at {boat:g} km/h, carrying cars and motorbikes, no
  departure times. Replace them with the real ferry and boat services (ports, durations, vehicles, departures).
- Offices: the shared `facilities.csv` points (approximate: the population-weighted point of the capital's village).

| code | regency | villages | population | at the floor | outreach teams (+ 1 courier) | home visits | deliveries | crossings | e-KTP | KIA | akta |
|---|---|---|---|---|---|---|---|---|---|---|---|
{rows}

Coverage columns: the SYNTHETIC regency coverage the counts are calibrated to (achieved exactly, to 0.01 %).

Size: {mb:.1f} MB for the 16 generated folders.

## Sources and licences

As `../shared/data/sulawesi_tenggara/README.md` and `data/kolaka_utara/README.md`: cahyadsn/wilayah (commit
b7ad440a), cahyadsn/wilayah_boundaries (commit 3c5a7960), cahyadsn/wilayah_kodepos (commit 4fa8c592): MIT, © Cahya
DSN; GHS-POP, European Commission JRC, via datawan-labs/schools (commit e617f9aa): CC BY 4.0 (values), MIT (repo);
capitals: Wikipedia and other pages (CC BY-SA), as listed in the shared README. The SYNTHETIC data and the
generated files: the project's licence (MIT), with these attributions.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO / "../shared/data/sulawesi_tenggara")
    ap.add_argument("--out", type=Path, default=REPO / "data/sulawesi_tenggara")
    args = ap.parse_args()
    shared, out = args.shared.resolve(), args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    vill = gpd.read_file(shared / "villages.geojson")
    for c in ("code", "district_code", "regency_code", "postal_code"):
        vill[c] = vill[c].astype("string").astype(object)
    regs = pd.read_csv(shared / "regencies.csv", dtype={"code": str})
    outlines = gpd.read_file(shared / "regencies.geojson").set_index("code")
    facs = pd.read_csv(shared / "facilities.csv", dtype={"regency_code": str}).set_index("regency_code")
    streams = np.random.default_rng(SEED).spawn(3 * len(regs))
    stats, lines = [], ["# Provinsi Sulawesi Tenggara: the 17 regencies planned by `outreach-planner plan-many`.",
                        "# Written by scripts/build_sulawesi_tenggara.py. workspace: folder relative to this file.",
                        "", "[province]", 'code = "74"', 'name = "Provinsi Sulawesi Tenggara"', ""]
    for k, reg in enumerate(regs.sort_values("code").itertuples(index=False)):
        reg = pd.Series(reg._asdict())
        reg["name"] = reg["name"]
        if reg.code == DEFAULT_REGENCY:
            folder = "../kolaka_utara"
        else:
            folder = folder_name(reg.code, reg["name"])
            st = build_regency(*streams[3 * k:3 * k + 3], reg, facs.loc[reg.code],
                               vill, outlines.loc[reg.code].geometry, out / folder)
            stats.append(st)
            print(f"  {reg.code} {reg['name']}: {st['villages']} villages, {st['teams']} teams, "
                  f"{st['crossings']} crossings", flush=True)
        lines += ["[[regencies]]", f'code = "{reg.code}"', f'name = "{reg["name"]}"', f'workspace = "{folder}"', ""]
    ku.write_atomic(out / "province.toml", "\n".join(lines))
    mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and p.name != "README.md") / 1e6
    rows = "\n".join(
        f"| {s['code']} | {s['name']} | {s['villages']} | {s['population']:,} | {s['floored']} | {s['teams']} | "
        f"{s['hv']} | {s['dl']} | {s['crossings']} | " + " | ".join(f"{s['targets'][x]:.2%}" for x in COVERAGE) + " |"
        for s in stats)
    for s in stats:
        for x in COVERAGE:
            assert abs(s["achieved"][x] - s["targets"][x]) < 0.0001, (s["code"], x)
    ku.write_atomic(out / "README.md", README_HEAD.format(
        seed=SEED, floor=POP_FLOOR, n_floor=sum(s["floored"] for s in stats), simp=SIMPLIFY_DEG, hv_per=HV_PER,
        dl_per=DL_PER, ppt=PEOPLE_PER_TEAM, board=BOARD_MIN, boat=BOAT_KMH, rows=rows, mb=mb))
    print(f"wrote {out} ({mb:.1f} MB)")


if __name__ == "__main__":
    main()
