"""The corpus of defect-named bad workspaces in ``tests/data/invalid/``.

Each folder is ``tests/data/small`` with one defect (``make_invalid.py`` writes them).
``outreach-planner check FOLDER`` must exit 2, name the culprit (every line of the
folder's ``expected.txt`` appears in the output, case-insensitive) and write nothing.

``tests/data/copes/`` holds input the reader copes with (``;``/tab-separated or Latin-1 CSV, a BOM
in ``workspace.toml``, title rows above an Excel header): each reads, with the warnings in its
``expected.txt``, to the same workspace as its clean twin.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import warnings
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from outreach_planner import cli
from outreach_planner.errors import InputError, InputWarning
from outreach_planner.io import read_workspace

#: These tests assert on the English texts of the messages (Indonesian is the default: test_indonesian_path.py).
pytestmark = pytest.mark.usefixtures("english")

DATA = Path(__file__).resolve().parent / "data"
SMALL = DATA / "small"
INVALID = DATA / "invalid"
CASES = sorted(p for p in INVALID.iterdir() if p.is_dir()) if INVALID.is_dir() else []
COPES = DATA / "copes"
COPES_CASES = sorted(p for p in COPES.iterdir() if p.is_dir()) if COPES.is_dir() else []


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


@pytest.mark.parametrize("kind", ["invalid", "copes"])
def test_corpus_is_what_the_generator_writes(tmp_path: Path, kind: str):
    """The committed folders are up to date and the generator is deterministic."""
    _generator().main(tmp_path / "invalid", tmp_path / "copes")
    fresh = {str(p.relative_to(tmp_path / kind)): p.read_bytes()
             for p in sorted((tmp_path / kind).rglob("*")) if p.is_file()}
    committed = {str(p.relative_to(DATA / kind)): p.read_bytes() for p in sorted((DATA / kind).rglob("*")) if p.is_file()}
    assert sorted(fresh) == sorted(committed), "run: .venv/bin/python tests/data/make_invalid.py"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"out of date: {stale}; run: .venv/bin/python tests/data/make_invalid.py"


# --------------------------------------------------------------------------- one problem, one error
@pytest.mark.parametrize("name", ["ServiceTargetPercent", "ServiceTargetAsPercentNumber", "ServiceMinutesText"])
def test_one_bad_service_value_is_one_problem(name: str):
    """A service with a bad value still counts as declared: no "unknown service" per village, team, request."""
    with pytest.raises(InputError) as info:
        read_workspace(INVALID / name)
    assert len(info.value.problems) == 1, [str(p) for p in info.value.problems]


def test_a_bad_depot_value_does_not_make_the_depot_unknown(tmp_path: Path):
    gen = _generator()
    root = tmp_path / "ws"
    gen.copy_base(root, boundary=str(SMALL / "boundary.geojson"))
    gen.replace_text(root / "workspace.toml", "lon = 120.883078", 'lon = "120.883078"')
    with pytest.raises(InputError) as info:
        read_workspace(root)
    assert [(p.where, p.field, p.value) for p in info.value.problems] == [
        ("[[depots]] #1 (depot 'office')", "lon", "120.883078")]


# --------------------------------------------------------------------------- input the reader copes with
def test_copes_corpus_has_every_kind():
    assert {c.name for c in COPES_CASES} >= {
        "SemicolonCsv", "TabSeparatedCsv", "Latin1Csv", "Latin1Toml", "BomInToml", "ExcelTitleRows"}


@pytest.mark.parametrize("folder", COPES_CASES, ids=[c.name for c in COPES_CASES])
def test_copes_reads_as_its_clean_twin_with_the_warning(folder: Path, tmp_path: Path):
    twin = tmp_path / "clean"
    _generator().clean_twin(folder.name, twin, boundary=str(SMALL / "boundary.geojson"))
    with warnings.catch_warnings(record=True) as clean_caught:
        warnings.simplefilter("always")
        expected = read_workspace(twin)
    assert not [w for w in clean_caught if issubclass(w.category, InputWarning)]
    before = _snapshot(folder)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ws = read_workspace(folder)
    assert ws == expected
    said = _norm(" ".join(str(w.message) for w in caught if issubclass(w.category, InputWarning)))
    for line in _expected(folder):
        assert _norm(line) in said, f"{line!r} not in the warnings: {said}"
    assert _snapshot(folder) == before


@pytest.mark.parametrize("folder", COPES_CASES, ids=[c.name for c in COPES_CASES])
def test_check_copes_exits_0_with_the_warning(folder: Path, wide_err_console):
    result = CliRunner().invoke(cli.app, ["check", str(folder)])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output
    for line in _expected(folder):
        assert _norm(line) in _norm(result.output)


def test_excel_rows_are_numbered_as_the_sheet_shows_them(tmp_path: Path):
    """Below two title rows the first data row is sheet row 4: a problem there says row 4."""
    root = tmp_path / "ws"
    shutil.copytree(COPES / "ExcelTitleRows", root)
    gen = _generator()
    gen.replace_text(root / "workspace.toml", 'boundary = "../../small/boundary.geojson"',
                     f'boundary = "{(SMALL / "boundary.geojson").as_posix()}"')
    import openpyxl

    wb = openpyxl.load_workbook(root / "villages.xlsx")
    sheet = wb["villages"]
    col = [c.value for c in sheet[3]].index("population") + 1
    assert sheet.cell(4, 1).value == "74.08.01.1001"
    sheet.cell(4, col).value = "banyak"
    wb.save(root / "villages.xlsx")
    with pytest.raises(InputError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        read_workspace(root)
    assert [(p.where, p.field, p.value) for p in info.value.problems] == [
        ("row 4 (code 74.08.01.1001)", "population", "banyak")]


# --------------------------------------------------------------------------- check in a workspace folder
def test_check_without_argument_reads_the_current_folder(monkeypatch, wide_err_console):
    monkeypatch.chdir(INVALID / "TimezoneAbbreviation")
    result = CliRunner().invoke(cli.app, ["check"])
    assert result.exit_code == 2, result.output
    assert "'WITA'" in result.output


def test_check_without_argument_in_a_valid_workspace_folder(monkeypatch, wide_err_console):
    monkeypatch.chdir(SMALL)
    result = CliRunner().invoke(cli.app, ["check"])
    assert result.exit_code == 0, result.output
    assert _norm("Kabupaten Kolaka Utara (test)") in _norm(result.output)
    assert "4 villages" in _norm(result.output)
