"""The desk's pages at 1366x768 (the usual office laptop) in both languages: no table or form wider than the page
or clipped in its column (a real browser; skipped without chromium, failed under CI=true)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from browser import serving, session, severe_console

KOLAKA_UTARA = Path(__file__).resolve().parents[1] / "data" / "kolaka_utara"
#: Elements that reach past the viewport's right edge, or scroll sideways inside their box.
OVERFLOW = """
const W = document.documentElement.clientWidth, out = [];
if (document.documentElement.scrollWidth > W) out.push('page ' + document.documentElement.scrollWidth + ' > ' + W);
for (const el of document.querySelectorAll('main table, main .side, main .card, main form, main button, main h1, main p')) {
  const r = el.getBoundingClientRect();
  if (r.right > W + 1) out.push(el.tagName + '#' + el.id + ' ends at ' + Math.round(r.right));
  if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
    out.push(el.tagName + '#' + el.id + '.' + el.className + ' scrolls ' + el.scrollWidth + ' > ' + el.clientWidth);
}
return out;
"""


@pytest.fixture()
def desk_url(tmp_path):
    pytest.importorskip("uvicorn")

    from outreach_planner.web import DeskConfig, create_app

    shutil.copytree(KOLAKA_UTARA, tmp_path / "ws", ignore=shutil.ignore_patterns("ledger*"))
    with serving(create_app(DeskConfig(workspace=tmp_path / "ws", out_root=tmp_path / "out"))) as base:
        yield base


def test_no_page_overflows_at_1366_in_either_language(desk_url):
    """Kolaka Utara (its long kecamatan names): every page without a plan, Indonesian then English."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    found = {}
    with session("1366,768") as drv:
        for lang in ("id", "en"):
            drv.get(desk_url + "/coverage")
            if drv.execute_script("return document.documentElement.lang") != lang:
                drv.find_element(By.ID, "lang-switch").click()
                for _ in range(300):  # the page is replaced: ask the document, hold no element
                    try:
                        if drv.execute_script("return document.readyState === 'complete' && "
                                              "document.documentElement.lang") == lang:
                            break
                    except WebDriverException:  # between two documents
                        pass
                    time.sleep(0.1)
                assert drv.execute_script("return document.documentElement.lang") == lang
            for page in ("/coverage", "/plan", "/record", "/history", "/data", "/settings"):
                drv.get(desk_url + page)
                bad = drv.execute_script(OVERFLOW)
                if bad:
                    found[f"{lang} {page}"] = bad
        assert not severe_console(drv)
    assert not found, found
