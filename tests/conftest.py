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
from outreach_planner.model import Policy, Workspace

SMALL = Path(__file__).resolve().parent / "data" / "small"

settings.register_profile("ci", derandomize=True, max_examples=15, deadline=None, database=None,
                          print_blob=True)
settings.register_profile("wide", max_examples=500, deadline=None, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def small() -> Workspace:
    """The small test workspace (tests/data/small), read once; a Workspace is immutable."""
    return read_workspace(SMALL)


@pytest.fixture(scope="session")
def one_slot(small) -> tuple[Workspace, str, str]:
    """(workspace, code A, code B): one team-day with room for one session, two villages with the same
    unserved people (100 e-KTP); A is at 80 %, B at 98 % of its eligible, so A is worth more."""
    a = small.village("74.08.01.2002").model_copy(update={"eligible": {"ektp": 500, "kia": 0, "akta": 0},
                                                          "covered": {"ektp": 400, "kia": 0, "akta": 0}})
    b = small.village("74.08.01.2003").model_copy(update={"eligible": {"ektp": 5000, "kia": 0, "akta": 0},
                                                          "covered": {"ektp": 4900, "kia": 0, "akta": 0}})
    team = small.teams[0].model_copy(update={"days": ("mon",), "activities": ("village_session",)})
    ws = small.replace(villages=(a, b), teams=(team,), schools=(), requests=(), deliveries=(),
                       policy=Policy(max_session_minutes=200, max_sessions_per_village=1))
    return ws, a.code, b.code


@pytest.fixture
def english(monkeypatch):
    """Messages in English (OUTREACH_LANG=en): for tests that assert on the English texts. Indonesian is the
    default (issue 15); tests/test_indonesian_path.py and tests/test_catalogue.py cover it."""
    monkeypatch.setenv("OUTREACH_LANG", "en")
    from outreach_planner.i18n import set_language

    set_language(None)
    yield
    set_language(None)


@pytest.fixture(autouse=True)
def _language_from_the_environment():
    """Every test starts from OUTREACH_LANG / Indonesian: a ``--lang`` of an earlier CLI run does not carry over."""
    from outreach_planner.i18n import set_language

    set_language(None)
    yield


@pytest.fixture(scope="module")
def konut(tmp_path_factory) -> Path:
    """A fresh Konawe Utara workspace (74.09) made by ``init``: villages, boundary, calendar, one example team, no
    counts yet (tests copy it before changing it)."""
    from outreach_planner.io.init_workspace import init_workspace

    out = tmp_path_factory.mktemp("init") / "konut"
    init_workspace("74.09", out, [2026, 2027])
    return out


@pytest.fixture(scope="module")
def konut_counted(tmp_path_factory, konut) -> Path:
    """Konawe Utara after ``init`` and the import of an office workbook (tests/test_init_import.dinas_workbook): a
    valid workspace."""
    import shutil

    from outreach_planner.io.office_import import import_counts
    from test_init_import import dinas_workbook

    root = tmp_path_factory.mktemp("counted")
    shutil.copytree(konut, root / "konut")
    dinas_workbook(root / "REKAP.xlsx", "74.09")
    assert import_counts(root / "konut", root / "REKAP.xlsx").written
    return root / "konut"
