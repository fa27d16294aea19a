"""Generate ``tests/data/invalid/``: one bad workspace per defect, named after the defect.

Each case copies ``tests/data/small`` and applies ONE patch (``TwoProblemsReportedTogether``
applies two, in different files, on purpose). Each folder also gets ``expected.txt``: one
substring per line, and every line must appear (case-insensitive) in the output of
``outreach-planner check FOLDER``, which must exit with code 2.

To keep the folders small, a case's ``workspace.toml`` points at
``../../small/boundary.geojson`` unless the case is about the boundary.

Deterministic: running it again rewrites the corpus byte for byte::

    .venv/bin/python tests/data/make_invalid.py

The output folder is deleted and rebuilt, so do not hand-edit anything in it: add a
patch function here instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
SMALL = HERE / "small"
OUT = HERE / "invalid"
SHARED_BOUNDARY = "../../small/boundary.geojson"

Patch = Callable[[Path], None]
CASES: dict[str, tuple[Patch, tuple[str, ...]]] = {}


def case(*expected: str) -> Callable[[Patch], Patch]:
    """Register a patch function; its name is the case (folder) name."""

    def register(fn: Patch) -> Patch:
        name = fn.__name__
        assert name not in CASES, name
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", name), f"not CamelCase: {name}"
        assert expected and all(e.strip() and "\n" not in e for e in expected), name
        CASES[name] = (fn, expected)
        return fn

    return register


# --------------------------------------------------------------------------- file helpers
def write_text(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def replace_text(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of ``old`` (fails loudly when the base changed)."""
    text = path.read_text(encoding="utf-8")
    n = text.count(old)
    assert n == 1, f"{path.name}: expected one {old!r}, found {n}"
    write_text(path, text.replace(old, new))


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    write_text(path, buf.getvalue())


def set_cell(path: Path, key: str, col: str, value: str) -> None:
    """Set column ``col`` of the row whose first column is ``key``."""
    header, rows = read_csv(path)
    assert col in header, f"{path.name}: no column {col!r}"
    hits = [r for r in rows if r[header[0]] == key]
    assert len(hits) == 1, f"{path.name}: expected one row {key!r}, found {len(hits)}"
    hits[0][col] = value
    write_csv(path, header, rows)


def utm51s(lon: float, lat: float) -> tuple[str, str]:
    """WGS84 lon/lat -> UTM zone 51S easting/northing in metres (text, 2 decimals)."""
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 32751, always_xy=True).transform(lon, lat)
    return f"{x:.2f}", f"{y:.2f}"


_FIXED_TIME = dt.datetime(2026, 1, 1)
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def write_xlsx(path: Path, sheets: dict[str, Path]) -> None:
    """Write CSV files as the sheets of one workbook, reproducibly (fixed times in the zip)."""
    import openpyxl

    text_cols = {"code", "district_code", "village_code", "postal_code", "id", "nik", "name"}
    date_cols = {"requested_on", "ready_on", "due_on"}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.created = _FIXED_TIME
    wb.properties.creator = "make_invalid.py"
    for sheet, csv_path in sheets.items():
        ws = wb.create_sheet(sheet)
        header, rows = read_csv(csv_path)
        ws.append(header)
        for row in rows:
            cells: list[object] = []
            for col in header:
                v = row[col]
                if v == "":
                    cells.append(None)
                elif col in date_cols:
                    cells.append(dt.date.fromisoformat(v))
                elif col not in text_cols and re.fullmatch(r"-?\d+", v):
                    cells.append(int(v))
                elif col not in text_cols and re.fullmatch(r"-?\d+\.\d+", v):
                    cells.append(float(v))
                else:
                    cells.append(v)
            ws.append(cells)
    raw = io.BytesIO()
    wb.save(raw)
    # openpyxl stamps "modified" with the current time and the zip entries with the
    # current time: rewrite both so that the file is identical on every run.
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    path.write_bytes(out.getvalue())


# --------------------------------------------------------------------------- the cases
# workspace.toml ------------------------------------------------------------
@case("duplicate team id: tim1")
def DuplicateTeamId(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'id = "kurir"', 'id = "tim1"')


@case("unknown service (skill)", "'paspor'")
def UnknownSkill(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'services = ["ektp", "kia", "akta"]',
                 'services = ["ektp", "kia", "akta", "paspor"]')


@case("team 'tim1'", "field 'activities.3'", "'posyandu'")
def UnknownActivity(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'activities = ["village_session", "home_visit", "school_session"]',
                 'activities = ["village_session", "home_visit", "school_session", "posyandu"]')


@case("team 'kurir'", "no working day")
def TeamWithNoDay(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'days = ["mon", "wed", "fri"]', "days = []")


@case("team 'kurir'", "no skills")
def TeamWithNoSkill(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'activities = ["delivery"]', "activities = []")


@case("team 'tim1'", "unknown depot", "'kantor_kolaka'")
def UnknownDepot(ws: Path) -> None:
    text = (ws / "workspace.toml").read_text(encoding="utf-8")
    head, sep, tail = text.partition('id = "tim1"')
    assert sep
    tail = tail.replace('depot = "office"', 'depot = "kantor_kolaka"', 1)
    write_text(ws / "workspace.toml", head + sep + tail)


@case("team 'tim1'", "recording kit")
def KitServiceWithoutKit(ws: Path) -> None:
    replace_text(ws / "workspace.toml", "recording_kits = 1", "recording_kits = 0")


@case("team 'kurir'", "delivery_capacity")
def DeliveryTeamWithoutCapacity(ws: Path) -> None:
    replace_text(ws / "workspace.toml", "delivery_capacity = 20\n", "")


@case("field 'hours.tue'", "closes (08:00) before")
def ShiftClosesBeforeOpens(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'tue = "08:00-16:00"', 'tue = "16:00-08:00"')


@case("[calendar]", "working days without hours: sat")
def WorkingDayWithoutHours(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'working_days = ["mon", "tue", "wed", "thu", "fri"]',
                 'working_days = ["mon", "tue", "wed", "thu", "fri", "sat"]')


@case("[calendar]", "required section is missing")
def MissingTomlSection(ws: Path) -> None:
    text = (ws / "workspace.toml").read_text(encoding="utf-8")
    start = text.index("[calendar]")
    end = text.index("[[services]]")
    assert "[calendar" not in text[end:]
    write_text(ws / "workspace.toml", text[:start] + text[end:])


@case("workspace.toml", "not valid TOML")
def InvalidToml(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'name = "Tim 1"', 'name = "Tim 1')


@case("workspace.toml not found")
def MissingWorkspaceToml(ws: Path) -> None:
    (ws / "workspace.toml").unlink()


@case("[layers] schools", "file not found", "sekolah.csv")
def FileNotFound(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'schools = "schools.csv"', 'schools = "sekolah.csv"')


@case("[layers] puskesmas", "unknown layer")
def UnknownLayer(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'schools = "schools.csv"\n',
                 'schools = "schools.csv"\npuskesmas = "schools.csv"\n')


@case("field 'crs'", "unknown CRS", "EPSG:999999")
def UnknownCrs(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'villages = "villages.csv"',
                 'villages = { path = "villages.csv", crs = "EPSG:999999" }')


# villages ------------------------------------------------------------------
@case("duplicate village id: 74.08.01.1001")
def DuplicateVillageCode(ws: Path) -> None:
    header, rows = read_csv(ws / "villages.csv")
    extra = dict(rows[0], name="Lasusua Baru", lon="120.880000", lat="-3.500000")
    write_csv(ws / "villages.csv", header, [*rows, extra])


@case("villages.csv", "field 'population': missing column")
def MissingColumn(ws: Path) -> None:
    header, rows = read_csv(ws / "villages.csv")
    header.remove("population")
    for r in rows:
        del r["population"]
    write_csv(ws / "villages.csv", header, rows)


@case("code 74.08.01.2002", "field 'population'", "'dua ribu'")
def TextInNumberCell(ws: Path) -> None:
    set_cell(ws / "villages.csv", "74.08.01.2002", "population", "dua ribu")


@case("village 74.08.01.2003", "field 'kia_covered'", "covered is above eligible")
def CoveredAboveEligible(ws: Path) -> None:
    header, rows = read_csv(ws / "villages.csv")
    row = next(r for r in rows if r["code"] == "74.08.01.2003")
    row["kia_covered"] = str(2 * int(row["kia_eligible"]))  # 720 of 360: clearly above
    write_csv(ws / "villages.csv", header, rows)


@case("code 74.08.01.2002", "field 'eligible'", "negative counts")
def NegativeCount(ws: Path) -> None:
    set_cell(ws / "villages.csv", "74.08.01.2002", "akta_eligible", "-660")


@case("code 74.08.05.1002", "look swapped")
def SwappedLatLon(ws: Path) -> None:
    header, rows = read_csv(ws / "villages.csv")
    row = next(r for r in rows if r["code"] == "74.08.05.1002")
    row["lon"], row["lat"] = row["lat"], row["lon"]
    write_csv(ws / "villages.csv", header, rows)


@case("villages.csv", "layer is empty")
def EmptyLayer(ws: Path) -> None:
    header, _ = read_csv(ws / "villages.csv")
    write_csv(ws / "villages.csv", header, [])


@case("villages.csv", "not WGS84 degrees", "looks projected")
def ProjectedCrsUndeclared(ws: Path) -> None:
    header, rows = read_csv(ws / "villages.csv")
    for r in rows:
        r["lon"], r["lat"] = utm51s(float(r["lon"]), float(r["lat"]))
    write_csv(ws / "villages.csv", header, rows)


@case("code 74.08.05.1002", "not a number (nan)")
def NanCoordinates(ws: Path) -> None:
    set_cell(ws / "villages.csv", "74.08.05.1002", "lon", "nan")


@case("code 74.08.01.1001", "field 'lat': required value is empty")
def EmptyCoordinate(ws: Path) -> None:
    set_cell(ws / "villages.csv", "74.08.01.1001", "lat", "")


# schools -------------------------------------------------------------------
@case("school 'sma1'", "unknown village code", "74.08.01.9999")
def UnknownVillageCodeOnSchool(ws: Path) -> None:
    set_cell(ws / "schools.csv", "sma1", "village_code", "74.08.01.9999")


@case("id smp2", "outside the regency boundary")
def PointOutsideRegency(ws: Path) -> None:
    header, rows = read_csv(ws / "schools.csv")
    row = next(r for r in rows if r["id"] == "smp2")
    row["lon"], row["lat"] = "119.420000", "-5.140000"  # Makassar
    write_csv(ws / "schools.csv", header, rows)


# home visit requests ----------------------------------------------------------
@case("id hv1", "window closes (09:00) before it opens (12:00)")
def WindowClosesBeforeOpens(ws: Path) -> None:
    set_cell(ws / "home_visit_requests.csv", "hv1", "windows", "mon 12:00-09:00; wed 13:00-15:00")


@case("duplicate request id: hv2")
def DuplicateRequestId(ws: Path) -> None:
    set_cell(ws / "home_visit_requests.csv", "hv3", "id", "hv2")


@case("id hv1", "field 'nik'", "a NIK has 16 digits, got 15")
def BadNik(ws: Path) -> None:
    set_cell(ws / "home_visit_requests.csv", "hv1", "nik", "740801010150000")


@case("id hv2", "field 'requested_on'", "31/11/2026")
def BadDate(ws: Path) -> None:
    set_cell(ws / "home_visit_requests.csv", "hv2", "requested_on", "31/11/2026")


@case("id hv2", "field 'reason'", "'tua'")
def UnknownReason(ws: Path) -> None:
    set_cell(ws / "home_visit_requests.csv", "hv2", "reason", "tua")


@case("request 'hv3'", "unknown service", "'paspor'")
def UnknownServiceOnRequest(ws: Path) -> None:
    set_cell(ws / "home_visit_requests.csv", "hv3", "services", "kia;paspor")


# deliveries ----------------------------------------------------------------
@case("id dl2", "before ready_on")
def DueBeforeReady(ws: Path) -> None:
    set_cell(ws / "deliveries.csv", "dl2", "due_on", "2026-11-01")


# spreadsheet and boundary ------------------------------------------------------
@case("sheet 'deliveries'", "sheet not found")
def MissingXlsxSheet(ws: Path) -> None:
    names = ("villages", "schools", "home_visit_requests")  # no "deliveries" sheet
    write_xlsx(ws / "layers.xlsx", {n: ws / f"{n}.csv" for n in names})
    for n in (*names, "deliveries"):
        (ws / f"{n}.csv").unlink()
    for n in (*names, "deliveries"):
        replace_text(ws / "workspace.toml", f'{n} = "{n}.csv"', f'{n} = "layers.xlsx"')


@case("boundary.geojson", "no polygon")
def BoundaryWithoutPolygon(ws: Path) -> None:
    replace_text(ws / "workspace.toml", f'boundary = "{SHARED_BOUNDARY}"', 'boundary = "boundary.geojson"')
    write_text(ws / "boundary.geojson",
               '{"type":"FeatureCollection","features":[{"type":"Feature",'
               '"properties":{"name":"Kabupaten Kolaka Utara (only its centre)"},'
               '"geometry":{"type":"Point","coordinates":[121.134047,-3.262712]}}]}\n')


# two defects, in two files: both must be reported by one run ---------------------
@case("duplicate team id: tim1", "'empat puluh'")
def TwoProblemsReportedTogether(ws: Path) -> None:
    DuplicateTeamId(ws)
    set_cell(ws / "schools.csv", "sma1", "ektp_needed", "empat puluh")


# --------------------------------------------------------------------------- build
def copy_base(dest: Path, boundary: str = SHARED_BOUNDARY) -> None:
    """The valid workspace every case starts from: ``small`` without its boundary file."""
    dest.mkdir(parents=True)
    for f in sorted(SMALL.iterdir()):
        if f.is_file() and f.name != "boundary.geojson":
            shutil.copyfile(f, dest / f.name)
    replace_text(dest / "workspace.toml", 'boundary = "boundary.geojson"', f'boundary = "{boundary}"')


def build_case(name: str, dest: Path) -> None:
    patch, expected = CASES[name]
    copy_base(dest)
    patch(dest)
    write_text(dest / "expected.txt", "".join(f"{line}\n" for line in expected))


def main(out: Path = OUT) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in sorted(CASES):
        build_case(name, out / name)
    print(f"wrote {len(CASES)} cases to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
