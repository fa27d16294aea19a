"""Focused tests of ``read_workspace``: warnings, personal data, coordinate systems.

Variants are built in ``tmp_path`` from a copy of ``tests/data/small``.
"""

from __future__ import annotations

import csv
import shutil
import warnings
from pathlib import Path

import pytest
from pyproj import Geod, Transformer

from outreach_planner.errors import InputError, InputWarning
from outreach_planner.io import read_workspace
from outreach_planner.model import HomeVisitRequest, mask_nik

#: These tests assert on the English texts of the messages (Indonesian is the default: test_indonesian_path.py).
pytestmark = pytest.mark.usefixtures("english")

SMALL = Path(__file__).resolve().parent / "data" / "small"
NIK = "7408010101500001"  # hv1's (synthetic) NIK in the small workspace
GEOD = Geod(ellps="WGS84")
TO_UTM = Transformer.from_crs(4326, 32751, always_xy=True)


# --------------------------------------------------------------------------- helpers
@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A fresh copy of the small workspace."""
    root = tmp_path / "ws"
    shutil.copytree(SMALL, root)
    return root


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def set_cell(path: Path, key: str, col: str, value: str) -> None:
    header, rows = read_rows(path)
    row = next(r for r in rows if r[header[0]] == key)
    row[col] = value
    write_rows(path, header, rows)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def read_quietly(path: Path):
    """Read, failing on any InputWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = read_workspace(path)
    assert not [w for w in caught if issubclass(w.category, InputWarning)], [str(w.message) for w in caught]
    return result


def metres_apart(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


# --------------------------------------------------------------------------- the small workspace
def test_small_workspace_reads_without_warnings():
    ws = read_quietly(SMALL)
    assert ws.regency.code == "74.08"
    assert [v.code for v in ws.villages] == ["74.08.01.1001", "74.08.01.2002", "74.08.01.2003", "74.08.05.1002"]
    assert [s.id for s in ws.schools] == ["sma1", "smp2"]
    assert [r.id for r in ws.requests] == ["hv1", "hv2", "hv3"]
    assert [d.id for d in ws.deliveries] == ["dl1", "dl2", "dl3"]
    assert ws.service_ids == ("ektp", "kia", "akta")
    assert {t.id for t in ws.teams} == {"tim1", "kurir"}
    assert ws.village("74.08.01.2002").population == 2060
    assert ws.boundary_wkt


def test_reading_a_toml_path_is_the_same_as_the_folder():
    assert read_quietly(SMALL / "workspace.toml") == read_quietly(SMALL)


# --------------------------------------------------------------------------- warnings
def test_point_slightly_outside_the_boundary_warns(ws: Path):
    # ~2 km west of the coast near Lasusua: outside the regency, but under the 5 km limit.
    set_cell(ws / "schools.csv", "sma1", "lon", "120.860000")
    set_cell(ws / "schools.csv", "sma1", "lat", "-3.520000")
    with pytest.warns(InputWarning, match=r"sma1.*km outside the regency boundary"):
        result = read_workspace(ws)
    school = next(s for s in result.schools if s.id == "sma1")
    assert (school.lon, school.lat) == (120.86, -3.52)


def test_point_far_outside_the_boundary_is_an_error(ws: Path):
    set_cell(ws / "schools.csv", "sma1", "lon", "120.700000")  # ~19 km out at sea
    with pytest.raises(InputError, match=r"sma1.*outside the regency boundary"):
        read_workspace(ws)


def test_population_zero_is_read_without_a_warning(ws: Path):
    """A population of 0 is legal and used by nothing in the plan: reading does not warn on every command
    (``check`` names such villages once: tests/test_outputs_indonesian.py)."""
    import warnings

    set_cell(ws / "villages.csv", "74.08.05.1002", "population", "0")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = read_workspace(ws)
    assert not [w for w in caught if "population" in str(w.message)]
    assert result.village("74.08.05.1002").population == 0


def test_covered_slightly_above_eligible_warns(ws: Path):
    set_cell(ws / "villages.csv", "74.08.01.2003", "ektp_covered", "870")  # eligible 850: +2.4%
    with pytest.warns(InputWarning, match=r"74\.08\.01\.2003.*ektp coverage is 102\.4% \(above 100%\)"):
        result = read_workspace(ws)
    village = result.village("74.08.01.2003")
    assert village.covered["ektp"] == 870
    assert village.unserved("ektp") == 0


def test_covered_clearly_above_eligible_is_an_error(ws: Path):
    set_cell(ws / "villages.csv", "74.08.01.2003", "ektp_covered", "950")  # +11.8%
    with pytest.raises(InputError, match="ektp_covered"):
        read_workspace(ws)


# --------------------------------------------------------------------------- personal data
def test_nik_is_not_in_repr_of_a_request():
    request = next(r for r in read_quietly(SMALL).requests if r.id == "hv1")
    assert request.nik == NIK
    assert NIK not in repr(request)
    assert NIK not in str(request)
    assert "Nenek Contoh" not in repr(request)  # the name is personal data too
    assert request.nik_masked == "************0001"


def test_nik_is_not_in_str_of_the_workspace():
    ws = read_quietly(SMALL)
    assert NIK not in str(ws)
    assert NIK not in repr(ws)


def test_nik_not_in_repr_of_a_request_built_directly():
    r = HomeVisitRequest(id="x", name="Someone", nik=NIK, reason="sick", services=("ektp",),
                         village_code="74.08.01.2002", lon=120.886, lat=-3.517, requested_on="2026-11-02")
    assert NIK not in repr(r)


def test_mask_nik_shows_only_the_last_4_digits():
    masked = mask_nik(NIK)
    assert masked.endswith("0001")
    assert sum(c.isdigit() for c in masked) == 4
    assert NIK[:12] not in masked
    assert mask_nik(None) == ""
    assert mask_nik("") == ""


def test_a_bad_nik_is_masked_in_the_error(ws: Path):
    set_cell(ws / "home_visit_requests.csv", "hv1", "nik", "740801010150000")
    with pytest.raises(InputError) as info:
        read_workspace(ws)
    text = str(info.value)
    assert "nik" in text and "16 digits" in text
    assert "740801010150000" not in text
    assert "74080101" not in text


def test_a_record_level_error_does_not_print_the_record(ws: Path):
    # due_on before ready_on is checked on the whole record: the recipient must not be echoed.
    set_cell(ws / "deliveries.csv", "dl2", "due_on", "2026-11-01")
    with pytest.raises(InputError, match="before ready_on") as info:
        read_workspace(ws)
    assert "Penerima Dua" not in str(info.value)


# --------------------------------------------------------------------------- one problem, not its echoes
def test_a_rejected_village_row_does_not_make_its_code_unknown(ws: Path):
    set_cell(ws / "villages.csv", "74.08.01.2002", "population", "dua ribu")  # hv1 and dl1 name this village
    set_cell(ws / "schools.csv", "sma1", "village_code", "74.08.01.9999")  # a genuinely unknown code
    with pytest.raises(InputError) as info:
        read_workspace(ws)
    problems = info.value.problems
    assert [(p.field, p.value) for p in problems] == [("population", "dua ribu"), ("village_code", "74.08.01.9999")]


# --------------------------------------------------------------------------- coordinate systems
def test_csv_in_utm_with_declared_crs_reads(ws: Path):
    header, rows = read_rows(ws / "villages.csv")
    original = {}
    for r in rows:
        original[r["code"]] = (float(r["lon"]), float(r["lat"]))
        x, y = TO_UTM.transform(float(r["lon"]), float(r["lat"]))
        r["lon"], r["lat"] = f"{x:.2f}", f"{y:.2f}"
    write_rows(ws / "villages.csv", header, rows)
    replace_in(ws / "workspace.toml", 'villages = "villages.csv"',
               'villages = { path = "villages.csv", crs = "EPSG:32751" }')
    result = read_quietly(ws)
    assert {v.code for v in result.villages} == set(original)
    for v in result.villages:
        assert metres_apart(v.lon, v.lat, *original[v.code]) < 1.0, v.code
    lasusua = result.village("74.08.01.1001")
    assert metres_apart(lasusua.lon, lasusua.lat, 120.883078, -3.504508) < 1.0


def test_geojson_in_utm_is_reprojected_with_a_warning(ws: Path):
    import geopandas as gpd
    import shapely

    header, rows = read_rows(ws / "schools.csv")
    original = {r["id"]: (float(r["lon"]), float(r["lat"])) for r in rows}
    props = [{k: (int(v) if k.endswith("_needed") else v) for k, v in r.items() if k not in ("lon", "lat")}
             for r in rows]
    points = [shapely.Point(TO_UTM.transform(*original[r["id"]])) for r in rows]
    gdf = gpd.GeoDataFrame(props, geometry=points, crs="EPSG:32751")
    gdf.to_file(ws / "schools.geojson", driver="GeoJSON")
    (ws / "schools.csv").unlink()
    replace_in(ws / "workspace.toml", 'schools = "schools.csv"', 'schools = "schools.geojson"')
    with pytest.warns(InputWarning, match=r"schools\.geojson.*reprojected from EPSG:32751"):
        result = read_workspace(ws)
    assert {s.id for s in result.schools} == set(original)
    for s in result.schools:
        assert metres_apart(s.lon, s.lat, *original[s.id]) < 1.0, s.id
    expected = read_quietly(SMALL)
    assert [s.needed for s in result.schools] == [s.needed for s in expected.schools]


# --------------------------------------------------------------------------- breaks against shifts
def test_a_break_outside_the_shift_on_some_days_warns_and_one_after_the_shift_end_is_fine(ws: Path):
    # lunch 12:00-13:00 now also on fri, whose shift ends at 11:30: it does not apply that day (warning);
    # Friday prayers 11:30-13:00 start when the fri shift ends: they just end the day (no message).
    replace_in(ws / "workspace.toml", 'days = ["mon", "tue", "wed", "thu"]', 'days = ["mon", "tue", "wed", "thu", "fri"]')
    replace_in(ws / "workspace.toml", 'start = "12:00"\nend = "13:00"\n',
               'start = "12:00"\nend = "13:00"\n\n[[calendar.breaks]]\nname = "Salat Jumat"\ndays = ["fri"]\n'
               'start = "11:30"\nend = "13:00"\n')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = read_workspace(ws)
    said = [str(w.message) for w in caught if issubclass(w.category, InputWarning)]
    assert said == ["workspace.toml, [[calendar.breaks]] #1 ('Istirahat siang'): the break (12:00-13:00) lies "
                    "outside the shift on fri 08:00-11:30; it does not apply there"]
    assert len(result.calendar.breaks) == 2


def test_a_break_within_a_teams_own_shift_is_not_outside_every_shift(ws: Path):
    # 17:00-18:00 is after the office hours, but tim1 works mon 08:00-19:00: a warning for the other days only.
    replace_in(ws / "workspace.toml", 'start = "12:00"\nend = "13:00"', 'start = "17:00"\nend = "18:00"')
    replace_in(ws / "workspace.toml", 'days = ["mon", "tue", "wed", "thu", "fri"]\n\n[[teams]]',
               'days = ["mon", "tue", "wed", "thu", "fri"]\nshift = { mon = "08:00-19:00" }\n\n[[teams]]')
    with pytest.warns(InputWarning, match=r"outside the shift on mon 08:00-16:00, tue 08:00-16:00"):
        read_workspace(ws)


# --------------------------------------------------------------------------- strict workspace.toml types
@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("needs_kit = true", 'needs_kit = "true"', "needs_kit", "expected true or false, got text"),
    ("recording_kits = 1", "recording_kits = 1.5", "recording_kits", "expected a whole number, got 1.5"),
    ("turnout = 0.35", 'turnout = "35%"', "turnout", "write 0.35, not '35%'"),
    ("[layers]", '[travel.speed_kmh]\ncar = "40"\nmotorbike = 35\n\n[layers]', "speed_kmh.car",
     "write it without quotes: car = 40"),
])
def test_toml_values_of_the_wrong_type_are_refused(ws: Path, old, new, field, message):
    replace_in(ws / "workspace.toml", old, new)
    with pytest.raises(InputError) as info:
        read_workspace(ws)
    assert [p.field for p in info.value.problems] == [field]
    assert message in info.value.problems[0].message


# --------------------------------------------------------------------------- text files (io/_text.py)
def test_sniff_delimiter_prefers_the_one_that_yields_the_columns():
    from outreach_planner.io._text import sniff_delimiter

    assert sniff_delimiter("id;name;notes, more\n1;a;b\n", expected=("id", "name")) == ";"
    assert sniff_delimiter("id\tname\n1\ta\n") == "\t"
    assert sniff_delimiter("id,name\n") == ","
    assert sniff_delimiter("id\n1\n") == ","


def test_decode_falls_back_to_latin1_for_bytes_windows_1252_does_not_define():
    from outreach_planner.io._text import decode

    utf8 = decode("\ufeffkafé".encode())
    assert (utf8.text, utf8.encoding, utf8.had_bom, utf8.notes) == ("kafé", "utf-8", True, [])
    cp = decode("a\nkafé – b".encode("cp1252"))
    assert (cp.text, cp.encoding) == ("a\nkafé – b", "cp1252")
    assert "byte 0xe9 on line 2" in cp.notes[0]
    latin = decode(b"x\x81y\xe9")
    assert (latin.text, latin.encoding) == ("x\x81yé", "latin-1")


def test_friday_prayers_after_an_early_friday_shift_warn_and_read(ws: Path):
    # fri ends at 11:00; prayers 11:30-13:00 never apply, but 11:30 is working time mon-thu: legal, a warning.
    replace_in(ws / "workspace.toml", 'fri = "08:00-11:30"', 'fri = "07:30-11:00"')
    replace_in(ws / "workspace.toml", 'start = "12:00"\nend = "13:00"\n',
               'start = "12:00"\nend = "13:00"\n\n[[calendar.breaks]]\nname = "Salat Jumat"\ndays = ["fri"]\n'
               'start = "11:30"\nend = "13:00"\n')
    with pytest.warns(InputWarning, match=r"#2 \('Salat Jumat'\): the break \(11:30-13:00\) lies outside the shift "
                                          r"on each of its days \(fri 07:30-11:00\); it never applies"):
        result = read_workspace(ws)
    assert len(result.calendar.breaks) == 2
