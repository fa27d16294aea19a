"""``outreach-planner init``: a workspace skeleton for any regency of the shipped reference data.

Writes, into a new folder: ``workspace.toml`` (regency, the approximate office point, the calendar with the
national holidays of the data files in ``data/holidays/``, three services, one example team, great-circle
travel), ``villages.geojson`` (codes, names, kecamatan, population estimate, the population-weighted stop
point as ``lon``/``lat``, simplified polygons, postal codes; no counts yet), ``boundary.geojson`` (the union of
the village polygons) and ``counts_template.xlsx`` (the counts to fill in, Indonesian headers, one row per
village). ``check`` then reports the counts as missing until ``import`` brings them in.

A regency whose villages lie on more than one land mass (islands) also gets ``crossings.csv``: APPROXIMATE sea
crossings joining every land mass with a village to the office's (:func:`crossings`), and ``[travel] islands =
true``, so that straight lines never cross the sea (as the province default of ``plan-many`` does).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tomllib
from pathlib import Path

from .. import reference
from ..errors import InputError, Problem
from ..i18n import _

HOLIDAYS_ROOT = Path(__file__).resolve().parents[3] / "data" / "holidays"

#: The services a new workspace declares (as the default workspace) and the Indonesian headers of their counts
#: in the template: (service id, eligible header, covered header).
TEMPLATE_COUNTS = (
    ("ektp", "WAJIB KTP", "SUDAH REKAM"),
    ("kia", "JUMLAH ANAK", "PUNYA KIA"),
    ("akta", "WAJIB AKTA", "PUNYA AKTA"),
)
TEMPLATE_FILE = "counts_template.xlsx"
TEMPLATE_SHEET = "Cakupan"


def holidays(years: list[int]) -> list[tuple[dt.date, str, bool]]:
    """(date, name, cuti bersama?) of the national holiday files of ``years`` that exist, by date."""
    out = []
    for y in years:
        path = HOLIDAYS_ROOT / f"{y}.toml"
        if not path.is_file():
            continue
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        out += [(h["date"], h["name"], False) for h in data.get("holiday", [])]
        out += [(h["date"], h["name"], True) for h in data.get("cuti_bersama", [])]
    return sorted(out)


def holiday_years() -> list[int]:
    """The years with a holiday file."""
    return sorted(int(p.stem) for p in HOLIDAYS_ROOT.glob("*.toml") if p.stem.isdigit())


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _workspace_toml(reg: reference.Regency, office: reference.Office, days: list[tuple[dt.date, str, bool]],
                    years: list[int], islands: bool = False) -> str:
    hol = "\n".join(f'    "{d.isoformat()}",  # {name}{" (cuti bersama: periksa SKB)" if cuti else ""}'
                    for d, name, cuti in days)
    return f"""# Workspace for {reg.name} ({reg.code}), made by `outreach-planner init --regency {reg.code}`.
# Real: codes, names, kecamatan, postal codes, village polygons (cahyadsn/wilayah, MIT) and population-weighted
# stop points and population estimates (GHS-POP, European Commission JRC, CC BY 4.0): see
# data/reference/{reg.province}/README.md of outreach-planner. Population per village is a MODEL ESTIMATE.
# Still to do: the counts per village (fill {TEMPLATE_FILE} or bring the office's own spreadsheet:
# `outreach-planner import <this folder> FILE.xlsx`), the real teams, the office position. Format: docs/workspace.md.

[regency]
code = {_toml_str(reg.code)}
name = {_toml_str(reg.name)}
timezone = "Asia/Makassar"   # WITA (Sulawesi); Java/Sumatra: Asia/Jakarta, Maluku/Papua: Asia/Jayapura

[[depots]]
id = "dukcapil"
name = {_toml_str(office.name + " (lokasi perkiraan)")}
# APPROXIMATE: the population-weighted point of {office.village_name} ({office.village_code}), not a surveyed
# position. Replace lon/lat with the office's real position.
lon = {office.lon}
lat = {office.lat}

[calendar]
working_days = ["mon", "tue", "wed", "thu", "fri"]
# National holidays and cuti bersama of {", ".join(map(str, years)) or "no year"} (data/holidays/<year>.toml: SKB 3 Menteri;
# CHECK the dates, especially cuti bersama, against the published decree)
holidays = [
{hol}
]
school_holidays = []

[calendar.hours]
mon = "08:00-16:00"
tue = "08:00-16:00"
wed = "08:00-16:00"
thu = "08:00-16:00"
fri = "08:00-11:30"

[calendar.school_hours]
mon = "07:30-13:00"
tue = "07:30-13:00"
wed = "07:30-13:00"
thu = "07:30-13:00"
fri = "07:30-11:00"

[[calendar.breaks]]
name = "Istirahat siang"
days = ["mon", "tue", "wed", "thu"]
start = "12:00"
end = "13:00"

[[calendar.breaks]]
name = "Salat Jumat"
days = ["fri"]
start = "11:30"
end = "13:00"

[[services]]
id = "ektp"
name = "e-KTP recording"
name_id = "Perekaman e-KTP"
target = 0.98
needs_kit = true
minutes_per_person = 6
turnout = 0.35
at_schools = true
bring = "fotokopi Kartu Keluarga (KK)"

[[services]]
id = "kia"
name = "Child identity card (KIA)"
name_id = "Kartu Identitas Anak (KIA)"
target = 0.30
minutes_per_person = 3
turnout = 0.25
at_schools = true
bring = "fotokopi KK, fotokopi akta kelahiran anak, KTP-el orang tua"

[[services]]
id = "akta"
name = "Birth certificate"
name_id = "Akta kelahiran"
target = 0.95
minutes_per_person = 4
turnout = 0.30
bring = "surat keterangan lahir, fotokopi KK, KTP-el orang tua"

# One EXAMPLE team: replace with the office's teams (members, vehicle, kits, days).
[[teams]]
id = "tim1"
name = "Tim Jemput Bola 1"
members = ["Petugas 1", "Petugas 2"]
vehicle = "car"
activities = ["village_session", "home_visit"]
services = ["ektp", "kia", "akta"]
recording_kits = 1
depot = "dukcapil"
days = ["mon", "tue", "wed", "thu", "fri"]

[policy]
setup_minutes = 20
max_session_minutes = 120
home_visit_minutes = 40
delivery_stop_minutes = 5
school_turnout = 0.9
outreach_teams_deliver = false
min_session_people = 5

[travel]
# No road network ships with the reference data: straight-line distance x circuity at these speeds.
# For real roads, put an OpenStreetMap export here: model = "road_network", network = "roads.gpkg".
model = "great_circle"
circuity = 1.35
{ISLANDS if islands else ""}
[travel.speed_kmh]
car = 40
motorbike = 35

[layers]
villages = "villages.geojson"
boundary = "boundary.geojson"
{'crossings = "crossings.csv"  # APPROXIMATE: check the ports and the durations' + chr(10) if islands else ""}"""


ISLANDS = """# The villages lie on several land masses: stops on different ones travel only through the crossings layer
# (crossings.csv: APPROXIMATE ports and durations, made by init; correct them, add the real ferries).
islands = true
"""

#: Speed and boarding time of an approximate crossing (a motor boat or small ferry), as the province default.
BOAT_KMH, BOARD_MIN = 15.0, 30
CROSSING_COLUMNS = ("id", "name", "from_name", "from_lon", "from_lat", "to_name", "to_lon", "to_lat",
                    "duration_minutes", "vehicles", "departures", "approximate")


def crossings(villages: list[reference.RefVillage], office: tuple[float, float], code: str) -> list[dict]:
    """APPROXIMATE sea crossings for a regency on several land masses: a tree that joins every land mass holding a
    village's stop point to the office's, each link between the two nearest stop points of the two land masses
    (their villages' names as the ports), ``BOARD_MIN`` + the straight line at ``BOAT_KMH``. No crossing (``[]``)
    when every stop point lies on one land mass. The same construction as the province default
    (``scripts/build_sulawesi_tenggara.py``); land masses as ``travel.islands`` computes them."""
    import math

    import numpy as np
    import shapely

    from ..travel.great_circle import haversine_m
    from ..travel.islands import land_masses

    masses = land_masses([v.wkt for v in villages])
    if len(masses) < 2:
        return []
    tree = shapely.STRtree(masses)
    lon = np.array([v.lon for v in villages], dtype=float)
    lat = np.array([v.lat for v in villages], dtype=float)
    found = tree.query_nearest(shapely.points(lon, lat), all_matches=False, return_distance=False)
    which = np.empty(len(villages), dtype=int)
    which[found[0]] = found[1]
    groups = {int(k): np.flatnonzero(which == k) for k in np.unique(which)}
    home = int(tree.query_nearest(shapely.Point(office), all_matches=False)[0])
    joined, rows = {home}, []
    while len(joined | set(groups)) > len(joined):
        best = None
        for a in joined:
            ia = groups.get(a)
            if ia is None:
                continue
            for b, ib in groups.items():
                if b in joined:
                    continue
                d = haversine_m(lon[ia][:, None], lat[ia][:, None], lon[ib][None, :], lat[ib][None, :])
                k = int(np.argmin(d))
                cand = (float(d.flat[k]), b, int(ia[k // d.shape[1]]), int(ib[k % d.shape[1]]))
                if best is None or cand[0] < best[0]:
                    best = cand
        if best is None:  # the office's land mass has no village: the land mass nearest the office joins first
            b = min((g for g in groups if g not in joined),
                    key=lambda g: float(haversine_m(office[0], office[1], lon[groups[g][0]], lat[groups[g][0]])))
            joined.add(b)
            continue
        m, b, i, j = best
        joined.add(b)
        va, vb = villages[i], villages[j]
        rows.append({
            "id": f"x{code.replace('.', '')}_{len(rows) + 1:02d}",
            "name": f"Penyeberangan {va.name} - {vb.name}",
            "from_name": f"Dermaga {va.name}", "from_lon": f"{va.lon:.6f}", "from_lat": f"{va.lat:.6f}",
            "to_name": f"Dermaga {vb.name}", "to_lon": f"{vb.lon:.6f}", "to_lat": f"{vb.lat:.6f}",
            "duration_minutes": int(math.ceil(BOARD_MIN + 60 * m / 1000 / BOAT_KMH)),
            "vehicles": "car;motorbike", "departures": "", "approximate": "true",
        })
    return rows


def _crossings_csv(rows: list[dict]) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CROSSING_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _villages_geojson(villages: list[reference.RefVillage]) -> str:
    import shapely
    from shapely.geometry import mapping

    features = []
    for v in villages:
        props = {"code": v.code, "name": v.name, "district_code": v.district_code, "district_name": v.district_name,
                 "population": v.population, "postal_code": v.postal_code, "lon": v.lon, "lat": v.lat,
                 "point_method": v.point_method}
        geom = mapping(shapely.from_wkt(v.wkt)) if v.wkt else None
        features.append({"type": "Feature", "properties": props, "geometry": geom})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _boundary_geojson(wkt: str, reg: reference.Regency) -> str:
    import shapely
    from shapely.geometry import mapping

    f = {"type": "Feature", "properties": {"code": reg.code, "name": reg.name},
         "geometry": mapping(shapely.from_wkt(wkt))}
    return json.dumps({"type": "FeatureCollection", "features": [f]})


def write_counts_template(path: Path, villages: list[reference.RefVillage], reg_name: str) -> None:
    """The Excel template for the counts: a title row, Indonesian headers, one row per village (code, name,
    kecamatan filled in), whole numbers >= 0 enforced in the count columns."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = TEMPLATE_SHEET
    heads = ["KODE DESA", "NAMA DESA", "KECAMATAN"] + [h for _, e, c in TEMPLATE_COUNTS for h in (e, c)]
    sh.append([f"DATA CAKUPAN ADMINDUK PER DESA/KELURAHAN - {reg_name.upper()}"])
    sh.append(["Isi angka (bilangan bulat). SUDAH REKAM <= WAJIB KTP, PUNYA KIA <= JUMLAH ANAK (0-17 th), "
               "PUNYA AKTA <= WAJIB AKTA. Lalu: outreach-planner import <workspace> <file ini>"])
    sh.append(heads)
    for c in range(1, len(heads) + 1):
        sh.cell(row=3, column=c).font = Font(bold=True)
    sh.cell(row=1, column=1).font = Font(bold=True, size=13)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for v in villages:
        sh.append([v.code, v.name, v.district_name] + [None] * (2 * len(TEMPLATE_COUNTS)))
    last = 3 + len(villages)
    for r in range(4, last + 1):
        for c in range(4, len(heads) + 1):
            sh.cell(row=r, column=c).fill = fill
    dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                        showErrorMessage=True, errorTitle="Angka", error="Isi bilangan bulat 0 atau lebih.")
    sh.add_data_validation(dv)
    dv.add(f"D4:{get_column_letter(len(heads))}{last}")
    sh.freeze_panes = "D4"
    for i, h in enumerate(heads, 1):
        sh.column_dimensions[get_column_letter(i)].width = 16 if i != 2 else 24
    wb.save(path)


def init_workspace(regency_code: str, out: Path, years: list[int] | None = None) -> dict[str, object]:
    """Write a new workspace for ``regency_code`` into the new folder ``out`` (assembled in a temporary
    sibling, then moved in place). ``years``: holiday years (default: this year and the next).

    Returns a summary: regency, villages, villages without polygon, holidays and the years found.
    Raises ``InputError`` for an unknown regency or an existing ``out``.
    """
    import shutil
    import tempfile

    try:
        reg = reference.regency(regency_code)
    except KeyError:
        known = ", ".join(f"{r.code} {r.name}" for r in reference.regencies())
        raise InputError([Problem("--regency", "", "", regency_code, _(
            "init.unknown_regency", id="kabupaten/kota tidak ada di data referensi; yang ada: {known}",
            en="no such regency in the reference data; known: {known}", known=known))]) from None
    if out.exists():
        raise InputError([Problem("--out", "", "", str(out), _(
            "init.out_exists", id="folder sudah ada; pilih folder baru (tidak ada yang ditulis)",
            en="the folder exists; choose a new one (nothing was written)"))])
    today = dt.date.today()
    years = years or [today.year, today.year + 1]
    found = [y for y in years if (HOLIDAYS_ROOT / f"{y}.toml").is_file()]
    days = holidays(found)
    vs = reference.villages(reg.code)
    off = reference.office(reg.code)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the workspace is an ordinary folder
    sea = crossings(vs, (off.lon, off.lat), reg.code)
    try:
        (tmp / "workspace.toml").write_text(_workspace_toml(reg, off, days, found, bool(sea)), encoding="utf-8")
        if sea:
            (tmp / "crossings.csv").write_text(_crossings_csv(sea), encoding="utf-8")
        (tmp / "villages.geojson").write_text(_villages_geojson(vs), encoding="utf-8")
        (tmp / "boundary.geojson").write_text(_boundary_geojson(reference.regency_outline(reg.code), reg),
                                              encoding="utf-8")
        write_counts_template(tmp / TEMPLATE_FILE, vs, reg.name)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"regency": reg, "office": off, "villages": len(vs), "without_polygon": sum(v.wkt is None for v in vs),
            "holidays": len(days), "years": found, "missing_years": [y for y in years if y not in found],
            "crossings": len(sea)}
