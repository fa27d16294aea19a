"""Pause points that let tests stop ``plan`` at a chosen moment (and kill it there) without timing luck.

With ``OUTREACH_TEST_PAUSE_AT=<point>[,<point>...]`` and ``OUTREACH_TEST_PAUSE_DIR=<folder>`` in the
environment, :func:`pause` at a listed point creates ``<folder>/<point>.<pid>.reached`` and waits until
``<folder>/<point>.release`` exists. Without these variables it does nothing. Points:

- ``solving``: in an engine child process, before it solves (``engines.portfolio``);
- ``writing``: in ``plan``, when the staging folder holds plan.json/schedule.* but not the rest yet;
- ``staged``: every file is in the staging folder, nothing switched in yet (``io.output_set``);
- ``switching``: in the middle of the switch (``io.output_set``);
- ``issuing``: outputs switched in, the ledger not told yet (``plan``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT_ENV = "OUTREACH_TEST_PAUSE_AT"
PAUSE_DIR_ENV = "OUTREACH_TEST_PAUSE_DIR"


def pause(point: str) -> None:
    """Wait at ``point`` when a test asked for it (see the module docstring)."""
    wanted = os.environ.get(PAUSE_AT_ENV)
    if not wanted or point not in wanted.split(","):
        return
    folder = Path(os.environ.get(PAUSE_DIR_ENV) or ".")
    (folder / f"{point}.{os.getpid()}.reached").touch()
    release = folder / f"{point}.release"
    while not release.exists():
        time.sleep(0.02)
