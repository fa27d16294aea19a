"""Fixtures shared by the test modules, and the hypothesis profiles.

Profiles: ``ci`` (the default, and what CI runs): derandomized, so every run tries the same
examples, a bounded number of them, no deadline, no example database; ``wide``: many random
examples, for ``benchmarks/property_search.py`` style searches (``HYPOTHESIS_PROFILE=wide``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from outreach_planner.io import read_workspace
from outreach_planner.model import Workspace

SMALL = Path(__file__).resolve().parent / "data" / "small"

settings.register_profile("ci", derandomize=True, max_examples=15, deadline=None, database=None,
                          print_blob=True)
settings.register_profile("wide", max_examples=500, deadline=None, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def small() -> Workspace:
    """The small test workspace (tests/data/small), read once; a Workspace is immutable."""
    return read_workspace(SMALL)
