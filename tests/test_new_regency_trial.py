"""Defects found trying the new-regency path as a planner of Konawe Utara would (issue 15): ``import`` of a
file it cannot read, ``import``'s summary in Indonesian, ``check`` naming the villages still without counts."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from outreach_planner.cli import app
from outreach_planner.io.init_workspace import init_workspace

from test_init_import import _copy, dinas_workbook, flat

runner = CliRunner()



def _docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return path


@pytest.mark.parametrize("name, content, says", [
    ("REKAP.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "Simpan Sebagai"),  # an Excel 97-2003 file
    ("REKAP.docx", None, "jenis berkas tidak dikenal"),
    ("REKAP.xlsx", b"not a workbook at all", "bukan buku kerja .xlsx yang utuh"),  # damaged or renamed
    ("SURAT.xlsx", None, "bukan buku kerja .xlsx yang utuh"),  # a Word document renamed .xlsx
])
def test_import_of_a_file_it_cannot_read_is_an_input_error_with_the_fix(tmp_path, konut, name, content, says):
    """Before: a traceback (openpyxl's InvalidFileException / zipfile.BadZipFile), exit 1."""
    ws = _copy(konut, tmp_path)
    table = tmp_path / name
    if content is None:
        _docx(table)
    else:
        table.write_bytes(content)
    before = (ws / "villages.geojson").read_bytes()
    res = runner.invoke(app, ["import", str(ws), str(table)])
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit)  # no traceback
    text = flat(res.output)
    assert name in text and says in text and "tidak ada yang ditulis ke wilayah kerja" in text
    assert (ws / "villages.geojson").read_bytes() == before
    assert not (ws / "import").exists()


def test_import_summary_and_open_rows_say_how_rows_matched_in_indonesian(tmp_path, konut):
    """Before: '170 baris desa: code 169, none 1' and 'none' in the table of rows that need a decision."""
    ws = _copy(konut, tmp_path)
    book = tmp_path / "REKAP.xlsx"
    dinas_workbook(book, "74.09", extra="Desa Pemekaran Baru")
    res = runner.invoke(app, ["import", str(ws), str(book)])
    assert res.exit_code == 2, res.output
    text = flat(res.stdout)
    assert "171 baris desa: kode 170, tidak cocok 1;" in text
    assert "none" not in text.split() and "code" not in text.split()
    assert text.count("tidak cocok") == 2  # the summary and the open row's "cocok" cell
    res = runner.invoke(app, ["import", str(ws), str(book), "--lang", "en"])
    assert "171 village rows: code 170, no match 1;" in flat(res.stdout)


def test_init_of_an_island_regency_joins_its_islands_by_crossings(tmp_path):
    """Before: init wrote straight-line travel for every regency, so a car drove across the sea between
    Wakatobi's islands (and from Konawe Utara's mainland to Labengki); no crossings, no ``islands``."""
    import tomllib
    import warnings

    import numpy as np

    from outreach_planner.errors import InputWarning
    from outreach_planner.io import read_workspace
    from outreach_planner.io.office_import import import_counts
    from outreach_planner.travel import travel_model

    ws_dir = tmp_path / "wakatobi"
    res = runner.invoke(app, ["init", "--regency", "74.07", "--out", str(ws_dir), "--year", "2026"])
    assert res.exit_code == 0, res.output
    assert "penyeberangan laut PERKIRAAN di crossings.csv" in flat(res.output)
    cfg = tomllib.loads((ws_dir / "workspace.toml").read_text(encoding="utf-8"))
    assert cfg["travel"]["islands"] is True and cfg["layers"]["crossings"] == "crossings.csv"
    book = tmp_path / "REKAP.xlsx"
    dinas_workbook(book, "74.07")
    assert import_counts(ws_dir, book).written
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        ws = read_workspace(ws_dir)
    assert len(ws.crossings) >= 2 and all(c.approximate for c in ws.crossings)
    tm = travel_model(ws, ws_dir, cache=False)
    points = [(d.lon, d.lat) for d in ws.depots] + [(v.lon, v.lat) for v in ws.villages]
    seconds, _metres = tm.matrices(points, "car")  # every village reachable from the office: no InputError
    assert np.isfinite(seconds).all()
    masses = tm.mass_of(points)
    apart = [(i, j) for i in range(len(points)) for j in range(len(points)) if masses[i] != masses[j]]
    assert apart and min(seconds[i, j] for i, j in apart) >= 30 * 60  # at least the boarding time


def test_init_of_a_mainland_regency_writes_no_crossings(tmp_path):
    import tomllib

    ws_dir = tmp_path / "kolut"
    init_workspace("74.08", ws_dir, [2026])
    assert not (ws_dir / "crossings.csv").exists()
    cfg = tomllib.loads((ws_dir / "workspace.toml").read_text(encoding="utf-8"))
    assert "islands" not in cfg["travel"] and "crossings" not in cfg["layers"]
