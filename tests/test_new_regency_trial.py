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


@pytest.fixture(scope="module")
def konut(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("trial") / "konut"
    init_workspace("74.09", out, [2026, 2027])
    return out


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
