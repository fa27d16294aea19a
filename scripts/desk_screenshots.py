"""Screenshots of the planner's desk (the web app) for the docs, taken in headless Debian chromium.

Run from the repository (chromium and chromium-driver installed, selenium and uvicorn in the venv)::

    .venv/bin/python scripts/desk_screenshots.py --out docs/img

It copies the default workspace (data/kolaka_utara, or --workspace) into a temporary folder, so the repository's
data are never written; starts the desk on it with a solution limit (repeatable plans); drives a 1366x768
browser window through the pages and saves one PNG each into --out:

- desk_coverage.png  the coverage page (map and table of the villages);
- desk_plan.png      the plan page after making the plan of --date's week: the window's view of the map with the
                     trips, and under it a second view scrolled to the teams' timeline (two views stacked);
- desk_data.png      the data page after uploading an office table (title row, Indonesian headers, undotted codes,
                     one village name that matches nothing): the column mapping and the unmatched row to decide;
- desk_settings.png  teams & calendar, the first team opened;
- desk_record.png    the record page after uploading a filled outcomes form with bad rows (a status that is no
                     status, a negative count): the rows it refuses;
- desk_history.png   the history page after a good form was recorded (coverage week by week).

Exit code 0 when every page loaded without a SEVERE browser console message (the record page's expected
422 for the bad form aside), 1 otherwise (the messages are printed), 2 when the browser or a page did not
come (timeout, missing chromium).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = {"coverage": "desk_coverage.png", "plan": "desk_plan.png", "data": "desk_data.png",
         "settings": "desk_settings.png", "record": "desk_record.png", "history": "desk_history.png"}


def _chrome(window: str):
    """(driver, profile folder): tests/browser.py's headless chromium (the same browser, driver, flags and console
    logging) with an Indonesian browser locale (navigator.language id-ID), as a planner's browser has it. The
    browser's own texts (the file input's 'Choose File', the date input's 'mm/dd/yyyy') stay English unless
    Debian's chromium-l10n package is installed (only en-US.pak otherwise)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import chrome

    return chrome(window, lang="id-ID")


def _free_port() -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import free_port

    return free_port()


def _wait(cond, timeout: float = 300.0, what: str = "the page"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            got = cond()
        except Exception:  # noqa: BLE001 - an element of a page being replaced; try again
            got = None
        if got:
            return got
        time.sleep(0.2)
    raise TimeoutError(f"timed out waiting for {what}")


def _office_table(ws_folder: Path, path: Path) -> str:
    """An office's coverage table as CSV: a title row, Indonesian headers, undotted codes, names in capitals, and
    one village under a name that matches nothing (its code left out). Returns that name."""
    from outreach_planner.io import read_workspace

    ws = read_workspace(ws_folder)
    lost = ws.villages[1]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["REKAP PEREKAMAN KTP-EL PER DESA, KEADAAN 30 NOVEMBER 2026"])
        w.writerow(["NO", "KODE DESA", "NAMA DESA", "KECAMATAN", "WAJIB KTP", "SUDAH REKAM"])
        for i, v in enumerate(ws.villages, 1):
            code, name = ("", "Kampung Tua") if v is lost else (v.code.replace(".", ""), v.name.upper())
            w.writerow([i, code, name, v.district_name, v.eligible["ektp"], v.covered["ektp"]])
    return "Kampung Tua"


def _forms(plan_folder: Path, tmp: Path) -> tuple[Path, Path]:
    """(a filled outcomes form, the same with two bad rows) from the plan's outcomes_form.csv, Indonesian words."""
    with open(plan_folder / "outcomes_form.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["status"] = {"delivery": "terkirim", "night": "bermalam"}.get(r["kind"], "selesai")
        for k in list(r):
            if k.startswith("expected_") and r["kind"] not in ("delivery", "night"):
                r["served_" + k[len("expected_"):]] = r[k]
    good, bad = tmp / "hasil minggu ini.csv", tmp / "hasil salah.csv"
    for path, broken in ((good, False), (bad, True)):
        out = [dict(r) for r in rows]
        if broken:
            out[0]["status"] = "sudah"  # no status word
            other = next(r for r in out[1:] if r["kind"] not in ("delivery", "night"))
            other[next(k for k in other if k.startswith("served_"))] = "-3"  # a negative count
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(out)
    return good, bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="folder of the PNGs (default docs/img)")
    ap.add_argument("--workspace", type=Path, default=ROOT / "data" / "kolaka_utara",
                    help="workspace to copy and show (default data/kolaka_utara; never written)")
    ap.add_argument("--date", default="2026-12-02", help="a day of the week to plan (default 2026-12-02)")
    ap.add_argument("--solution-limit", type=int, default=30, help="solver solutions per plan (default 30)")
    ap.add_argument("--engine", default="ortools", help="engine of the desk's plans (default ortools)")
    args = ap.parse_args(argv)

    import uvicorn
    from selenium.webdriver.common.by import By

    from outreach_planner.web import DeskConfig, create_app

    args.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="desk-shots-"))
    shutil.copytree(args.workspace, tmp / "ws", ignore=shutil.ignore_patterns("ledger.sqlite*", "out", "import"))
    app = create_app(DeskConfig(workspace=tmp / "ws", out_root=tmp / "out", solution_limit=args.solution_limit,
                                time_limit=600, engine=args.engine))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    _wait(lambda: server.started, 60, "the desk to start")
    base = f"http://127.0.0.1:{port}"
    problems: list[str] = []
    drv = profile = None

    def shot(page: str, expected_422: str | None = None, below: str | None = None) -> None:
        """Save the window as the page's PNG; ``below``: a CSS selector scrolled to for a second window's view,
        stacked under the first (the plan: the map, then the timeline)."""
        path = args.out / SHOTS[page]
        drv.save_screenshot(str(path))
        if below:
            import io

            from PIL import Image

            top = Image.open(path)
            scroll_to(below)
            low = Image.open(io.BytesIO(drv.get_screenshot_as_png()))
            both = Image.new("RGB", (top.width, top.height + low.height), "white")
            both.paste(top, (0, 0))
            both.paste(low, (0, top.height))
            both.save(path)
        for e in drv.get_log("browser"):
            if e.get("level") != "SEVERE":
                continue
            if expected_422 and e.get("source") == "network" and "422" in e["message"] and expected_422 in e["message"]:
                continue
            problems.append(f"{page}: {e['message']}")
        print(f"{path}", flush=True)

    def scroll_to(css: str) -> None:
        drv.execute_script("arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -8);",
                           drv.find_element(By.CSS_SELECTOR, css))
        time.sleep(0.3)

    def map_drawn(frame_css: str = "iframe.map") -> None:
        drv.switch_to.frame(drv.find_element(By.CSS_SELECTOR, frame_css))
        try:
            _wait(lambda: drv.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path"), 60, "the map")
            time.sleep(1.0)  # the tiles (when online) and the fitted bounds
        finally:
            drv.switch_to.default_content()

    try:
        drv, profile = _chrome("1366,768")
        # 1. coverage
        drv.get(base + "/coverage")
        _wait(lambda: drv.find_elements(By.CSS_SELECTOR, "#villages tbody tr"), 60, "the coverage table")
        map_drawn()
        shot("coverage")

        # 2. a plan of --date's week: the map with the trips, then the teams' timeline
        drv.get(base + "/plan")
        drv.execute_script("var i = document.getElementById('week-date'); i.value = arguments[0];"
                           "i.dispatchEvent(new Event('input'));", args.date)
        drv.find_element(By.ID, "make-plan").click()
        _wait(lambda: "/plans/" in drv.current_url and "/jobs/" not in drv.current_url, 900, "the plan")
        set_id = drv.current_url.rstrip("/").rsplit("/", 1)[1]
        _wait(lambda: drv.find_elements(By.CSS_SELECTOR, ".team table tbody tr"), 120, "the timeline")
        map_drawn()
        shot("plan", below=".teams")  # the title, the head line and the map; under it the teams' timeline

        # 3. data: an office table with an unmatched row
        office = tmp / "rekap kantor.csv"
        name = _office_table(tmp / "ws", office)
        drv.get(base + "/data")
        drv.find_element(By.ID, "data-file").send_keys(str(office))
        drv.find_element(By.ID, "data-upload").click()
        _wait(lambda: drv.find_elements(By.CSS_SELECTOR, "#data-unmatched select.decision"), 120, "the unmatched rows")
        assert name in drv.find_element(By.ID, "data-unmatched").text
        scroll_to("#data-mapping")
        shot("data")

        # 4. teams & calendar, the first team opened
        drv.get(base + "/settings")
        first = _wait(lambda: drv.find_elements(By.CSS_SELECTOR, "details[id^='team-'] summary"), 60, "the teams")[0]
        first.click()
        time.sleep(0.3)
        shot("settings")

        # 5. record: a good form (for the history), then one with bad rows
        good, bad = _forms(tmp / "out" / set_id, tmp)
        drv.get(base + "/record")
        drv.find_element(By.ID, "record-file").send_keys(str(good))
        drv.find_element(By.ID, "record-upload").click()
        _wait(lambda: drv.find_elements(By.CSS_SELECTOR, "#record-result, #record-error, #record-problems"), 120,
              "the recorded form")
        if not drv.find_elements(By.ID, "record-result"):
            raise RuntimeError("the good form was not recorded: " + " ".join(drv.find_element(By.TAG_NAME, "main")
                                                                            .text.split())[:600])
        drv.get_log("browser")  # (the good form's page is not shot)
        drv.get(base + "/record")
        drv.find_element(By.ID, "record-file").send_keys(str(bad))
        drv.find_element(By.ID, "record-upload").click()
        _wait(lambda: drv.find_elements(By.CSS_SELECTOR, "#record-problems tbody tr"), 120, "the refused rows")
        shot("record", expected_422="/record")

        # 6. history
        drv.get(base + "/history")
        _wait(lambda: drv.find_elements(By.CSS_SELECTOR, "#history tbody tr"), 60, "the history")
        shot("history")
    except Exception as exc:  # noqa: BLE001 - said plainly, with the exit code of a page that did not come
        print(f"desk_screenshots: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    finally:
        if drv is not None:
            drv.quit()
        if profile:
            shutil.rmtree(profile, ignore_errors=True)
        server.should_exit = True
        thread.join(30)
        shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        print(f"SEVERE console message: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
