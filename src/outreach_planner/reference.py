"""Reference data of a province: regencies, villages (codes, names, kecamatan, population estimate,
population-weighted stop point, polygon, postal code) and the approximate Dukcapil office points.

A province is a data folder, not code: ``data/reference/<province>/`` with ``regencies.csv``,
``regencies.geojson.gz``, ``villages.csv`` and ``villages.geojson.gz`` (built by
``scripts/build_reference.py``; sources and licences in its README). Every folder found there is read;
a regency code (``74.09``) names its province by its first part.

Plain data out (dataclasses, WKT); no geopandas.
"""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: Where the provinces' reference folders live.
REFERENCE_ROOT = Path(__file__).resolve().parents[2] / "data" / "reference"


@dataclass(frozen=True)
class Regency:
    """A kabupaten/kota of the reference data."""

    code: str
    name: str
    kind: str
    province: str  # the reference folder's name, e.g. "sulawesi_tenggara"
    capital: str
    population: int
    n_districts: int
    n_villages: int


@dataclass(frozen=True)
class RefVillage:
    """A desa/kelurahan: ``lon``/``lat`` is the population-weighted point (WGS84 degrees); ``wkt`` its
    simplified polygon (None when the source has none; then the point is its kecamatan's)."""

    code: str
    name: str
    kind: str
    district_code: str
    district_name: str
    regency_code: str
    population: int
    lon: float
    lat: float
    point_method: str
    postal_code: str
    wkt: str | None


@dataclass(frozen=True)
class Office:
    """The Dukcapil office point of a regency. ``approximate`` is True when it is a village point, not a
    surveyed position."""

    regency_code: str
    name: str
    village_code: str
    village_name: str
    lon: float
    lat: float
    approximate: bool


def normalise_code(text: object) -> str:
    """A region code as ``PP.RR.DD.NNNN`` from dotted or undotted text (``7409012001``, ``74.09.01.2001``,
    ``74 09 01 2001``); parts that are not digits make it return the stripped text unchanged."""
    s = str(text).strip()
    if s.endswith(".0") and s[:-2].isdigit():  # a code typed as a number in Excel
        s = s[:-2]
    digits = "".join(ch for ch in s if ch.isdigit())
    if not digits or any(not (ch.isdigit() or ch in ". -/") for ch in s):
        return s
    widths = (2, 2, 2, 4)
    parts, i = [], 0
    for w in widths:
        if i >= len(digits):
            break
        parts.append(digits[i:i + w])
        i += w
    if i != len(digits) or any(len(p) != w for p, w in zip(parts, widths)):
        return s
    return ".".join(parts)


def provinces() -> list[str]:
    """The reference folders shipped, e.g. ``["sulawesi_tenggara"]``."""
    return sorted(p.name for p in REFERENCE_ROOT.iterdir() if (p / "regencies.csv").is_file())


@lru_cache(maxsize=None)
def _regency_rows() -> dict[str, tuple[str, dict]]:
    rows = {}
    for prov in provinces():
        with open(REFERENCE_ROOT / prov / "regencies.csv", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                rows[r["code"]] = (prov, r)
    return rows


def regencies() -> list[Regency]:
    """Every regency of every shipped province, by code."""
    return [Regency(code, r["name"], r["kind"], prov, r["capital"], int(r["population_2025"] or 0),
                    int(r["n_districts"]), int(r["n_villages"]))
            for code, (prov, r) in sorted(_regency_rows().items())]


def regency(code: str) -> Regency:
    """One regency; ``KeyError`` naming the known codes when there is none with ``code`` (dots optional)."""
    code = normalise_code(code)
    for r in regencies():
        if r.code == code:
            return r
    raise KeyError(code)


@lru_cache(maxsize=None)
def _polygons(prov: str, layer: str) -> dict[str, str]:
    import shapely
    from shapely.geometry import shape

    with gzip.open(REFERENCE_ROOT / prov / f"{layer}.geojson.gz", "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return {f["properties"]["code"]: shapely.to_wkt(shape(f["geometry"]), rounding_precision=6)
            for f in data["features"] if f.get("geometry")}


def villages(regency_code: str) -> list[RefVillage]:
    """The villages of a regency, by code, with their population-weighted points and polygons."""
    reg = regency(regency_code)
    polys = _polygons(reg.province, "villages")
    out = []
    with open(REFERENCE_ROOT / reg.province / "villages.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["regency_code"] != reg.code:
                continue
            out.append(RefVillage(r["code"], r["name"], r["kind"], r["district_code"], r["district_name"],
                                  r["regency_code"], int(r["population"] or 0), float(r["lon"]), float(r["lat"]),
                                  r["point_method"], r["postal_code"], polys.get(r["code"])))
    return out


def regency_outline(regency_code: str) -> str:
    """The regency's outline as WKT: the union of its village polygons (the same polygons the stop points
    were computed in, so a stop point never falls just outside it)."""
    import shapely

    geoms = [shapely.from_wkt(v.wkt) for v in villages(regency_code) if v.wkt]
    return shapely.to_wkt(shapely.union_all(geoms), rounding_precision=6)


def office(regency_code: str) -> Office:
    """The regency's Dukcapil office point (approximate: the population-weighted point of the capital's
    village, see the reference README)."""
    reg = regency(regency_code)
    _, r = _regency_rows()[reg.code]
    return Office(reg.code, f"Dinas Dukcapil {reg.name}", r["office_village_code"], r["office_village_name"],
                  float(r["office_lon"]), float(r["office_lat"]),
                  r["office_location_quality"] != "surveyed")
