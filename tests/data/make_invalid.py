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

It also writes ``tests/data/copes/``: input the reader copes with (a ``;``-separated or
Latin-1 CSV, a BOM in ``workspace.toml``, title rows above an Excel header). Each of those
folders must read, with the warning in its ``expected.txt``, to the same workspace as its
clean twin (the base, with the same content change when the case needs one, see ``COPES``).
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
COPES_OUT = HERE / "copes"
SHARED_BOUNDARY = "../../small/boundary.geojson"

Patch = Callable[[Path], None]
CASES: dict[str, tuple[Patch, tuple[str, ...]]] = {}
#: name -> (content change applied to the clean twin too, or None; the coping patch; warning texts)
COPES: dict[str, tuple[Patch | None, Patch, tuple[str, ...]]] = {}


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


def copes(*expected: str, content: Patch | None = None) -> Callable[[Patch], Patch]:
    """Register input the reader copes with; ``content`` is applied to the clean twin as well."""

    def register(fn: Patch) -> Patch:
        name = fn.__name__
        assert name not in COPES and name not in CASES, name
        assert expected and all(e.strip() and "\n" not in e for e in expected), name
        COPES[name] = (content, fn, expected)
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


def write_xlsx(path: Path, sheets: dict[str, Path], above: dict[str, list[list[object]]] | None = None,
               merge: dict[str, list[str]] | None = None) -> None:
    """Write CSV files as the sheets of one workbook, reproducibly (fixed times in the zip).

    ``above[sheet]`` are rows written above the header (a title); ``merge[sheet]`` cell ranges to merge.
    """
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
        for extra in (above or {}).get(sheet, []):
            ws.append(extra)
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
        for cells in (merge or {}).get(sheet, []):
            ws.merge_cells(cells)
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


# input that used to slip through ---------------------------------------------------
@case("[regency]", "field 'timezone'", "'WITA'", 'use "Asia/Makassar"')
def TimezoneAbbreviation(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'name = "Kabupaten Kolaka Utara (test)"\n',
                 'name = "Kabupaten Kolaka Utara (test)"\ntimezone = "WITA"\n')


@case("[regency]", "field 'timezone'", "'Asia/Makasar'", "unknown time zone", "Asia/Makassar")
def TimezoneMisspelt(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'name = "Kabupaten Kolaka Utara (test)"\n',
                 'name = "Kabupaten Kolaka Utara (test)"\ntimezone = "Asia/Makasar"\n')


@case("service 'ektp'", "field 'target'", "'98%'", "between 0 and 1", "write 0.98")
def ServiceTargetPercent(ws: Path) -> None:
    replace_text(ws / "workspace.toml", "target = 0.98", 'target = "98%"')


@case("service 'ektp'", "field 'target'", "(value: 98)", "looks like a percentage: write 0.98")
def ServiceTargetAsPercentNumber(ws: Path) -> None:
    replace_text(ws / "workspace.toml", "target = 0.98", "target = 98")


@case("team 'kurir'", "field 'delivery_capacity'", "'40'", "expected a whole number, got text",
      "delivery_capacity = 40")
def DeliveryCapacityText(ws: Path) -> None:
    replace_text(ws / "workspace.toml", "delivery_capacity = 20", 'delivery_capacity = "40"')


@case("service 'kia'", "field 'minutes_per_person'", "'4'", "expected a number, got text")
def ServiceMinutesText(ws: Path) -> None:
    replace_text(ws / "workspace.toml", "minutes_per_person = 4", 'minutes_per_person = "4"')


@case("[[calendar.breaks]] #1 ('Istirahat siang')", "field 'start/end'", "'17:00-18:00'",
      "outside every shift", "mon 08:00-16:00", "outside the working hours of every other day")
def BreakOutsideShift(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'start = "12:00"\nend = "13:00"', 'start = "17:00"\nend = "18:00"')


@case("[[calendar.breaks]] #2 ('Apel pagi')", "'07:30-12:00'", "removes the whole shift on fri 08:00-11:30")
def BreakRemovesShift(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'start = "12:00"\nend = "13:00"\n',
                 'start = "12:00"\nend = "13:00"\n\n[[calendar.breaks]]\nname = "Apel pagi"\n'
                 'days = ["fri"]\nstart = "07:30"\nend = "12:00"\n')


# files whose form hides the problem ---------------------------------------------------
@case("home_visit_requests.geojson", "feature 1 (id hv1)", "field 'geometry'", "LineString",
      "needs one Point per feature")
def RequestsAsLines(ws: Path) -> None:
    import json

    header, rows = read_csv(ws / "home_visit_requests.csv")
    features = []
    for r in rows:
        lon, lat = float(r["lon"]), float(r["lat"])
        props = {k: v for k, v in r.items() if k not in ("lon", "lat")}
        line = [[lon, lat], [round(lon + 0.001, 6), round(lat + 0.001, 6)]]
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "LineString", "coordinates": line}})
    write_text(ws / "home_visit_requests.geojson",
               json.dumps({"type": "FeatureCollection", "features": features}, indent=1) + "\n")
    (ws / "home_visit_requests.csv").unlink()
    replace_text(ws / "workspace.toml", 'home_visit_requests = "home_visit_requests.csv"',
                 'home_visit_requests = "home_visit_requests.geojson"')


@case("villages.csv", "row 3", "the header has 14", "contains the separator", "decimal comma")
def UnquotedDecimalComma(ws: Path) -> None:
    replace_text(ws / "villages.csv", "120.885746,-3.51641,", "120,885746,-3,51641,")


@case("villages.csv", "field 'population'", "the column appears twice")
def DuplicateColumn(ws: Path) -> None:
    header, rows = read_csv(ws / "villages.csv")
    text = (ws / "villages.csv").read_text(encoding="utf-8").splitlines()
    out = [text[0] + ",population"] + [line + "," + r["population"] for line, r in zip(text[1:], rows)]
    write_text(ws / "villages.csv", "\n".join(out) + "\n")


# two defects, in two files: both must be reported by one run ---------------------
@case("duplicate team id: tim1", "'empat puluh'")
def TwoProblemsReportedTogether(ws: Path) -> None:
    DuplicateTeamId(ws)
    set_cell(ws / "schools.csv", "sma1", "ektp_needed", "empat puluh")


# --------------------------------------------------------------------------- input the reader copes with
def _csv_with(path: Path, delimiter: str, decimal_comma: tuple[str, ...] = ()) -> None:
    header, rows = read_csv(path)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")  # as Excel writes it
    w.writerow(header)
    for r in rows:
        w.writerow([r[c].replace(".", ",") if c in decimal_comma else r[c] for c in header])
    write_text(path, buf.getvalue())


@copes("villages.csv", "semicolon (;)-separated")
def SemicolonCsv(ws: Path) -> None:
    _csv_with(ws / "villages.csv", ";", decimal_comma=("lon", "lat"))  # Excel, Indonesian locale


@copes("schools.csv", "tab-separated")
def TabSeparatedCsv(ws: Path) -> None:
    _csv_with(ws / "schools.csv", "\t")


def _accented_address(ws: Path) -> None:
    set_cell(ws / "home_visit_requests.csv", "hv2", "address", "Dusun II – dekat kafé")


@copes("home_visit_requests.csv", "not UTF-8 (byte 0x96 on line 3)", "Windows-1252", "save it as UTF-8",
       content=_accented_address)
def Latin1Csv(ws: Path) -> None:
    path = ws / "home_visit_requests.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))


def _accented_regency(ws: Path) -> None:
    replace_text(ws / "workspace.toml", 'name = "Kabupaten Kolaka Utara (test)"',
                 'name = "Kabupaten Kolaka Utara (tés)"')


@copes("workspace.toml", "not UTF-8", "Windows-1252", content=_accented_regency)
def Latin1Toml(ws: Path) -> None:
    path = ws / "workspace.toml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))


@copes("workspace.toml", "byte-order mark (BOM)", "skipped")
def BomInToml(ws: Path) -> None:
    path = ws / "workspace.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


@copes("villages.xlsx (sheet villages)", "the header is on row 3", "2 rows above it")
def ExcelTitleRows(ws: Path) -> None:
    header, _ = read_csv(ws / "villages.csv")
    group = [None] * len(header)
    group[header.index("lon")] = "Koordinat (WGS84)"
    group[header.index("ektp_eligible")] = "Perekaman e-KTP"
    cols = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    lon_col, ek = cols[header.index("lon")], cols[header.index("ektp_eligible")]
    write_xlsx(ws / "villages.xlsx", {"villages": ws / "villages.csv"},
               above={"villages": [["Data desa Kabupaten Kolaka Utara, 2026"], group]},
               merge={"villages": [f"A1:{cols[len(header) - 1]}1", f"{lon_col}2:{cols[header.index('lat')]}2",
                                   f"{ek}2:{cols[header.index('ektp_covered')]}2"]})
    (ws / "villages.csv").unlink()
    replace_text(ws / "workspace.toml", 'villages = "villages.csv"', 'villages = "villages.xlsx"')


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


def build_copes(name: str, dest: Path) -> None:
    content, patch, expected = COPES[name]
    copy_base(dest)
    if content is not None:
        content(dest)
    patch(dest)
    write_text(dest / "expected.txt", "".join(f"{line}\n" for line in expected))


def clean_twin(name: str, dest: Path, boundary: str = SHARED_BOUNDARY) -> None:
    """The base with the case's content change only: what the coped-with case must read as."""
    content = COPES[name][0]
    copy_base(dest, boundary=boundary)
    if content is not None:
        content(dest)


def main(out: Path = OUT, copes_out: Path = COPES_OUT) -> None:
    for folder, registry, build in ((out, CASES, build_case), (copes_out, COPES, build_copes)):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name in sorted(registry):
            build(name, folder / name)
        print(f"wrote {len(registry)} cases to {folder}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]) / "invalid", Path(sys.argv[1]) / "copes")
    else:
        main()
