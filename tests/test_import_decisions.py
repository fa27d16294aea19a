"""Issue 15, the office import after review: the planner's decisions in the mapping files are kept (a refused one
as typed, with the problem), the files speak Indonesian (the English headers of older files still read), a
workbook with a sheet of each kind (the desk's template) comes in sheet by sheet on the CLI as on the desk, an
unchanged import leaves the layer files byte for byte, and every service a workspace declares has its columns."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import warnings
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from test_init_import import dinas_workbook

from outreach_planner.cli import app
from outreach_planner.errors import InputError, InputWarning
from outreach_planner.io import read_workspace
from outreach_planner.io.office_import import import_counts

runner = CliRunner()
SMALL = Path(__file__).parent / "data" / "small"


from plaintext import flat  # noqa: E402  (words, not the terminal's wrapping)



def _raw(path: Path) -> tuple[list[str], list[dict]]:
    """A mapping file as Excel shows it: (its header row, its rows keyed by those headers)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def _save(path: Path, head: list[str], rows: list[dict]) -> None:
    """Save a mapping file as the planner's Excel would (Indonesian locale: ``;``)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=head, delimiter=";")
        w.writeheader()
        w.writerows(rows)


def _quiet(ws: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        return read_workspace(ws)


def test_a_refused_code_typed_in_the_rows_file_is_kept_as_typed(tmp_path, konut):
    """Defect 1: a village code the workspace does not have is refused, and the rows file still holds it as the
    planner typed it (marked, with the problem), as it holds the planner's other decisions."""
    ws = tmp_path / "konut"
    shutil.copytree(konut, ws)
    book = tmp_path / "REKAP.xlsx"
    dinas_workbook(book, "74.09", extra="Desa Tidak Ada Di Peta")
    res = import_counts(ws, book)
    assert not res.written
    head, rows = _raw(res.row_file)
    extra = next(r for r in rows if r["nama_di_berkas"] == "Desa Tidak Ada Di Peta")
    other = next(r for r in rows if r["cocok"] == "kode")
    extra["kode_desa"] = "74.09.99.2001"  # a typo: no such village
    other["keputusan"] = "lewati"  # and another row left out, in Indonesian
    _save(res.row_file, head, rows)
    with pytest.raises(InputError) as info:
        import_counts(ws, book)
    assert [p.value for p in info.value.problems] == ["74.09.99.2001"]
    _head, again = _raw(res.row_file)
    kept = next(r for r in again if r["baris"] == extra["baris"])
    assert kept["kode_desa"] == "74.09.99.2001" and kept["cocok"] == "salah"
    assert "tidak ada di wilayah kerja" in kept["masalah"]
    assert next(r for r in again if r["baris"] == other["baris"])["keputusan"] == "lewati"
    # the planner corrects the one code (to the village whose own row is left out) and the import writes
    kept["kode_desa"] = other["kode_desa"]
    _save(res.row_file, _head, again)
    done = import_counts(ws, book)
    assert done.written, [(r.row, r.match, r.problem) for r in done.unresolved]
    by_row = {r.row: r for r in done.rows}
    assert by_row[int(kept["baris"])].village_code == other["kode_desa"]
    assert by_row[int(other["baris"])].decision == "skip"
    assert next(r for r in _raw(res.row_file)[1] if r["baris"] == other["baris"])["keputusan"] == "lewati"


def test_a_refused_target_in_the_columns_file_is_kept_as_typed(tmp_path, konut):
    ws = tmp_path / "konut"
    shutil.copytree(konut, ws)
    book = tmp_path / "rekap.xlsx"
    dinas_workbook(book, "74.09")
    res = import_counts(ws, book)
    assert res.written
    head, cols = _raw(res.column_file)
    e = next(c for c in cols if c["kolom"] == "E")
    e["kolom_tujuan"] = "wajib_ktp"  # not a target name
    _save(res.column_file, head, cols)
    with pytest.raises(InputError):
        import_counts(ws, book)
    _h, again = _raw(res.column_file)
    e = next(c for c in again if c["kolom"] == "E")
    assert e["kolom_tujuan"] == "wajib_ktp" and "ektp_eligible" in e["masalah"]


def test_the_mapping_files_speak_indonesian_and_old_english_files_still_read(tmp_path, konut):
    """Defect 3: Indonesian headers and match words; ``lewati``/``skip``; an unknown word is a problem."""
    from outreach_planner.io.office_import import COLUMN_HEADERS, ROW_HEADERS

    ws = tmp_path / "konut"
    shutil.copytree(konut, ws)
    book = tmp_path / "REKAP.xlsx"
    dinas_workbook(book, "74.09", extra="Desa Tidak Ada Di Peta")
    res = import_counts(ws, book)
    head, rows = _raw(res.row_file)
    assert head == ["lembar", "baris", "kode_di_berkas", "nama_di_berkas", "kecamatan_di_berkas", "cocok", "skor",
                    "kode_desa", "nama_desa", "keputusan", "usulan", "masalah"] == list(ROW_HEADERS.values())
    assert _raw(res.column_file)[0] == ["lembar", "kolom", "judul_di_berkas", "kolom_tujuan", "masalah"] == \
        list(COLUMN_HEADERS.values())
    assert {r["cocok"] for r in rows} == {"kode", "belum"}
    extra = next(r for r in rows if r["cocok"] == "belum")
    extra["keputusan"] = "hapus"  # not a decision word
    _save(res.row_file, head, rows)
    with pytest.raises(InputError) as info:
        import_counts(ws, book)
    assert "lewati" in flat(str(info.value)) and "keputusan" in flat(str(info.value))
    # the same decision in a file with the English headers of earlier versions
    english = {v: k for k, v in ROW_HEADERS.items()}
    _h, rows = _raw(res.row_file)
    old = [{english[k]: v for k, v in r.items() if k != "masalah"} for r in rows]
    next(r for r in old if r["name_in_file"] == "Desa Tidak Ada Di Peta")["decision"] = "Lewati"
    _save(res.row_file, [k for k in ROW_HEADERS if k != "problem"], old)
    assert import_counts(ws, book).written


def _small(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(SMALL, ws)
    return ws


def _template(ws: Path) -> openpyxl.Workbook:
    from outreach_planner.web.strings import ID
    from outreach_planner.web.template import template_workbook

    return openpyxl.load_workbook(io.BytesIO(template_workbook(_quiet(ws), ID)))


def _col(sh, header: str) -> int:
    return [c.value for c in sh[1]].index(header) + 1


def test_the_cli_imports_every_sheet_of_the_desks_template(tmp_path):
    """Defect 2: ``outreach-planner import WS template.xlsx`` brings in each sheet by its kind, as the desk does."""
    ws = _small(tmp_path)
    before = _quiet(ws)
    wb = _template(ws)
    desa, sekolah, antaran, rumah = wb["Desa"], wb["Sekolah"], wb["Antaran"], wb["Kunjungan rumah"]
    for r in range(2, desa.max_row + 1):
        desa.cell(row=r, column=_col(desa, "SUDAH REKAM")).value -= 1
    sekolah.cell(row=2, column=_col(sekolah, "NAMA SEKOLAH"), value="SMA Negeri 1 Lasusua")
    antaran.cell(row=2, column=_col(antaran, "NAMA PENERIMA"), value="Penerima Baru (sintetis)")
    rumah.cell(row=2, column=_col(rumah, "ALAMAT"), value="Dusun II (sintetis)")
    book = tmp_path / "templat isi.xlsx"
    wb.save(book)
    res = runner.invoke(app, ["import", str(ws), str(book), "--lang", "en"])
    assert res.exit_code == 0, res.output
    after = _quiet(ws)
    assert [v.covered["ektp"] for v in after.villages] == [v.covered["ektp"] - 1 for v in before.villages]
    assert after.schools[0].name == "SMA Negeri 1 Lasusua"
    assert after.deliveries[0].recipient == "Penerima Baru (sintetis)"
    assert after.requests[0].address == "Dusun II (sintetis)"
    assert [(q.id, q.nik) for q in after.requests] == [(q.id, q.nik) for q in before.requests]
    kinds = re.search(r"Table kind \(--kind\): (.*?)(?: \d+ village rows|$)", flat(res.output))[1]
    assert re.findall(r"\((\w+)\)", kinds) == ["villages", "schools", "home_visit_requests", "deliveries"], kinds


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_an_unchanged_template_leaves_every_layer_file_as_it_was(tmp_path):
    """Defect 4: a no-op import is a no-op on disk (compared on content, not on the bytes it would write)."""
    ws = _small(tmp_path)
    files = _bytes(ws)
    book = tmp_path / "templat.xlsx"
    _template(ws).save(book)
    res = import_counts(ws, book)
    assert _bytes(ws) == files  # the layers and workspace.toml byte for byte (import/ holds the mapping)
    assert res.written and [p.kind for p in res.parts] == ["villages", "schools", "home_visit_requests",
                                                            "deliveries"]
    assert not any(p.changed for p in res.parts)


def test_an_unchanged_coverage_table_leaves_a_pretty_geojson_as_it_was(tmp_path, konut):
    ws = tmp_path / "konut"
    shutil.copytree(konut, ws)
    book = tmp_path / "rekap.xlsx"
    dinas_workbook(book, "74.09")
    assert import_counts(ws, book).written
    layer = ws / "villages.geojson"
    layer.write_text(json.dumps(json.loads(layer.read_text(encoding="utf-8")), indent=2), encoding="utf-8")
    pretty = layer.read_bytes()
    res = runner.invoke(app, ["import", str(ws), str(book), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert layer.read_bytes() == pretty
    assert "unchanged" in flat(res.output)
    wb = openpyxl.load_workbook(book)
    wb.active["F7"] = wb.active["F7"].value + 1  # SUDAH REKAM of the first village: a change is written, laid out
    wb.save(book)                                # as the layer was
    assert import_counts(ws, book).changed
    text = layer.read_text(encoding="utf-8")
    assert text.startswith('{\n  "type"') and json.loads(text) != json.loads(pretty)


def _with_service(ws: Path) -> None:
    """Add a fourth service (SYNTHETIC counts) offered at schools too: villages and schools get its columns."""
    toml = ws / "workspace.toml"
    text = toml.read_text(encoding="utf-8")
    block = ('[[services]]\nid = "pindah"\nname = "Moving certificate"\nname_id = "Surat Pindah"\ntarget = 0.5\n'
             'minutes_per_person = 5\nat_schools = true\n\n')
    toml.write_text(text.replace("[[teams]]", block + "[[teams]]", 1), encoding="utf-8")
    for name, cols in (("villages.csv", ("pindah_eligible", "pindah_covered")), ("schools.csv", ("pindah_needed",))):
        lines = (ws / name).read_text(encoding="utf-8").splitlines()
        out = [lines[0] + "," + ",".join(cols)] + [ln + "," + ",".join(["10", "4"][: len(cols)]) for ln in lines[1:]]
        (ws / name).write_text("\n".join(out) + "\n", encoding="utf-8")


def test_a_service_beyond_the_default_three_has_template_columns_and_imports(tmp_path):
    """Defect 5: column names derived from the service (``WAJIB``/``SUDAH``/``BELUM`` + its Indonesian name)."""
    from outreach_planner.io.office_layers import parse_services

    ws = _small(tmp_path)
    _with_service(ws)
    before = _quiet(ws)
    assert [s.id for s in before.services] == ["ektp", "kia", "akta", "pindah"]
    wb = _template(ws)
    desa, sekolah = wb["Desa"], wb["Sekolah"]
    assert {"WAJIB SURAT PINDAH", "SUDAH SURAT PINDAH"} <= {c.value for c in desa[1]}
    assert "BELUM SURAT PINDAH" in {c.value for c in sekolah[1]}
    for r in range(2, desa.max_row + 1):
        desa.cell(row=r, column=_col(desa, "SUDAH SURAT PINDAH"), value=7)
    sekolah.cell(row=2, column=_col(sekolah, "BELUM SURAT PINDAH"), value=12)
    book = tmp_path / "isi.xlsx"
    wb.save(book)
    res = import_counts(ws, book)
    assert res.written and res.columns["Desa"]["pindah_covered"] == _col(desa, "SUDAH SURAT PINDAH") - 1
    after = _quiet(ws)
    assert {v.covered["pindah"] for v in after.villages} == {7}
    assert after.schools[0].needed["pindah"] == 12 and after.schools[1].needed["pindah"] == 10
    # an office's own header with the service's id, and a request naming it by its Indonesian name
    assert parse_services("KTP-el, Surat Pindah", ["ektp", "pindah"], before.services) == ["ektp", "pindah"]
    assert parse_services("pindah", ["ektp", "pindah"], before.services) == ["pindah"]
