"""The corpus of defect-named bad workspaces in ``tests/data/invalid/``.

Each folder is ``tests/data/small`` with one defect (``make_invalid.py`` writes them).
``outreach-planner check FOLDER`` must exit 2, name the culprit (every line of the
folder's ``expected.txt`` appears in the output, case-insensitive) and write nothing.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from outreach_planner import cli
from outreach_planner.errors import InputError
from outreach_planner.io import read_workspace

DATA = Path(__file__).resolve().parent / "data"
SMALL = DATA / "small"
INVALID = DATA / "invalid"
CASES = sorted(p for p in INVALID.iterdir() if p.is_dir()) if INVALID.is_dir() else []


def _generator():
    """``tests/data/make_invalid.py`` as a module (tests/data is not a package)."""
    spec = importlib.util.spec_from_file_location("make_invalid", DATA / "make_invalid.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _expected(folder: Path) -> list[str]:
    return [line.strip() for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def _norm(text: str) -> str:
    """Lower case, whitespace runs collapsed (a console may wrap long lines)."""
    return re.sub(r"\s+", " ", text).lower()


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.rglob("*"))}


@pytest.fixture
def wide_err_console(monkeypatch):
    # cli.err_console is made at import time; without a terminal rich wraps at 80 columns.
    monkeypatch.setattr(cli, "err_console", Console(stderr=True, width=10_000, no_color=True, highlight=False))


def test_corpus_has_at_least_20_cases():
    assert len(CASES) >= 20, [c.name for c in CASES]


def test_every_case_has_expected_text():
    for folder in CASES:
        assert _expected(folder), f"{folder.name}/expected.txt is empty"


@pytest.mark.parametrize("folder", CASES, ids=[c.name for c in CASES])
def test_check_names_the_culprit_and_writes_nothing(folder: Path, wide_err_console):
    before, small_before = _snapshot(folder), _snapshot(SMALL)
    result = CliRunner().invoke(cli.app, ["check", str(folder)])
    output = result.output  # stdout and stderr, mixed
    assert result.exit_code == 2, f"exit {result.exit_code}, exception {result.exception!r}\n{output}"
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    for line in _expected(folder):
        assert _norm(line) in _norm(output), f"{line!r} not in the output:\n{output}"
    assert _snapshot(folder) == before, "check wrote or changed files in the workspace"
    assert _snapshot(SMALL) == small_before


@pytest.mark.parametrize("folder", CASES, ids=[c.name for c in CASES])
def test_read_workspace_raises_input_error_with_sources(folder: Path):
    with pytest.raises(InputError) as info:
        read_workspace(folder)
    problems = info.value.problems
    assert problems
    assert all(p.source for p in problems), problems
    if folder.name == "TwoProblemsReportedTogether":
        assert len(problems) >= 2


def test_bad_nik_is_not_printed_in_full(wide_err_console):
    result = CliRunner().invoke(cli.app, ["check", str(INVALID / "BadNik")])
    assert result.exit_code == 2
    assert "740801010150000" not in result.output
    assert "************0000" in result.output


def test_the_unpatched_base_is_valid(tmp_path: Path):
    """Every case starts from this workspace, so its only problems are its own defect."""
    gen = _generator()
    gen.copy_base(tmp_path / "base", boundary=str(SMALL / "boundary.geojson"))
    ws = read_workspace(tmp_path / "base")
    assert len(ws.villages) == 4


def test_xlsx_layers_read_when_every_sheet_is_there(tmp_path: Path):
    """The MissingXlsxSheet workbook is fine apart from the missing sheet."""
    gen = _generator()
    root = tmp_path / "ws"
    shutil.copytree(SMALL, root)
    names = ("villages", "schools", "home_visit_requests", "deliveries")
    gen.write_xlsx(root / "layers.xlsx", {n: root / f"{n}.csv" for n in names})
    for n in names:
        (root / f"{n}.csv").unlink()
        gen.replace_text(root / "workspace.toml", f'{n} = "{n}.csv"', f'{n} = "layers.xlsx"')
    ws = read_workspace(root)
    expected = read_workspace(SMALL)
    assert ws.villages == expected.villages
    assert ws.schools == expected.schools
    assert ws.requests == expected.requests
    assert ws.deliveries == expected.deliveries


def test_corpus_is_what_the_generator_writes(tmp_path: Path):
    """The committed folders are up to date and the generator is deterministic."""
    _generator().main(tmp_path / "invalid")
    fresh = {str(p.relative_to(tmp_path / "invalid")): p.read_bytes()
             for p in sorted((tmp_path / "invalid").rglob("*")) if p.is_file()}
    committed = {str(p.relative_to(INVALID)): p.read_bytes() for p in sorted(INVALID.rglob("*")) if p.is_file()}
    assert sorted(fresh) == sorted(committed), "run: .venv/bin/python tests/data/make_invalid.py"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"out of date: {stale}; run: .venv/bin/python tests/data/make_invalid.py"
