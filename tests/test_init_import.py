"""Issue 15: a workspace for any regency (init), the office's own spreadsheet (import), stop-point checks."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from outreach_planner import reference
from outreach_planner.cli import app
from outreach_planner.errors import InputError, InputWarning
from outreach_planner.io import read_workspace
from outreach_planner.io.office_import import import_counts, name_key, parse_count
from outreach_planner.io.init_workspace import init_workspace

runner = CliRunner()


from plaintext import flat  # noqa: E402  (words, not the terminal's wrapping)


def counts_of(pop: int) -> list[int]:
    """Synthetic counts (SYNTHETIC, for the tests): WAJIB KTP, SUDAH REKAM, JUMLAH ANAK, PUNYA KIA, WAJIB AKTA,
    PUNYA AKTA."""
    e = max(1, round(pop * 0.7))
    k = max(1, round(pop * 0.3))
    a = max(1, round(pop * 0.35))
    return [e, round(e * 0.9), k, k // 2, a, round(a * 0.9)]

def _copy(konut: Path, tmp_path: Path) -> Path:
    """A copy of the initialised Konawe Utara workspace that a test may change."""
    import shutil

    ws = tmp_path / "konut"
    shutil.copytree(konut, ws)
    return ws


def _office_book(book: Path, code: str, **kw):
    """The office-style workbook of :func:`dinas_workbook`, opened for a test to change: (workbook, sheet)."""
    dinas_workbook(book, code, **kw)
    wb = openpyxl.load_workbook(book)
    return wb, wb.active


def _read_rows(path: Path) -> list[dict]:
    """A mapping file's rows keyed by the English names (as files before the Indonesian headers had them)."""
    from outreach_planner.io.office_import import read_mapping

    return read_mapping(path)


def _write_rows(path: Path, rows: list[dict], encoding: str = "utf-8", delimiter: str = ",") -> None:
    """Save a mapping file as the planner would after editing it (Excel: ``;`` and cp1252 in Indonesia)."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delimiter)
        w.writeheader()
        w.writerows(rows)



#: Misspellings an office might use, for Konawe Utara: reference name -> the name in the office's table.
MISSPELT = {"Walalindu": "Walaindu", "Tangguluri": "TANGGULURI", "Mata Osole": "Mataosole",
            "Wacu Pinodo": "Desa Wacupinodo", "Wawonsangi": "Wawonsagi"}


def dinas_workbook(path: Path, regency_code: str, extra: str | None = None, dotted: bool = True,
                   misspell: bool = False) -> None:
    """A table as a Dinas keeps it: two title rows merged across, a blank row, a two-row header with merged
    group cells (KTP-EL over WAJIB | SUDAH REKAM, ...) and vertically merged NO / KODE WILAYAH / NAMA DESA /
    KECAMATAN, a row of column numbers, the villages, a total row. ``extra``: one more village row with a
    name that is in no reference."""
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = "REKAP"
    sh["A1"] = "REKAPITULASI CAKUPAN KEPEMILIKAN DOKUMEN KEPENDUDUKAN"
    sh["A2"] = "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL, KEADAAN 30 NOVEMBER 2026"
    sh.merge_cells("A1:K1")
    sh.merge_cells("A2:K2")
    for col, head in zip("ABCD", ["NO", "KODE WILAYAH", "NAMA DESA", "KECAMATAN"]):
        sh[f"{col}4"] = head
        sh.merge_cells(f"{col}4:{col}5")
    for first, last, group, subs in (("E", "F", "KTP-EL", ["WAJIB KTP", "SUDAH REKAM"]),
                                     ("G", "H", "KIA", ["JUMLAH ANAK", "PUNYA KIA"]),
                                     ("I", "J", "AKTA KELAHIRAN", ["WAJIB AKTA", "PUNYA AKTA"])):
        sh[f"{first}4"] = group
        sh.merge_cells(f"{first}4:{last}4")
        sh[f"{first}5"], sh[f"{last}5"] = subs
    sh["K4"] = "% REKAM"
    sh.merge_cells("K4:K5")
    sh.append([f"({i})" for i in range(1, 12)])
    vs = reference.villages(regency_code)
    for i, v in enumerate(vs, 1):
        code = v.code if dotted else v.code.replace(".", "")
        name = MISSPELT.get(v.name, v.name) if misspell else v.name
        c = counts_of(v.population)
        sh.append([i, code, name, v.district_name.upper(), *c, round(100 * c[1] / c[0], 1)])
    if extra:
        sh.append([len(vs) + 1, "", extra, vs[0].district_name, 10, 9, 5, 2, 5, 4, 90.0])
    sh.append(["", "", "JUMLAH", "", 1, 1, 1, 1, 1, 1, ""])
    wb.save(path)


def grouped_workbook(path: Path, regency_code: str) -> None:
    """Another office's way: one title row, kecamatan as group rows ("KECAMATAN X") instead of a column,
    undotted codes typed as numbers, Indonesian headers in mixed case, a derived column."""
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = "Data"
    sh.append(["Data cakupan perekaman KTP-el dan KIA per desa"])
    sh.append(["No", "Kode Desa", "Desa/Kelurahan", "Wajib KTP", "Sudah Rekam", "Belum Rekam", "Jumlah Anak",
               "Punya KIA", "Wajib Akta", "Punya Akta"])
    by_kec: dict[str, list] = {}
    for v in reference.villages(regency_code):
        by_kec.setdefault(v.district_name, []).append(v)
    n = 0
    for kec, vs in by_kec.items():
        sh.append(["", f"KECAMATAN {kec.upper()}"])
        for v in vs:
            n += 1
            c = counts_of(v.population)
            sh.append([n, int(v.code.replace(".", "")), v.name.lower(), c[0], c[1], c[0] - c[1], *c[2:]])
    wb.save(path)



def test_reference_regency_codes():
    regs = {r.code: r.name for r in reference.regencies()}
    assert regs["74.09"] == "Kabupaten Konawe Utara" and len(regs) == 17
    assert reference.regency("7409").code == "74.09"
    vs = reference.villages("74.09")
    assert len(vs) == 170 and all(v.regency_code == "74.09" for v in vs)
    off = reference.office("74.09")
    assert off.approximate and off.village_name == "Wanggudu"


@pytest.mark.parametrize("code,n", [("74.09", 170), ("74.12", 96)])
def test_init_check_reports_only_missing_counts(tmp_path, code, n):
    out = tmp_path / "ws"
    res = runner.invoke(app, ["init", "--regency", code, "--out", str(out), "--year", "2026", "--lang", "en"])
    assert res.exit_code == 0, res.output
    islands = {"crossings.csv"} if code == "74.09" else set()  # Labengki lies off the mainland; 74.12 is one island
    assert {p.name for p in out.iterdir()} == {"workspace.toml", "villages.geojson", "boundary.geojson",
                                                "counts_template.xlsx"} | islands
    with pytest.raises(InputError) as exc:
        read_workspace(out)
    problems = exc.value.problems
    assert len(problems) == 1 and "ektp_eligible" in problems[0].field and "akta_covered" in problems[0].field
    chk = runner.invoke(app, ["check", str(out)], env={"OUTREACH_LANG": "en"})
    assert chk.exit_code == 2
    assert "Still missing: the counts per village (eligible/covered) for ektp: every village; kia: every village; " \
           "akta: every village" in flat(chk.output)
    feats = json.loads((out / "villages.geojson").read_text(encoding="utf-8"))["features"]
    assert len(feats) == n
    toml = (out / "workspace.toml").read_text(encoding="utf-8")
    assert "APPROXIMATE" in toml and '"2026-08-17",' in toml and "2027-" not in toml
    wb = openpyxl.load_workbook(out / "counts_template.xlsx")
    sh = wb.active
    assert [c.value for c in sh[3]][:5] == ["KODE DESA", "NAMA DESA", "KECAMATAN", "WAJIB KTP", "SUDAH REKAM"]
    assert sh.max_row == 3 + n and sh.data_validations.dataValidation


def test_init_refuses_unknown_regency_and_existing_folder(tmp_path):
    res = runner.invoke(app, ["init", "--regency", "74.99", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and not (tmp_path / "x").exists()
    assert "74.09 Kabupaten Konawe Utara" in flat(res.output)
    (tmp_path / "y").mkdir()
    assert runner.invoke(app, ["init", "--regency", "74.09", "--out", str(tmp_path / "y")]).exit_code == 2


def test_names_and_numbers():
    assert name_key("Desa Lapao-pao") == name_key("LAPAO PAO") == "LAPAOPAO"
    assert parse_count("1.234") == 1234 and parse_count(12.0) == 12 and parse_count("-") is None
    with pytest.raises(ValueError):
        parse_count("12,5")
    assert reference.normalise_code("7409012001") == "74.09.01.2001"
    assert reference.normalise_code(7409012001.0) == "74.09.01.2001"


def test_import_unmatched_row_blocks_then_edit_writes_and_plan(tmp_path, konut):
    ws = _copy(konut, tmp_path)
    book = tmp_path / "REKAP_KONUT.xlsx"
    dinas_workbook(book, "74.09", extra="Desa Tidak Ada Di Peta", misspell=True)
    before = (ws / "villages.geojson").read_bytes()
    res = runner.invoke(app, ["import", str(ws), str(book), "--lang", "en"])
    assert res.exit_code == 2, res.output
    assert (ws / "villages.geojson").read_bytes() == before  # nothing written
    rows_file = ws / "import" / "REKAP_KONUT.rows.csv"
    assert rows_file.is_file() and (ws / "import" / "REKAP_KONUT.columns.csv").is_file()
    rows = _read_rows(rows_file)
    assert len(rows) == 171  # the villages and the extra row; titles, numbering and total rows are not rows
    open_rows = [r for r in rows if r["match"] == "belum"]
    assert [(r["name_in_file"], r["score"]) for r in open_rows] == [("Desa Tidak Ada Di Peta", "0.00")]
    by_name = {r["name_in_file"]: r for r in rows}
    # dotted codes match by code, misspelt names included
    assert by_name["Walaindu"]["match"] == "kode"
    cols = {r["maps_to"]: r["column"] for r in _read_rows(ws / "import" / "REKAP_KONUT.columns.csv") if r["maps_to"]}
    assert cols == {"village_code": "B", "village_name": "C", "district": "D", "ektp_eligible": "E", "ektp_covered": "F",
                    "kia_eligible": "G", "kia_covered": "H", "akta_eligible": "I", "akta_covered": "J"}
    # the planner leaves the extra row out and saves from Excel in an Indonesian locale (;-separated, cp1252),
    # in a file with the English headers of earlier versions (still read)
    for r in rows:
        if r["match"] == "belum":
            r["decision"] = "skip"
    _write_rows(rows_file, rows, encoding="cp1252", delimiter=";")
    res = runner.invoke(app, ["import", str(ws), str(book)], env={"OUTREACH_LANG": "en"})
    assert res.exit_code == 0, res.output
    assert "Counts written for 170 villages" in flat(res.output)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        w = read_workspace(ws)
    v = w.village("74.09.01.1005")
    pop = next(x.population for x in reference.villages("74.09") if x.code == v.code)
    assert v.eligible["ektp"] == counts_of(pop)[0] and v.covered["kia"] == counts_of(pop)[3]
    chk = runner.invoke(app, ["check", str(ws)], env={"OUTREACH_LANG": "en"})
    assert chk.exit_code == 0
    assert "office dukcapil: its point is still approximate" in flat(chk.output)
    assert "team tim1 is still the EXAMPLE team of init" in flat(chk.output)
    out = tmp_path / "plan"
    res = runner.invoke(app, ["plan", str(ws), "--week", "2026-W50", "--out", str(out), "--solution-limit", "5",
                              "--engine", "ortools"])
    assert res.exit_code == 0, res.output
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert any(r["steps"] for r in plan["routes"])


def test_import_names_only_fuzzy_within_kecamatan(tmp_path, konut):
    """No code column: names matched within the kecamatan, misspelt ones fuzzily, to the right village."""
    ws = _copy(konut, tmp_path)
    book = tmp_path / "names.xlsx"
    wb, sh = _office_book(book, "74.09", misspell=True)
    for row in sh.iter_rows(min_row=7):
        row[1].value = None  # the office dropped the code column's values
    wb.save(book)
    res = import_counts(ws, book)
    assert res.written and not res.unresolved
    got = {r.name: (r.village_code, r.match) for r in res.rows}
    codes = {v.name: v.code for v in reference.villages("74.09")}
    for ref_name, office_name in MISSPELT.items():
        assert got[office_name][0] == codes[ref_name]
    assert got["Walaindu"][1] == "fuzzy" and got["Mataosole"][1] == "name"


def test_import_grouped_undotted_other_regency(tmp_path):
    ws = tmp_path / "butur"
    init_workspace("74.10", ws, [2026])
    book = tmp_path / "butur.xlsx"
    grouped_workbook(book, "74.10")
    res = import_counts(ws, book)
    assert res.written, [(r.row, r.name, r.suggestion) for r in res.unresolved]
    assert {r.match for r in res.rows} == {"code"} and len(res.rows) == 90
    assert res.columns["Data"].get("ektp_covered") == 4  # "Belum Rekam" (a gap) is not taken
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        read_workspace(ws)


def test_import_duplicate_rows_need_a_decision(tmp_path, konut):
    ws = _copy(konut, tmp_path)
    book = tmp_path / "dup.xlsx"
    wb, sh = _office_book(book, "74.09")
    sh.cell(row=8, column=2).value = sh.cell(row=7, column=2).value  # two rows with one code
    sh.cell(row=8, column=3).value = sh.cell(row=7, column=3).value
    wb.save(book)
    res = import_counts(ws, book)
    assert not res.written and {r.row for r in res.unresolved} == {7, 8}


def _with_counts(src: Path, dst: Path, move: dict[str, tuple[float, float]] | None = None) -> Path:
    """A copy of an init workspace with synthetic counts in every village (and some points moved)."""
    import shutil

    shutil.copytree(src, dst)
    path = dst / "villages.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    for f in data["features"]:
        p = f["properties"]
        c = counts_of(p["population"])
        p.update(zip(["ektp_eligible", "ektp_covered", "kia_eligible", "kia_covered", "akta_eligible",
                      "akta_covered"], c))
        if move and p["code"] in move:
            p["lon"], p["lat"] = move[p["code"]]
    path.write_text(json.dumps(data), encoding="utf-8")
    return dst


def _warnings(ws: Path) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        read_workspace(ws)
    return [" ".join(str(w.message).split()) for w in caught if issubclass(w.category, InputWarning)]


def test_stop_point_outside_its_own_village_warns_with_a_point_inside(tmp_path, konut, monkeypatch):
    import shapely

    monkeypatch.setenv("OUTREACH_LANG", "en")

    vs = {v.code: v for v in reference.villages("74.09")}
    a, b = vs["74.09.01.2007"], vs["74.09.01.2008"]  # Walalindu, Tangguluri (Asera)
    ws = _with_counts(konut, tmp_path / "ws", move={a.code: (b.lon, b.lat)})  # a's point in b's village
    msgs = [m for m in _warnings(ws) if a.code in m]
    assert len(msgs) == 1 and "outside its own polygon" in msgs[0] and "population-weighted point" in msgs[0]
    import re

    lon, lat = map(float, re.search(r"lon=(-?[\d.]+), lat=(-?[\d.]+)$", msgs[0]).groups())
    assert shapely.from_wkt(a.wkt).covers(shapely.Point(lon, lat))
    assert not [m for m in _warnings(_with_counts(konut, tmp_path / "ok")) if "polygon" in m]


def test_point_just_outside_the_regency_says_metres_and_the_fix(tmp_path, konut, monkeypatch):
    import shapely

    monkeypatch.setenv("OUTREACH_LANG", "en")
    outline = shapely.from_wkt(reference.regency_outline("74.09"))
    v = reference.villages("74.09")[0]
    # a point 30 m east of the outline's eastmost vertex
    minx, miny, maxx, maxy = outline.bounds
    east = max(shapely.get_coordinates(outline), key=lambda xy: xy[0])
    p = shapely.Point(maxx + 30 / 111320, east[1])
    assert 0.02 < outline.distance(p) * 111.32 < 0.05
    ws = _with_counts(konut, tmp_path / "ws", move={v.code: (p.x, p.y)})
    msgs = [m for m in _warnings(ws) if v.code in m and "regency boundary" in m]
    assert msgs and "0.0 km" not in msgs[0] and " m outside the regency boundary" in msgs[0]
    assert "population-weighted point" in msgs[0]


def test_percentage_column_is_not_a_count(tmp_path, konut):
    ws = _copy(konut, tmp_path)
    book = tmp_path / "pct.xlsx"
    wb, sh = _office_book(book, "74.09")
    sh["K4"] = "% SUDAH REKAM"  # would name ektp_covered without its % sign
    wb.save(book)
    res = import_counts(ws, book)
    assert res.columns["REKAP"]["ektp_covered"] == 5 and res.written


# --------------------------------------------------------------------------- one convention for WORKSPACE
@pytest.mark.parametrize("args", [
    ["check", "{ws}"], ["plan", "{ws}", "--out", "{tmp}/o"], ["convert", "{ws}", "--out", "{tmp}/c"],
    ["record", "{ws}", "{tmp}/form.csv"], ["replan", "{ws}", "--from", "2026-12-02"],
    ["simulate", "{ws}", "--weeks", "1", "--out", "{tmp}/s"],
    # the old option still works
    ["record", "{tmp}/form.csv", "--workspace", "{ws}"], ["replan", "--from", "2026-12-02", "--workspace", "{ws}"],
    ["simulate", "--weeks", "1", "--workspace", "{ws}", "--out", "{tmp}/s"],
])
def test_every_command_takes_a_positional_workspace(tmp_path, konut, args):
    """A workspace still without counts: every command reads the one it was given (and stops on it)."""
    (tmp_path / "form.csv").write_text("plan_id,visit_id\n", encoding="utf-8")
    argv = [a.format(ws=konut, tmp=tmp_path) for a in args]
    res = runner.invoke(app, argv, env={"OUTREACH_LANG": "en"})
    assert res.exit_code == 2
    assert f"Invalid workspace {konut}" in flat(res.output)


def test_workspace_argument_and_option_must_agree(tmp_path, konut):
    res = runner.invoke(app, ["replan", str(konut), "--from", "2026-12-02", "--workspace", str(tmp_path)],
                        env={"OUTREACH_LANG": "en"})
    assert res.exit_code == 2 and "differ" in flat(res.output)


def test_embedded_default_is_announced(tmp_path, konut, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["check"], env={"OUTREACH_LANG": "en"})
    assert res.exit_code == 0 and "using the embedded Kolaka Utara workspace" in flat(res.output)
    monkeypatch.chdir(konut)  # a folder with a workspace.toml: that one, no note
    res = runner.invoke(app, ["check"], env={"OUTREACH_LANG": "en"})
    assert f"Invalid workspace {konut}" in flat(res.output) and "embedded" not in res.output


# --------------------------------------------------------------------------- schools, requests, deliveries
def _sheet(path: Path, title: str, header: list[str], rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    sh = wb.active
    sh["A1"] = title
    sh.merge_cells(f"A1:{openpyxl.utils.get_column_letter(len(header))}1")
    sh.append([])
    sh.append(header)
    for r in rows:
        sh.append(r)
    for row in sh.iter_rows(min_row=4):
        for c in row:
            if isinstance(c.value, str) and c.value.isdigit() and len(c.value) == 16:
                c.number_format = "@"  # NIK as text, as docs/workspace.md asks
    wb.save(path)


def test_import_schools_requests_deliveries_then_plan(tmp_path, konut):
    ws = _with_counts(konut, tmp_path / "ws")
    vs = {v.name: v for v in reference.villages("74.09")}
    schools = tmp_path / "SEKOLAH.xlsx"
    _sheet(schools, "DAFTAR SMA/SMK KONAWE UTARA",
           ["NO", "NPSN", "NAMA SEKOLAH", "JENJANG", "DESA/KELURAHAN", "KECAMATAN", "SISWA WAJIB KTP", "BELUM KIA"],
           [[1, "40403001", "SMA Negeri 1 Asera", "SMA", "WANGGUDU", "Asera", 40, 12],
            [2, "40403002", "SMK Negeri 1 Wiwirano", "SMK", "Lamonae", "Kec. Wiwirano", 35, 0],
            [3, "40403003", "SMA Negeri 1 Langgikima", "SMA", "Langgikma", "LANGGIKIMA", 28, 5]])
    res = import_counts(ws, schools)
    assert res.kind == "schools" and res.written and res.updated == 3
    assert [r.match for r in res.rows] == ["name", "name", "fuzzy"]
    requests = tmp_path / "PERMOHONAN.xlsx"
    nik = "7409015503400002"
    rows = [[1, "Nenek Contoh", nik, "Lansia", "KTP-el, KIA", vs["Asera"].code.replace(".", ""), "Dusun I",
             "2 November 2026"],
            [2, "Bapak Contoh", "", "Disabilitas", "Akta", vs["Molore"].code, "Dusun II", "05/11/2026"]]
    _sheet(requests, "PERMOHONAN JEMPUT BOLA", ["NO", "NAMA PEMOHON", "NIK", "KATEGORI", "LAYANAN", "KODE DESA",
                                                 "ALAMAT", "TANGGAL PERMOHONAN"], rows)
    bad = tmp_path / "PERMOHONAN_ANGKA.xlsx"
    rows_num = [list(r) for r in rows]
    rows_num[0][2] = 7409015503400002  # the NIK typed as a number: Excel keeps 15 digits
    _sheet(bad, "PERMOHONAN", ["NO", "NAMA PEMOHON", "NIK", "KATEGORI", "LAYANAN", "KODE DESA", "ALAMAT",
                               "TANGGAL PERMOHONAN"], rows_num)
    out = runner.invoke(app, ["import", str(ws), str(bad), "--lang", "en"])
    assert out.exit_code == 2 and "stored as a number" in flat(out.output)
    assert nik not in out.output and "Nenek" not in out.output and not (ws / "home_visit_requests.csv").exists()
    res = import_counts(ws, requests)
    assert res.kind == "home_visit_requests" and res.written
    deliveries = tmp_path / "CETAK.xlsx"
    _sheet(deliveries, "DOKUMEN SIAP ANTAR", ["NO", "JENIS DOKUMEN", "NAMA PENERIMA", "DESA", "KECAMATAN",
                                              "TANGGAL CETAK", "BATAS"],
           [[1, "KIA", "Penerima Satu", "Wanggudu Raya", "Asera", "2026-11-20", "2026-12-04"]])
    res = import_counts(ws, deliveries)
    assert res.kind == "deliveries" and res.written
    again = import_counts(ws, requests)  # the same list again: the same ids
    assert again.written
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        w = read_workspace(ws)
    assert {s.id for s in w.schools} == {"40403001", "40403002", "40403003"}
    assert {s.id: s.village_code for s in w.schools}["40403003"] == vs["Langgikima"].code
    req = {r.village_code: r for r in w.requests}
    assert req[vs["Asera"].code].services == ("ektp", "kia") and req[vs["Asera"].code].reason == "elderly"
    assert str(req[vs["Molore"].code].requested_on) == "2026-11-05"
    assert len(w.deliveries) == 1 and str(w.deliveries[0].due_on) == "2026-12-04"
    toml = (ws / "workspace.toml").read_text(encoding="utf-8")
    assert 'schools = "schools.csv"' in toml and 'deliveries = "deliveries.csv"' in toml
    res = runner.invoke(app, ["plan", str(ws), "--week", "2026-W50", "--out", str(tmp_path / "plan"),
                              "--solution-limit", "5", "--engine", "ortools"])
    assert res.exit_code == 0, res.output


def test_semicolon_csv_of_one_kecamatan_then_check_names_the_rest(tmp_path, konut):
    """An Indonesian-locale CSV (;-separated, Windows-1252, a title line) for one kecamatan: its villages get
    counts, and check names how many villages still lack them."""
    ws = _copy(konut, tmp_path)
    asera = [v for v in reference.villages("74.09") if v.district_name == "Asera"]
    lines = ["Rekap Kecamatan Asera;;;;", "Kode Desa;Nama Desa;Kecamatan;Wajib KTP;Sudah Rekam"]
    lines += [f"{v.code.replace('.', '')};{v.name};Asera;{counts_of(v.population)[0]};{counts_of(v.population)[1]}"
              for v in asera]
    book = tmp_path / "asera.csv"
    book.write_bytes("\r\n".join(lines).encode("cp1252"))
    res = import_counts(ws, book)
    assert res.written and res.updated == len(asera) and {r.match for r in res.rows} == {"code"}
    feats = {f["properties"]["code"]: f["properties"]
             for f in json.loads((ws / "villages.geojson").read_text(encoding="utf-8"))["features"]}
    assert feats[asera[0].code]["ektp_eligible"] == counts_of(asera[0].population)[0]
    assert "kia_eligible" not in feats[asera[0].code]
    chk = runner.invoke(app, ["check", str(ws)], env={"OUTREACH_LANG": "en"})
    assert chk.exit_code == 2
    assert "for kia: every village; akta: every village" in flat(chk.output)
    # with the KIA and akta counts everywhere, e-KTP is what is missing, outside Asera
    data = json.loads((ws / "villages.geojson").read_text(encoding="utf-8"))
    for f in data["features"]:
        c = counts_of(f["properties"]["population"])
        f["properties"].update(kia_eligible=c[2], kia_covered=c[3], akta_eligible=c[4], akta_covered=c[5])
    (ws / "villages.geojson").write_text(json.dumps(data), encoding="utf-8")
    chk = runner.invoke(app, ["check", str(ws)], env={"OUTREACH_LANG": "en"})
    assert chk.exit_code == 2 and f"for ektp: {170 - len(asera)} villages." in flat(chk.output)


def test_lang_of_one_command_does_not_stick(tmp_path, konut, monkeypatch):
    monkeypatch.delenv("OUTREACH_LANG", raising=False)
    assert runner.invoke(app, ["init", "--regency", "74.09", "--out", str(konut), "--lang", "en"]).exit_code == 2
    res = runner.invoke(app, ["check", str(konut)])
    assert "Yang masih kurang" in flat(res.output)


def test_edited_column_mapping_is_used(tmp_path, konut):
    """A header the proposal does not know: the planner names its target in columns.csv and runs again."""
    ws = _copy(konut, tmp_path)
    book = tmp_path / "rekap.xlsx"
    wb, sh = _office_book(book, "74.09")
    sh["E5"] = "PENDUDUK 17+"  # instead of WAJIB KTP
    wb.save(book)
    first = import_counts(ws, book)
    assert "ektp_eligible" not in first.columns["REKAP"]
    cols_file = ws / "import" / "rekap.columns.csv"
    rows = _read_rows(cols_file)
    for r in rows:
        if r["column"] == "E":
            r["maps_to"] = "ektp_eligible"
    _write_rows(cols_file, rows)
    again = import_counts(ws, book)
    assert again.columns["REKAP"]["ektp_eligible"] == 4 and again.written
    v = reference.villages("74.09")[0]
    feats = {f["properties"]["code"]: f["properties"]
             for f in json.loads((ws / "villages.geojson").read_text(encoding="utf-8"))["features"]}
    assert feats[v.code]["ektp_eligible"] == counts_of(v.population)[0]


def test_filled_template_imports(tmp_path):
    ws = tmp_path / "kepulauan"
    init_workspace("74.12", ws, [2026])
    wb = openpyxl.load_workbook(ws / "counts_template.xlsx")
    sh = wb.active
    pops = {v.code: v.population for v in reference.villages("74.12")}
    for row in sh.iter_rows(min_row=4):
        for cell, n in zip(row[3:], counts_of(pops[row[0].value])):
            cell.value = n
    wb.save(tmp_path / "isi.xlsx")
    res = import_counts(ws, tmp_path / "isi.xlsx")
    assert res.written and res.updated == 96 and {r.match for r in res.rows} == {"code"}
    assert runner.invoke(app, ["check", str(ws)]).exit_code == 0


def test_code_of_one_village_name_of_another_needs_a_decision(tmp_path, konut):
    ws = _copy(konut, tmp_path)
    book = tmp_path / "salah_kode.xlsx"
    wb, sh = _office_book(book, "74.09")
    assert sh.cell(row=7, column=3).value == "Wanggudu"
    sh.cell(row=7, column=2).value = "74.09.01.1009"  # Asera's code on Wanggudu's row
    wb.save(book)
    res = import_counts(ws, book)
    assert not res.written
    assert [(r.row, r.match) for r in res.unresolved] == [(7, "conflict")]
    assert "74.09.01.1005 Wanggudu" in res.unresolved[0].suggestion


def test_every_reference_stop_point_lies_in_its_own_village():
    """The shipped points are population-weighted points inside the (simplified) polygons, for every regency."""
    import shapely

    outside, without = [], 0
    for reg in reference.regencies():
        for v in reference.villages(reg.code):
            if v.wkt is None:
                without += 1
                continue
            if not shapely.from_wkt(v.wkt).covers(shapely.Point(v.lon, v.lat)):
                outside.append(v.code)
    assert outside == [] and without == 2


def test_record_takes_at_most_a_workspace_and_a_form(tmp_path, konut):
    res = runner.invoke(app, ["record", str(konut), str(tmp_path / "a.csv"), str(tmp_path / "b.csv")],
                        env={"OUTREACH_LANG": "en"})
    assert res.exit_code == 2 and "record takes [WORKSPACE] OUTCOMES" in flat(res.output)
