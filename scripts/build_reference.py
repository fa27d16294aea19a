"""Build the compact province reference data shipped in data/reference/<province>/ from the full reference
folder (../shared/data/sulawesi_tenggara/, README there). Deterministic; run from the repository root:

    python scripts/build_reference.py /work/shared/data/sulawesi_tenggara data/reference/sulawesi_tenggara

Writes villages.csv (code, names, kecamatan, population estimate, population-weighted stop point, postal code),
villages.geojson.gz (village polygons, simplified along shared edges with shapely.coverage_simplify at
TOLERANCE degrees, coordinates rounded to 5 decimals, ~1 m), regencies.csv (codes, names, capital, approximate
office point) and regencies.geojson.gz (regency outlines, simplified the same way).
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

TOLERANCE = 0.0003  # degrees, about 33 m
DECIMALS = 5


def _round(geom):
    return shapely.set_precision(geom, 10 ** -DECIMALS)


def _polygons(src: Path, key: str) -> dict[str, object]:
    data = json.loads(src.read_text(encoding="utf-8"))
    out = {}
    for f in data["features"]:
        if f.get("geometry"):
            out[f["properties"][key]] = shape(f["geometry"])
    return out


def _simplified(geoms: dict[str, object]) -> dict[str, object]:
    codes = sorted(geoms)
    simple = shapely.coverage_simplify([geoms[c] for c in codes], TOLERANCE)
    result = {}
    for c, g in zip(codes, simple):
        g = _round(g)
        if not g.is_valid:
            g = shapely.make_valid(g)
            g = shapely.union_all([p for p in getattr(g, "geoms", [g]) if p.geom_type in ("Polygon", "MultiPolygon")])
        result[c] = g
    return result


def _write_geojson_gz(path: Path, geoms: dict[str, object]) -> None:
    features = [{"type": "Feature", "properties": {"code": c}, "geometry": mapping(g)} for c, g in sorted(geoms.items())]
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(text.encode("utf-8"))


def main(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    with open(src / "villages.csv", encoding="utf-8") as fh:
        villages = list(csv.DictReader(fh))
    cols = ["code", "name", "kind", "district_code", "district_name", "regency_code", "population", "lon", "lat",
            "point_method", "postal_code"]
    with open(dst / "villages.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for v in sorted(villages, key=lambda r: r["code"]):
            w.writerow([v["code"], v["name"], v["kind"], v["district_code"], v["district_name"], v["regency_code"],
                        v["pop_est_2025"] or "0", v["pop_lon"], v["pop_lat"], v["pop_point_method"], v["postal_code"]])
    _write_geojson_gz(dst / "villages.geojson.gz", _simplified(_polygons(src / "villages.geojson", "code")))
    with open(src / "regencies.csv", encoding="utf-8") as fh:
        regencies = list(csv.DictReader(fh))
    rcols = ["code", "name", "kind", "capital", "office_village_code", "office_village_name", "office_lon",
             "office_lat", "office_location_quality", "population_2025", "n_districts", "n_villages"]
    with open(dst / "regencies.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(rcols)
        for r in regencies:
            w.writerow([r["code"], r["name"], r["kind"], r["capital"], r["capital_village_code"],
                        r["capital_village_name"], r["office_lon"], r["office_lat"], "approximate_village_point",
                        r["population_2025"], r["n_districts"], r["n_villages"]])
    _write_geojson_gz(dst / "regencies.geojson.gz", _simplified(_polygons(src / "regencies.geojson", "code")))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
