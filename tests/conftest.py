"""Fixtures shared by the test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach_planner.io import read_workspace
from outreach_planner.model import Workspace

SMALL = Path(__file__).resolve().parent / "data" / "small"


@pytest.fixture(scope="session")
def small() -> Workspace:
    """The small test workspace (tests/data/small), read once; a Workspace is immutable."""
    return read_workspace(SMALL)
