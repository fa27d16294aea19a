"""The desk's data in, in a real browser (headless chromium, 1366x768): download the Excel template, fill it,
upload it; upload an office table with an unmatched row and decide it on the page; no console errors. Under
CI=true a missing browser fails; elsewhere the test is skipped."""

from __future__ import annotations

import csv
import os
import warnings

from browser import severe_console
from test_web_browser import _browser, _text_of, _wait, server  # noqa: F401 - server is a fixture

from outreach_planner.errors import InputWarning
from outreach_planner.io import read_workspace

SHOTS = os.environ.get("DESK_SHOTS")  # a folder: the pages are saved there as screenshots (to look at them)


def _read(ws):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        return read_workspace(ws)


def test_template_and_office_table_through_the_browser(server, tmp_path):  # noqa: F811
    import openpyxl
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, root = server
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    before = _read(root / "ws")
    with _browser(downloads) as drv:
        drv.get(base + "/data")
        drv.find_element(By.ID, "data-template").click()
        book = _wait(lambda: [p for p in downloads.glob("*.xlsx")], 60)[0]
        _wait(lambda: not list(downloads.glob("*.crdownload")) and book.stat().st_size > 0, 60)
        wb = openpyxl.load_workbook(book)
        desa = wb["Desa"]
        for r in range(2, desa.max_row + 1):
            desa.cell(row=r, column=5).value = desa.cell(row=r, column=4).value - 1  # SUDAH REKAM
        filled = tmp_path / "templat isi.xlsx"
        wb.save(filled)
        drv.find_element(By.ID, "data-file").send_keys(str(filled))
        drv.find_element(By.ID, "data-upload").click()
        assert "templat isi.xlsx" in _wait(lambda: _text_of(drv, "data-applied"), 60)
        after = _read(root / "ws")
        assert [v.covered["ektp"] for v in after.villages] == [v.eligible["ektp"] - 1 for v in before.villages]

        # an office table: a name spelt so that nothing matches it; the planner picks the village on the page
        lost = after.villages[1]
        office = tmp_path / "rekap kantor.csv"
        with open(office, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, delimiter=";")
            w.writerow(["REKAP PEREKAMAN KTP-EL PER DESA"])
            w.writerow(["NO", "KODE DESA", "NAMA DESA", "KECAMATAN", "WAJIB KTP", "SUDAH REKAM"])
            for i, v in enumerate(after.villages, 1):
                code, name = (("", "Kampung Tua") if v is lost else (v.code.replace(".", ""), v.name.upper()))
                w.writerow([i, code, name, v.district_name, v.eligible["ektp"], v.eligible["ektp"] - 2])
        drv.get(base + "/data")
        drv.find_element(By.ID, "data-file").send_keys(str(office))
        drv.find_element(By.ID, "data-upload").click()
        _wait(lambda: drv.find_elements(By.CSS_SELECTOR, "#data-unmatched select.decision"), 60)
        assert "Kampung Tua" in _text_of(drv, "data-unmatched")
        assert "WAJIB KTP" in _text_of(drv, "data-mapping")
        if SHOTS:
            drv.save_screenshot(os.path.join(SHOTS, "data-decide.png"))
        Select(drv.find_element(By.CSS_SELECTOR, "#data-unmatched select.decision")).select_by_value(lost.code)
        drv.find_element(By.ID, "data-apply").click()
        assert "rekap kantor.csv" in _wait(lambda: _text_of(drv, "data-applied"), 60)
        got = {v.code: v.covered["ektp"] for v in _read(root / "ws").villages}
        assert got == {v.code: v.eligible["ektp"] - 2 for v in after.villages}
        if SHOTS:
            drv.save_screenshot(os.path.join(SHOTS, "data-applied.png"))
        severe = severe_console(drv)
        assert not severe, severe



