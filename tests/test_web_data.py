"""The desk's data in (issue 14, item 2; issue 15's import from the desk): the Excel template, a filled template
or an office table uploaded through the office import, decisions on unmatched rows, nothing changed until valid.
Handlers through FastAPI's TestClient, no browser."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from test_init_import import counts_of, dinas_workbook  # noqa: E402
from test_web import Desk, _text  # noqa: E402

from outreach_planner import reference  # noqa: E402
from outreach_planner.errors import InputWarning  # noqa: E402
from outreach_planner.io import read_workspace  # noqa: E402


def _files(folder: Path) -> dict[str, str]:
    """Every file under the workspace folder -> the hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _table(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table class="data" id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no table {table_id}"
    return [[_text(c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def _template(d: Desk) -> openpyxl.Workbook:
    r = d.client.get("/data/template.xlsx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(r.content))


def _bytes(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _validations(sh) -> dict[str, tuple]:
    """Column letter -> (type, operator, formula1) of the data validations of a sheet."""
    out = {}
    for dv in sh.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            out[re.match(r"[A-Z]+", rng).group(0)] = (dv.type, dv.operator, dv.formula1, rng)
    return out


def test_the_template_has_indonesian_sheets_headers_and_validation(tmp_path):
    d = Desk(tmp_path)
    try:
        wb = _template(d)
        assert wb.sheetnames == ["Petunjuk", "Desa", "Sekolah", "Kunjungan rumah", "Antaran", "Daftar"]
        assert wb["Daftar"].sheet_state == "hidden"
        desa = wb["Desa"]
        head = [c.value for c in desa[1]]
        assert head == ["KODE DESA", "NAMA DESA", "KECAMATAN", "WAJIB KTP", "SUDAH REKAM", "JUMLAH ANAK",
                        "PUNYA KIA", "WAJIB AKTA", "PUNYA AKTA"]
        ws = read_workspace(d.ws)
        rows = [[c.value for c in r] for r in desa.iter_rows(min_row=2)]
        assert sorted(r[0] for r in rows) == sorted(v.code for v in ws.villages)
        first = next(v for v in ws.villages if v.code == rows[0][0])
        assert rows[0][1:5] == [first.name, first.district_name, first.eligible["ektp"], first.covered["ektp"]]
        assert desa.freeze_panes == "D2" and desa.column_dimensions["B"].width > 20
        dv = _validations(desa)
        for col in "DEFGHI":  # every count: a whole number >= 0
            assert dv[col][:3] == ("whole", "greaterThanOrEqual", "0")
        assert dv["A"][0] == "list" and dv["A"][2].startswith("Daftar!$A$2")  # village codes, on the hidden sheet
        assert dv["C"][0] == "list" and dv["C"][2].startswith("Daftar!$B$2")  # kecamatan
        codes = [c.value for c in wb["Daftar"]["A"][1:] if c.value]
        assert sorted(codes) == sorted(v.code for v in ws.villages)
        assert [c.value for c in wb["Sekolah"][1]][:5] == ["ID", "NPSN", "NAMA SEKOLAH", "JENJANG", "KODE DESA"]
        req = wb["Kunjungan rumah"]
        rhead = [c.value for c in req[1]]
        assert {"NAMA", "NIK", "ALASAN", "LAYANAN", "KODE DESA", "TANGGAL PERMOHONAN"} <= set(rhead)
        rdv = _validations(req)
        letter = lambda name: "ABCDEFGHIJKLMNOP"[rhead.index(name)]  # noqa: E731
        assert rdv[letter("TANGGAL PERMOHONAN")][0] == "date" and rdv[letter("NIK")][:3] == ("textLength", "equal", "16")
        assert rdv[letter("ALASAN")][0] == "list" and rdv[letter("LAYANAN")][0] == "list"
        reasons = [c.value for c in wb["Daftar"]["E"][1:] if c.value]
        assert reasons == ["lansia", "disabilitas", "sakit"]
        assert req.cell(row=2, column=rhead.index("TANGGAL PERMOHONAN") + 1).is_date  # a real date
        assert req.cell(row=2, column=rhead.index("NIK") + 1).number_format == "@"
        assert [c.value for c in wb["Antaran"][1]][-2:] == ["TANGGAL CETAK", "BATAS WAKTU"]
        guide_id = wb["Petunjuk"]["A3"].value
        d.post("/lang", data={"lang": "en", "back": "/data"})
        wb_en = _template(d)
        assert wb_en.sheetnames == wb.sheetnames and [c.value for c in wb_en["Desa"][1]] == head
        assert wb_en["Petunjuk"]["A3"].value != guide_id and "Sheet Desa" in wb_en["Petunjuk"]["A3"].value
    finally:
        d.close()


def test_a_filled_template_comes_back_into_the_workspace(tmp_path):
    d = Desk(tmp_path)
    try:
        before = read_workspace(d.ws)
        toml = (d.ws / "workspace.toml").read_bytes()
        wb = _template(d)
        desa = wb["Desa"]
        head = [c.value for c in desa[1]]
        new = {}
        for r in range(2, desa.max_row + 1):  # the office types this week's counts
            code = desa.cell(row=r, column=1).value
            v = next(x for x in before.villages if x.code == code)
            new[code] = v.covered["ektp"] + 7
            desa.cell(row=r, column=head.index("SUDAH REKAM") + 1, value=new[code])
        r = d.post("/data", files={"upload": ("templat isi.xlsx", _bytes(wb), "application/octet-stream")})
        assert r.status_code == 200, _text(r.text)
        assert "templat isi.xlsx dimasukkan" in _text(r.text)
        after = read_workspace(d.ws)
        assert {v.code: v.covered["ektp"] for v in after.villages} == new
        assert [v.eligible for v in after.villages] == [v.eligible for v in before.villages]
        # the other layers came back as they were (ids, NIKs, dates, school notes), the layout of the folder too
        assert [(s.id, s.notes, s.needed) for s in after.schools] == [(s.id, s.notes, s.needed) for s in before.schools]
        assert [(q.id, q.nik, q.services, q.requested_on, q.windows) for q in after.requests] == \
               [(q.id, q.nik, q.services, q.requested_on, q.windows) for q in before.requests]
        assert [(x.id, x.ready_on, x.due_on) for x in after.deliveries] == \
               [(x.id, x.ready_on, x.due_on) for x in before.deliveries]
        assert (d.ws / "workspace.toml").read_bytes() == toml and not (d.ws / "import").exists()
    finally:
        d.close()


def test_a_bad_value_is_a_problem_row_and_changes_nothing(tmp_path):
    d = Desk(tmp_path)
    try:
        files = _files(d.ws)
        wb = _template(d)
        wb["Desa"]["E2"] = -5  # SUDAH REKAM
        sekolah = wb["Sekolah"]
        sekolah.cell(row=3, column=5, value="74.08.99.9999")  # KODE DESA: in no list
        r = d.post("/data", files={"upload": ("isi.xlsx", _bytes(wb), "x")})
        assert r.status_code == 422
        rows = _table(r.text, "data-problems")
        assert ["isi.xlsx", "Desa", "2", "SUDAH REKAM", "-5"] == rows[0][:5] and "0" in rows[0][5]
        assert ["isi.xlsx", "Sekolah", "3", "KODE DESA", "74.08.99.9999"] == rows[1][:5]
        assert "pilih kode dari daftar" in rows[1][5]
        assert _files(d.ws) == files  # byte-identical, nothing added
        d.post("/lang", data={"lang": "en", "back": "/data"})
        r = d.post("/data", files={"upload": ("isi.xlsx", _bytes(wb), "x")})
        rows = _table(r.text, "data-problems")
        assert "not a whole number" in rows[0][5] and "choose a code from the list" in rows[1][5]
        assert _files(d.ws) == files
    finally:
        d.close()



def test_an_office_workbook_with_unmatched_rows_is_resolved_on_the_page(tmp_path, konut_counted):
    import shutil

    shutil.copytree(konut_counted, tmp_path / "ws")
    d = Desk(tmp_path)
    try:
        book = tmp_path / "REKAP DESA (Nov).xlsx"
        dinas_workbook(book, "74.09", extra="Desa Tak Dikenal")
        wb = openpyxl.load_workbook(book)
        sh = wb.active
        vs = reference.villages("74.09")
        lost = vs[3]
        assert sh.cell(row=10, column=3).value == lost.name
        sh.cell(row=10, column=2).value = None  # no code, a name nobody would match
        sh.cell(row=10, column=3).value = "Kampung Lama"
        for row in sh.iter_rows(min_row=7, max_row=6 + len(vs)):
            row[5].value += 1  # SUDAH REKAM: a month later
        files = _files(d.ws)
        r = d.post("/data", files={"upload": (book.name, _bytes(wb), "x")})
        assert r.status_code == 200, _text(r.text)
        unmatched = _table(r.text, "data-unmatched")
        assert [row[:4] for row in unmatched] == [["REKAP", "10", "", "Kampung Lama"],
                                                 ["REKAP", str(7 + len(vs)), "", "Desa Tak Dikenal"]]
        mapping = {row[2]: row[3] for row in _table(r.text, "data-mapping")}
        assert mapping["KTP EL WAJIB KTP"] == "wajib KTP-el" and mapping["NAMA DESA"] == "nama desa"
        assert mapping["PERSEN REKAM"] == "(tidak dipakai)"
        assert _files(d.ws) == files  # nothing written yet
        token = re.search(r'name="token" value="([0-9a-f]{32})"', r.text).group(1)
        keys = re.findall(r'<select name="(d:[^"]+)"', r.text)
        assert len(keys) == 2
        # one decision only: still open, still nothing written
        r = d.post("/data/resolve", data={"token": token, keys[1]: "skip"})
        assert r.status_code == 200 and "1 baris masih perlu keputusan" in _text(r.text)
        assert _files(d.ws) == files
        # a code that is not a village of the workspace is not taken as a decision
        r = d.post("/data/resolve", data={"token": token, keys[0]: "74.09.99.9999", keys[1]: "skip"})
        assert "1 baris masih perlu keputusan" in _text(r.text) and _files(d.ws) == files
        r = d.post("/data/resolve", data={"token": token, keys[0]: lost.code, keys[1]: "skip"})
        assert r.status_code == 200, _text(r.text)
        assert "dimasukkan: jumlah untuk" in _text(r.text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InputWarning)  # the synthetic counts: a few tiny villages above 100%
            ws = read_workspace(d.ws)
        got = {v.code: v.covered["ektp"] for v in ws.villages}
        assert got[lost.code] == counts_of(lost.population)[1] + 1
        assert got[vs[0].code] == counts_of(vs[0].population)[1] + 1
        decided = (d.ws / "import" / "REKAP_DESA_Nov.rows.csv").read_text(encoding="utf-8-sig")
        assert "Desa Tak Dikenal" in decided and ",skip," in decided  # the decisions kept, as the CLI keeps them
        assert d.post("/data/resolve", data={"token": token}).status_code == 404  # applied: the upload is gone
        assert d.post("/data/resolve", data={"token": "../../etc/passwd"}).status_code == 404
    finally:
        d.close()


def test_a_plain_layer_file_and_an_english_workbook_still_come_in(tmp_path):
    from outreach_planner.io import write_workspace

    d = Desk(tmp_path)
    try:
        r = d.post("/data", files={"upload": ("desa.csv", b"code,name\n1,2\n", "text/csv")})
        assert r.status_code == 422 and "Pilih lapisannya" in _text(r.text)  # no office header: say what to do
        out = write_workspace(read_workspace(d.ws), tmp_path / "x", "xlsx")
        wb = openpyxl.load_workbook(out / "workspace.xlsx")
        wb["villages"]["B2"] = "Desa Baru Contoh"
        r = d.post("/data", files={"upload": ("semua.xlsx", _bytes(wb), "x")})  # told from its sheet names
        assert r.status_code == 200, _text(r.text)
        assert read_workspace(d.ws).villages[0].name == "Desa Baru Contoh"
    finally:
        d.close()


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 * 1024 * 1024))
    return buf.getvalue()


def test_the_import_path_keeps_the_upload_checks(tmp_path):
    from outreach_planner.web import security
    from outreach_planner.web.strings import ID

    d = Desk(tmp_path)
    try:
        files = _files(d.ws)
        r = d.post("/data", files={"upload": ("bom.xlsx", _bomb(), "x")})
        assert r.status_code == 400 and _text(ID["not_xlsx"]) in _text(r.text)
        r = d.post("/data", files={"upload": ("besar.csv", b"a" * (security.MAX_UPLOAD_BYTES + 1), "text/csv")})
        assert r.status_code == 413
        r = d.post("/data", files={"upload": ("x.geojson", b"{}", "x")})  # told from the file: .xlsx or .csv only
        assert r.status_code == 400
        assert _files(d.ws) == files and not (tmp_path / "out" / ".desk" / "uploads").exists()
    finally:
        d.close()


def test_an_office_sheet_named_desa_is_an_office_table_not_the_template(tmp_path):
    """Only the template's own shape (its list sheet, or two of its sheets) is read with the template's rules
    (codes from the list); an office's one sheet named "Desa" gets decisions on its unmatched rows."""
    from outreach_planner.web.data_in import upload_kind

    d = Desk(tmp_path)
    try:
        wb = _template(d)
        assert upload_kind(".xlsx", _bytes(wb)) == "template"
        for name in ("Petunjuk", "Sekolah", "Kunjungan rumah", "Antaran", "Daftar"):
            del wb[name]
        desa = wb["Desa"]
        desa["A3"], desa["B3"] = None, "Desa Entah"  # no code, a name of no village
        assert upload_kind(".xlsx", _bytes(wb)) == "office"
        r = d.post("/data", files={"upload": ("desa.xlsx", _bytes(wb), "x")})
        assert r.status_code == 200 and [row[:4] for row in _table(r.text, "data-unmatched")] == [
            ["Desa", "3", "", "Desa Entah"]]
    finally:
        d.close()


def test_an_office_csv_offers_the_suggested_village_first_then_writes_the_csv_layer(tmp_path):
    import csv

    d = Desk(tmp_path)
    try:
        ws = read_workspace(d.ws)
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";")
        w.writerow(["Rekap perekaman per desa"])
        w.writerow(["KODE DESA", "NAMA DESA", "KECAMATAN", "WAJIB KTP", "SUDAH REKAM"])
        for i, v in enumerate(ws.villages):
            w.writerow(["" if i == 1 else v.code.replace(".", ""), "Pitlulwa" if i == 1 else v.name, v.district_name,
                        v.eligible["ektp"], v.eligible["ektp"] - 3])
        assert ws.villages[1].name == "Pitulua"
        r = d.post("/data", files={"upload": ("rekap.csv", buf.getvalue().encode("utf-8"), "text/csv")})
        assert [row[:4] for row in _table(r.text, "data-unmatched")] == [["", "4", "", "Pitlulwa"]]
        offered = re.search(r'<optgroup label="Usulan">(.*?)</optgroup>', r.text).group(1)
        assert re.findall(r'value="([^"]+)"', offered) == [ws.villages[1].code]
        token = re.search(r'name="token" value="([0-9a-f]{32})"', r.text).group(1)
        key = re.search(r'<select name="(d:[^"]+)"', r.text).group(1)
        r = d.post("/data/resolve", data={"token": token, key: ws.villages[1].code})
        assert r.status_code == 200 and "rekap.csv dimasukkan" in _text(r.text)
        after = read_workspace(d.ws)
        assert [v.covered["ektp"] for v in after.villages] == [v.eligible["ektp"] - 3 for v in ws.villages]
        head = (d.ws / "villages.csv").read_text(encoding="utf-8").splitlines()[0]
        assert head.startswith("code,name,district_code")  # still the CSV layer, its columns as they were
    finally:
        d.close()


def test_an_unchanged_template_upload_changes_no_file(tmp_path):
    """A template downloaded and uploaded again as it is: every file of the workspace byte for byte as it was
    (the import compares the layers' content and rewrites none)."""
    d = Desk(tmp_path)
    try:
        files = _files(d.ws)
        r = d.post("/data", files={"upload": ("templat.xlsx", _bytes(_template(d)), "x")})
        assert r.status_code == 200, _text(r.text)
        assert _files(d.ws) == files
    finally:
        d.close()
