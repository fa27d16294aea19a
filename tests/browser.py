"""Headless Debian chromium for the browser tests (the map, the desk): one place for finding the browser and
its driver, the flags, and the rule that under CI=true a missing browser fails instead of skipping."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def skip_or_fail(reason: str):
    """Skip the test; under CI=true fail it (the browser and packages must be there in CI)."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must run in CI)")
    pytest.skip(reason)


def chrome(window: str = "1366,768", downloads: Path | None = None, lang: str | None = None):
    """(driver, profile folder) of a headless chromium with console logging; ``downloads``: where files go;
    ``lang`` (e.g. ``id-ID``): the browser's language, as a planner's browser has it."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        skip_or_fail("selenium is not installed (pip install -e '.[test]')")
    browser = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and os.path.exists(p)), None)
    driver = next((p for p in ("/usr/bin/chromedriver", shutil.which("chromedriver") or "")
                   if p and os.path.exists(p)), None)
    if not browser or not driver:
        missing = " and ".join(n for n, p in (("chromium", browser), ("chromedriver", driver)) if not p)
        skip_or_fail(f"headless-browser test needs Debian's chromium and chromium-driver; {missing} not found "
                     "(apt-get install chromium chromium-driver)")
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium Manager download a driver or a browser
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    profile = tempfile.mkdtemp(prefix="outreach-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--window-size={window}", f"--user-data-dir={profile}",
                 *([f"--lang={lang}"] if lang else [])):
        opts.add_argument(flag)
    prefs = {"intl.accept_languages": f"{lang},{lang.split('-')[0]}"} if lang else {}
    if downloads is not None:
        prefs.update({"download.default_directory": str(downloads), "download.prompt_for_download": False,
                      "plugins.always_open_pdf_externally": True})
    if prefs:
        opts.add_experimental_option("prefs", prefs)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=driver), options=opts), profile


@contextmanager
def session(window: str = "1366,768", downloads: Path | None = None):
    """A headless chromium (see :func:`chrome`), quit and its profile folder removed afterwards."""
    drv, profile = chrome(window, downloads)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def severe_console(drv) -> list[dict]:
    """The browser console's SEVERE messages so far (a test expects none)."""
    return [e for e in drv.get_log("browser") if e.get("level") == "SEVERE"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app):
    """The ASGI ``app`` served by uvicorn on a free port of 127.0.0.1 in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(400):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        th.join(30)
