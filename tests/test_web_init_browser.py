"""A new regency's first data on the desk, in a real browser (headless chromium, 1366x768): open the desk on a
workspace just made by ``init --regency 74.09``, see the banner saying the counts are missing, download the
template, fill it (openpyxl, as the office would in Excel), upload it, see the coverage page; no console errors.
Under CI=true a missing browser fails; elsewhere the test is skipped."""

from __future__ import annotations

import os

import pytest
from browser import serving, session, severe_console
from test_web_browser import _text_of, _wait

SHOTS = os.environ.get("DESK_SHOTS")  # a folder: the pages are saved there as screenshots (to look at them)


@pytest.fixture()
def fresh_server(tmp_path):
    pytest.importorskip("uvicorn")
    from outreach_planner.io.init_workspace import init_workspace
    from outreach_planner.web import DeskConfig, create_app

    init_workspace("74.09", tmp_path / "ws")
    app = create_app(DeskConfig(workspace=tmp_path / "ws", out_root=tmp_path / "out", solution_limit=5,
                                time_limit=600))
    with serving(app) as base:
        yield base, tmp_path


def test_a_new_regency_from_the_banner_to_its_coverage_in_a_browser(fresh_server, tmp_path):
    import openpyxl
    from selenium.webdriver.common.by import By

    base, root = fresh_server
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with session("1366,768", downloads) as drv:
        drv.get(base + "/")  # a new workspace opens on its Data page, the banner on top
        banner = _wait(lambda: _text_of(drv, "ws-banner"), 60)
        assert "Wilayah kerja ini belum lengkap" in banner and "e-KTP: semua desa" in banner
        assert drv.current_url.endswith("/data")
        if SHOTS:
            drv.save_screenshot(os.path.join(SHOTS, "new-regency-banner.png"))
        drv.get(base + "/coverage")
        assert "Halaman ini perlu data yang lengkap" in drv.find_element(By.TAG_NAME, "h1").text
        if SHOTS:
            drv.save_screenshot(os.path.join(SHOTS, "new-regency-coverage-waits.png"))
        drv.find_element(By.CSS_SELECTOR, "#ws-banner-counts a").click()  # the banner's link to the Data page
        _wait(lambda: drv.current_url.endswith("/data"), 60)
        drv.find_element(By.ID, "data-template").click()
        book = _wait(lambda: [p for p in downloads.glob("*.xlsx")], 60)[0]
        _wait(lambda: not list(downloads.glob("*.crdownload")) and book.stat().st_size > 0, 60)
        wb = openpyxl.load_workbook(book)
        desa = wb["Desa"]
        head = [c.value for c in desa[1]]
        n = 0
        for row in desa.iter_rows(min_row=2):
            if not row[0].value:
                continue
            n += 1
            for col, v in {"WAJIB KTP": 300, "SUDAH REKAM": 240, "JUMLAH ANAK": 120, "PUNYA KIA": 40,
                           "WAJIB AKTA": 150, "PUNYA AKTA": 140}.items():
                row[head.index(col)].value = v
        assert n == 170
        filled = tmp_path / "templat konawe utara.xlsx"
        wb.save(filled)
        drv.find_element(By.ID, "data-file").send_keys(str(filled))
        drv.find_element(By.ID, "data-upload").click()
        assert "templat konawe utara.xlsx" in _wait(lambda: _text_of(drv, "data-applied"), 120)
        assert "belum lengkap" not in _text_of(drv, "ws-banner")
        drv.get(base + "/coverage")
        page = _wait(lambda: drv.find_element(By.TAG_NAME, "main").text, 60)
        assert "perlu data yang lengkap" not in page
        assert "51.000" in page and "40.800" in page  # the regency's e-KTP eligible and covered (170 x 300, 170 x 240), Indonesian grouping
        if SHOTS:
            drv.save_screenshot(os.path.join(SHOTS, "new-regency-coverage.png"))
        severe = severe_console(drv)
        assert not severe, severe
