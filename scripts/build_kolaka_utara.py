#!/usr/bin/env python3
"""Build the default Kolaka Utara workspace layers from the shared reference data.

Reads ``<shared>/villages.geojson``, ``regency.geojson`` and ``schools.csv`` (real
data, see the shared README) and writes into ``<out>``: ``villages.geojson``,
``regency.geojson``, ``schools.csv``, ``home_visit_requests.csv``,
``deliveries.csv`` and ``README.md`` (from ``kolaka_utara_README.md.in``).
Everything marked SYNTHETIC is drawn from
``numpy.random.default_rng(SEED)``, so two runs give byte-identical files.

Usage: python scripts/build_kolaka_utara.py [--shared PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import os
import re
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, mapping

SEED = 7408_2026
REPO = Path(__file__).resolve().parents[1]
OFFICE = (120.883078, -3.504508)  # lon, lat; approximate (Kelurahan Lasusua pop. point)
POP_2025 = 143_604  # regency.geojson population_2025 (Kepmendagri 2025)
POP_FLOOR = 250  # people; floor for implausibly small GHS-based upland estimates
CHILD_SHARE = 0.30  # under 17 (KIA); wajib KTP (17+) = the rest, about 0.70
AKTA_SHARE = 0.32  # under 18 (birth-certificate target group)
VARIATION = 0.05  # +-5 % seeded per-village variation of the child share
# service: (reported 2021 regency coverage, lowest and highest village coverage,
#           spread of the logit score, share of villages in a low tail)
TARGETS = {"ektp": (0.9517, 0.66, 1.0, 0.55, 0.10), "kia": (0.3944, 0.08, 0.76, 0.85, 0.0),
           "akta": (0.9911, 0.90, 1.0, 1.10, 0.0)}
TAIL_PENALTY = 2.0  # logit units subtracted for the tail villages
DOCS = ["e-KTP", "KIA", "Akta Kelahiran", "Kartu Keluarga"]
GIVEN = ["Ahmad", "Abdul", "Muhammad", "Hasan", "Syamsul", "Baharuddin", "Jusman", "Ridwan",
         "Hamzah", "Sudirman", "Nurdin", "Amir", "Yusuf", "Ismail", "Rusdi", "Darwis", "Siti",
         "Nur", "Hasnawati", "Rosmiati", "Rahmawati", "Nurhayati", "Suriani", "Jumriah",
         "Hasnah", "Fatmawati", "Wahyuni", "Mariam", "Salmah", "Asni", "Hajrah", "Sitti"]
FAMILY = ["Lamba", "Rauf", "Tahir", "Saleh", "Hamid", "Latif", "Kadir", "Basri", "Mansyur",
          "Syarif", "Malik", "Jafar", "Said", "Sanusi", "Rasyid", "Lalo", "Mustari", "Anwar"]
WINDOWS = ["08:00-12:00", "09:00-12:00", "10:00-12:00", "13:00-15:00", "13:00-16:00",
           "14:00-16:00"]
FRI_WINDOWS = ["08:00-11:00", "09:00-11:30"]  # Friday office hours end at 11:30
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
HV_REASONS = {"elderly": 0.45, "disabled": 0.35, "sick": 0.20}
HV_SERVICES = {"elderly": {"ektp": 0.85, "ektp;akta": 0.15},
               "disabled": {"ektp": 0.65, "ektp;akta": 0.15, "kia": 0.10, "kia;akta": 0.10},
               "sick": {"ektp": 0.80, "ektp;akta": 0.10, "akta": 0.10}}
HV_NOTES = {"elderly": ["", "", "lansia, sulit berjalan", "terbaring di tempat tidur"],
            "disabled": ["", "pengguna kursi roda", "tunanetra", "tunarungu, mohon bawa pendamping"],
            "sick": ["terbaring di tempat tidur", "pascaoperasi", "stroke, terbaring di tempat tidur", ""]}
DROP_SCHOOLS = {"SMP Negeri 1 Lasusua": "2019 name of SMP Negeri 1 Kolaka Utara (kept: has NPSN 40402187)",
                "SMP Negeri 13 Kolaka Utara": "probably the current name of SMP SATAP Sulaho or Tojabi "
                                              "(kept: they have village-level locations)"}


# ---------------------------------------------------------------- helpers
def write_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text with \\n endings via a temp file in the same folder + os.replace."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def csv_text(columns: list[str], rows: list[dict]) -> str:
    """Render rows as CSV text (minimal quoting, \\n line endings)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def round_coords(obj):
    """Round nested coordinate lists to 6 decimals."""
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(c), 6) for c in obj]
        return [round_coords(c) for c in obj]
    return obj


def geojson_text(name: str, features: list[tuple[dict, object]]) -> str:
    """A FeatureCollection (WGS84), one feature per line for readable diffs."""
    lines = [json.dumps({"type": "Feature", "properties": props,
                         "geometry": {"type": geom.geom_type,
                                      "coordinates": round_coords(mapping(geom)["coordinates"])}},
                        ensure_ascii=False, separators=(",", ":"))
             for props, geom in features]
    return (f'{{"type":"FeatureCollection","name":"{name}","features":[\n'
            + ",\n".join(lines) + "\n]}\n")


def haversine_km(lon1, lat1, lon2, lat2):
    """Great-circle distance in km."""
    lo1, la1, lo2, la2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


def apportion(x: np.ndarray, total: int, cap: np.ndarray | None = None) -> np.ndarray:
    """Round non-negative floats to ints summing to ``total`` (largest remainder, <= cap)."""
    cap = np.full(len(x), np.iinfo(np.int64).max) if cap is None else cap
    out = np.minimum(np.floor(x).astype(np.int64), cap)
    order = np.argsort(-(x - np.floor(x)), kind="stable")
    step = 1 if total >= out.sum() else -1
    while out.sum() != total:
        moved = False
        for i in (order if step > 0 else order[::-1]):
            if out.sum() == total:
                break
            if (step > 0 and out[i] < cap[i]) or (step < 0 and out[i] > 0):
                out[i] += step
                moved = True
        if not moved:
            raise ValueError("cannot reach total within caps")
    return out


def zscore(x) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return (x - x.mean()) / x.std()


def point_near(rng, lon, lat, poly, max_m=300.0) -> tuple[float, float]:
    """A point 40..max_m metres from (lon, lat), inside ``poly`` when possible."""
    for attempt in range(40):
        r = rng.uniform(40, max_m) * (0.97 ** attempt)
        a = rng.uniform(0, 2 * math.pi)
        x = lon + r * math.cos(a) / (111_320 * math.cos(math.radians(lat)))
        y = lat + r * math.sin(a) / 110_574
        if poly.contains(Point(x, y)):
            return round(x, 6), round(y, 6)
    return round(lon, 6), round(lat, 6)


def fake_name(rng) -> str:
    return f"{GIVEN[rng.integers(len(GIVEN))]} {FAMILY[rng.integers(len(FAMILY))]}"


def address(rng, v) -> str:
    kel = v.code.split(".")[3].startswith("1")
    unit = ["I", "II", "III", "IV", "V"][rng.integers(5)]
    return f"{'Lingkungan' if kel else 'Dusun'} {unit}, {'Kelurahan' if kel else 'Desa'} {v['name']}"


def pick(rng, probs: dict) -> str:
    keys = list(probs)
    return keys[rng.choice(len(keys), p=np.array(list(probs.values())))]


# ---------------------------------------------------------------- villages
def population(raw: np.ndarray) -> np.ndarray:
    """Scale to POP_2025, floor at POP_FLOOR, re-scale the rest; ints summing to POP_2025."""
    fixed = np.zeros(len(raw), dtype=bool)
    while True:
        p = np.where(fixed, POP_FLOOR, 0.0).astype(float)
        p[~fixed] = raw[~fixed] * (POP_2025 - POP_FLOOR * fixed.sum()) / raw[~fixed].sum()
        new = fixed | (p < POP_FLOOR)
        if (new == fixed).all():
            return apportion(p, POP_2025)
        fixed = new


def remoteness(v: gpd.GeoDataFrame) -> np.ndarray:
    """Standardised remoteness: distance to the office, inland, sparse."""
    dist = haversine_km(OFFICE[0], OFFICE[1], v.pop_lon.to_numpy(), v.pop_lat.to_numpy())
    density = np.log(v.population.to_numpy() / v.area_km2.to_numpy())
    return zscore(0.6 * zscore(dist) + 1.0 * (~v.is_coastal.to_numpy()) - 0.6 * zscore(density))


def calibrate(rng, eligible: np.ndarray, remote: np.ndarray, service: str) -> np.ndarray:
    """Covered counts whose regency share equals the service target exactly.

    Village coverage = lo + (hi - lo) * sigmoid(offset + score) with score = spread *
    (noise - remote), minus TAIL_PENALTY for the ``tail`` share of villages with the
    highest remoteness + noise. The offset is found by bisection so the eligible-weighted
    mean hits the target; counts are rounded by largest remainder to
    round(target * total eligible), never above eligible.
    """
    target, lo, hi, spread, tail = TARGETS[service]
    return calibrate_to(rng, eligible, remote, target, lo, hi, spread, tail)


def calibrate_to(rng, eligible: np.ndarray, remote: np.ndarray, target: float, lo: float, hi: float,
                 spread: float, tail: float) -> np.ndarray:
    """:func:`calibrate` with the target and shape given (the province builder's per-regency targets)."""
    score = spread * (0.7 * rng.standard_normal(len(eligible)) - remote)
    risk = remote + 0.7 * rng.standard_normal(len(eligible))
    score[np.argsort(-risk, kind="stable")[: round(tail * len(eligible))]] -= TAIL_PENALTY

    def share(offset: float) -> np.ndarray:
        return lo + (hi - lo) / (1 + np.exp(-(offset + score)))

    a, b = -30.0, 30.0
    for _ in range(200):
        m = (a + b) / 2
        a, b = (m, b) if (share(m) * eligible).sum() < target * eligible.sum() else (a, m)
    return apportion(share((a + b) / 2) * eligible, round(target * eligible.sum()), eligible)


def build_villages(rng, shared: Path) -> gpd.GeoDataFrame:
    """Real village attributes + population + SYNTHETIC eligible/covered counts."""
    v = gpd.read_file(shared / "villages.geojson").sort_values("code").reset_index(drop=True)
    v["population"] = population(v.pop_est_2019.to_numpy(dtype=float))
    pop = v.population.to_numpy()
    child = CHILD_SHARE * (1 + rng.uniform(-VARIATION, VARIATION, len(v)))
    v["kia_eligible"] = np.rint(pop * child).astype(np.int64)
    v["ektp_eligible"] = pop - v.kia_eligible
    v["akta_eligible"] = np.rint(pop * child * AKTA_SHARE / CHILD_SHARE).astype(np.int64)
    remote = remoteness(v)
    v["remote"] = remote
    for s in TARGETS:
        v[f"{s}_covered"] = calibrate(rng, v[f"{s}_eligible"].to_numpy(), remote, s)
    return v


def village_features(v: gpd.GeoDataFrame) -> list[tuple[dict, object]]:
    feats = []
    for r in v.itertuples():
        props = {"code": r.code, "name": r.name, "district_code": r.district_code,
                 "district_name": r.district_name, "postal_code": str(r.postal_code),
                 "population": int(r.population), "lon": round(r.pop_lon, 6),
                 "lat": round(r.pop_lat, 6), "is_coastal": bool(r.is_coastal)}
        for s in TARGETS:
            props[f"{s}_eligible"] = int(getattr(r, f"{s}_eligible"))
            props[f"{s}_covered"] = int(getattr(r, f"{s}_covered"))
        feats.append((props, r.geometry))
    return feats


# ---------------------------------------------------------------- schools
def school_id(name: str) -> str:
    s = name.lower()
    for a, b in [("smp negeri", "smpn"), ("sma negeri", "sman"), ("smk negeri", "smkn"),
                 ("smp swasta", "smps")]:
        s = s.replace(a, b)
    s = re.sub(r"^(smpn|sman|smkn|smk|mtsn) (\d+) ", r"\1\2 ", s)
    return "sch_" + re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def build_schools(rng, shared: Path) -> list[dict]:
    """Real school names/points minus probable duplicates; SYNTHETIC pupil counts."""
    s = pd.read_csv(shared / "schools.csv", dtype=str, keep_default_na=False)
    s = s[~s.name.isin(DROP_SCHOOLS)].sort_values("name")
    rows = []
    for r in s.itertuples():
        small = r.school_type == "SMP SATAP" or r.status == "swasta"
        if r.level in ("SMP", "MTS"):
            ektp, kia = 0, int(rng.integers(40, 81) if small else rng.integers(60, 151))
        else:
            ektp, kia = int(rng.integers(20, 81)), int(rng.integers(10, 41))
        note = f"lokasi perkiraan ({r.location_confidence}, {r.location_method})"
        if "SMP Negeri 13 Kolaka Utara" in r.possible_duplicate_of:
            note += "; mungkin = SMP Negeri 13 Kolaka Utara"
        rows.append({"id": school_id(r.name), "name": r.name, "level": r.level,
                     "village_code": r.village_code, "lon": f"{float(r.lon):.6f}",
                     "lat": f"{float(r.lat):.6f}", "ektp_needed": ektp, "kia_needed": kia,
                     "notes": note})
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids), "school ids must be unique"
    return sorted(rows, key=lambda r: r["id"])


# ---------------------------------------------------------------- requests and deliveries
def draw_villages(rng, v: gpd.GeoDataFrame, n: int, remote_boost: float) -> np.ndarray:
    """Village indices drawn by population, a little more often for remote villages."""
    rank = v.remote.rank(pct=True).to_numpy()
    w = v.population.to_numpy() * (1 + remote_boost * rank)
    return rng.choice(len(v), size=n, p=w / w.sum())


def windows(rng) -> str:
    if rng.random() < 1 / 3:
        return ""
    days = sorted(rng.choice(5, size=int(rng.integers(1, 3)), replace=False))
    return "; ".join(f"{WEEKDAYS[d]} {rng.choice(FRI_WINDOWS if d == 4 else WINDOWS)}" for d in days)


def build_home_visits(rng, v: gpd.GeoDataFrame, n: int = 60) -> list[dict]:
    start = dt.date(2026, 10, 1)
    rows = []
    for i in draw_villages(rng, v, n, remote_boost=0.6):
        vi = v.iloc[i]
        reason = pick(rng, HV_REASONS)
        lon, lat = point_near(rng, vi.pop_lon, vi.pop_lat, vi.geometry)
        rows.append({"name": fake_name(rng), "nik": "", "reason": reason,
                     "services": pick(rng, HV_SERVICES[reason]), "village_code": vi.code,
                     "lon": f"{lon:.6f}", "lat": f"{lat:.6f}", "address": address(rng, vi),
                     "windows": windows(rng),
                     "requested_on": (start + dt.timedelta(int(rng.integers(0, 58)))).isoformat(),
                     "notes": HV_NOTES[reason][rng.integers(4)]})
    rows.sort(key=lambda r: (r["requested_on"], r["village_code"], r["name"]))
    return [{"id": f"hv{k:03d}", **r} for k, r in enumerate(rows, 1)]


def build_deliveries(rng, v: gpd.GeoDataFrame, n: int = 80) -> list[dict]:
    rows = []
    for i in draw_villages(rng, v, n, remote_boost=0.2):
        vi = v.iloc[i]
        doc = DOCS[rng.choice(4, p=[0.40, 0.20, 0.20, 0.20])]
        # most printed by Mon 2026-11-30; about 15 % become ready during week 2026-W49
        day = int(rng.integers(0, 15)) if rng.random() < 0.85 else int(rng.integers(15, 19))
        ready = dt.date(2026, 11, 16) + dt.timedelta(day)
        due = ready + dt.timedelta(int(rng.integers(5, 22))) if rng.random() < 0.5 else None
        lon, lat = point_near(rng, vi.pop_lon, vi.pop_lat, vi.geometry)
        rows.append({"document": doc, "recipient": fake_name(rng), "village_code": vi.code,
                     "lon": f"{lon:.6f}", "lat": f"{lat:.6f}", "address": address(rng, vi),
                     "ready_on": ready.isoformat(), "due_on": due.isoformat() if due else ""})
    rows.sort(key=lambda r: (r["ready_on"], r["village_code"], r["recipient"]))
    return [{"id": f"dl{k:03d}", **r} for k, r in enumerate(rows, 1)]


# ---------------------------------------------------------------- README
README_TEMPLATE = Path(__file__).with_name("kolaka_utara_README.md.in")  # str.format fields


def calibration_rows(v: gpd.GeoDataFrame) -> tuple[list[str], list[str]]:
    """Markdown table rows and printed lines with the achieved regency totals."""
    md, out = [], []
    for s, (target, *_rest) in TARGETS.items():
        e, c = int(v[f"{s}_eligible"].sum()), int(v[f"{s}_covered"].sum())
        cov = v[f"{s}_covered"] / v[f"{s}_eligible"]
        assert abs(c / e - target) < 0.00005 and (cov <= 1).all(), s
        md.append(f"| {s} | {target:.2%} | {e:,} | {c:,} | {c / e:.4%} | {cov.min():.3f} / "
                  f"{cov.median():.3f} / {cov.max():.3f} | {(cov < 0.9 * target).sum()} |")
        out.append(f"  {s:5s} eligible {e:7,d}  covered {c:7,d}  coverage {c / e:.4%} "
                   f"(target {target:.2%}; villages {cov.min():.3f}..{cov.max():.3f})")
    return md, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO / "../shared/data/kolaka_utara")
    ap.add_argument("--out", type=Path, default=REPO / "data/kolaka_utara")
    args = ap.parse_args()
    shared, out = args.shared.resolve(), args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    # independent seeded streams, so changing one layer does not reshuffle the others
    r_vil, r_sch, r_hv, r_dl = np.random.default_rng(SEED).spawn(4)

    v = build_villages(r_vil, shared)
    reg = gpd.read_file(shared / "regency.geojson").iloc[0]
    schools = build_schools(r_sch, shared)
    hv = build_home_visits(r_hv, v)
    dl = build_deliveries(r_dl, v)

    write_atomic(out / "villages.geojson", geojson_text("villages", village_features(v)))
    write_atomic(out / "regency.geojson", geojson_text("regency", [(
        {"code": reg.code, "name": reg["name"], "population_2025": int(reg.population_2025)},
        reg.geometry)]))
    write_atomic(out / "schools.csv", csv_text(list(schools[0]), schools))
    write_atomic(out / "home_visit_requests.csv", csv_text(list(hv[0]), hv))
    write_atomic(out / "deliveries.csv", csv_text(list(dl[0]), dl))

    md, lines = calibration_rows(v)
    floored = v[v.population == POP_FLOOR]
    write_atomic(out / "README.md", README_TEMPLATE.read_text(encoding="utf-8").format(
        seed=SEED, n_villages=len(v), n_schools=len(schools), n_hv=len(hv), n_dl=len(dl),
        n_low=sum("(low," in s["notes"] for s in schools),
        dropped="\n".join(f"- {k}: {why}." for k, why in DROP_SCHOOLS.items()),
        n_late=sum(d["ready_on"] > "2026-11-30" for d in dl),
        n_nodue=sum(not d["due_on"] for d in dl), floor=POP_FLOOR, n_floor=len(floored),
        floored=", ".join(f"{r.name} ({r.pop_est_2019})" for r in floored.itertuples()),
        child=CHILD_SHARE, adult=1 - CHILD_SHARE, akta=AKTA_SHARE, var=VARIATION,
        calib="\n".join(md)))

    print(f"wrote {out}")
    print(f"  villages {len(v)}  population {int(v.population.sum()):,} "
          f"({len(floored)} at the floor of {POP_FLOOR})")
    print("\n".join(lines))
    print(f"  schools {len(schools)} (dropped: {', '.join(DROP_SCHOOLS)})")
    print(f"  home_visit_requests {len(hv)}  deliveries {len(dl)}")


if __name__ == "__main__":
    main()
