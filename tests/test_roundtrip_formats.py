"""Every layer format reads back to the same ``Workspace``; ``convert`` and ``write_workspace`` write safely."""

from __future__ import annotations

import importlib
import re
import shutil
import warnings
from pathlib import Path

import pytest
import shapely
from typer.testing import CliRunner

from outreach_planner.cli import DEFAULT_WORKSPACE, app
from outreach_planner.errors import InputError
from outreach_planner.io import read_workspace, write_workspace
from outreach_planner.model import Window

# the module (``outreach_planner.io.write_workspace`` as an attribute is the function)
write_mod = importlib.import_module("outreach_planner.io.write_workspace")

FORMATS = ("csv", "geojson", "gpkg", "xlsx")
SMALL = Path(__file__).parent / "data" / "small"
runner = CliRunner()


@pytest.fixture(scope="module")
def default_ws():
    return read_workspace(DEFAULT_WORKSPACE)


@pytest.fixture(scope="module")
def small_ws():
    """The small test workspace, with what the default lacks: a NIK, a dated window, a partial polygon column."""
    ws = read_workspace(SMALL)
    v0 = ws.villages[0]
    square = shapely.box(v0.lon - 0.01, v0.lat - 0.01, v0.lon + 0.01, v0.lat + 0.01)
    r0 = ws.requests[0]
    assert r0.nik  # the small workspace has one
    return ws.model_copy(update={
        "villages": (v0.model_copy(update={"boundary_wkt": shapely.to_wkt(square, rounding_precision=6, trim=True)}),
                     *ws.villages[1:]),
        "requests": (r0.model_copy(update={"windows": (*r0.windows, Window.model_validate("2026-12-01 09:00-11:00"))}),
                     *ws.requests[1:]),
    })


@pytest.fixture(scope="module")
def default_read_back(default_ws, tmp_path_factory):
    """The default workspace written in each format and read back: fmt -> Workspace."""
    root = tmp_path_factory.mktemp("roundtrip")
    return {fmt: read_workspace(write_workspace(default_ws, root / fmt, fmt, source=DEFAULT_WORKSPACE))
            for fmt in FORMATS}


def test_default_polygons_fit_in_excel_cells(default_ws):
    longest = max(len(v.boundary_wkt or "") for v in default_ws.villages)
    assert 0 < longest <= write_mod.EXCEL_CELL_MAX_CHARS


@pytest.mark.parametrize("fmt", FORMATS)
def test_default_workspace_reads_back_equal(default_ws, default_read_back, fmt):
    assert default_read_back[fmt] == default_ws


def test_all_formats_read_back_equal_to_each_other(default_read_back):
    first, *others = default_read_back.values()
    assert all(ws == first for ws in others)


@pytest.mark.parametrize("fmt", FORMATS)
def test_small_workspace_with_nik_dated_window_and_partial_polygons_reads_back_equal(small_ws, tmp_path, fmt):
    assert read_workspace(write_workspace(small_ws, tmp_path / fmt, fmt)) == small_ws


@pytest.mark.parametrize("fmt", FORMATS)
def test_layers_are_in_the_format_asked_for(default_ws, tmp_path, fmt):
    folder = write_workspace(default_ws, tmp_path / "ws", fmt, source=DEFAULT_WORKSPACE)
    # the road network is copied as it is (roads.gpkg)
    suffixes = {p.suffix for p in folder.iterdir() if p.name != default_ws.travel.network} - {".toml"}
    # the regency outline is always a GeoJSON file
    assert suffixes == ({".geojson"} if fmt == "geojson" else {f".{fmt}", ".geojson"})


def test_convert_through_the_cli(default_ws, tmp_path):
    out = tmp_path / "kolut_gpkg"
    result = runner.invoke(app, ["convert", "--to", "gpkg", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "workspace.gpkg").is_file()
    assert read_workspace(out) == default_ws


def test_convert_refuses_an_existing_folder(tmp_path):
    out = tmp_path / "exists"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["convert", "--to", "csv", "--out", str(out)])
    assert result.exit_code == 2
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_convert_invalid_workspace_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(SMALL, bad)
    villages = bad / "villages.csv"
    lines = villages.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[4] = "many"  # population
    lines[1] = ",".join(cells)
    villages.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["convert", str(bad), "--to", "xlsx", "--out", str(out)])
    assert result.exit_code == 2
    assert "population" in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad"]


def test_write_workspace_refuses_an_existing_folder(small_ws, tmp_path):
    (tmp_path / "ws").mkdir()
    with pytest.raises(FileExistsError):
        write_workspace(small_ws, tmp_path / "ws", "csv")
    assert list((tmp_path / "ws").iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["ws"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_failure_midway_leaves_nothing(small_ws, tmp_path, monkeypatch, fmt):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    # the layers are already written when workspace.toml is composed
    monkeypatch.setattr(write_mod, "_config_toml", boom)
    parent = tmp_path / "parent"
    parent.mkdir()
    with pytest.raises(RuntimeError, match="disk full"):
        write_workspace(small_ws, parent / "ws", fmt)
    assert list(parent.iterdir()) == []  # neither the folder nor its temporary sibling


@pytest.mark.usefixtures("english")
def test_polygon_too_long_for_excel_is_refused(small_ws, tmp_path):
    v0 = small_ws.villages[0]
    ring = shapely.Point(v0.lon, v0.lat).buffer(0.01, quad_segs=1000)  # ~4,000 vertices
    wkt = shapely.to_wkt(ring, rounding_precision=6, trim=True)
    assert len(wkt) > write_mod.EXCEL_CELL_MAX_CHARS
    ws = small_ws.model_copy(update={"villages": (v0.model_copy(update={"boundary_wkt": wkt}), *small_ws.villages[1:])})
    with pytest.raises(InputError, match="Excel cell") as err:
        write_workspace(ws, tmp_path / "ws", "xlsx")
    assert err.value.problems[0].field == "wkt"
    assert list(tmp_path.iterdir()) == []
    # the same polygon is fine in a GeoPackage
    assert read_workspace(write_workspace(ws, tmp_path / "gpkg", "gpkg")) == ws


DOCS = Path(__file__).resolve().parents[1] / "docs" / "workspace.md"


def _documented_example(folder: Path) -> Path:
    """Write the files of the example in docs/workspace.md (fenced blocks whose info string names a file)."""
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"^```(?:toml|csv) (\S+)\n(.*?)^```$", text, flags=re.M | re.S)
    folder.mkdir()
    for name, body in blocks:
        (folder / name).write_text(body, encoding="utf-8")
    assert {name for name, _ in blocks} == {"workspace.toml", "villages.csv", "schools.csv",
                                            "home_visit_requests.csv", "deliveries.csv"}
    return folder


def test_documented_example_is_valid_and_round_trips(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the example is clean: no warning either
        ws = read_workspace(_documented_example(tmp_path / "example"))
    assert [v.code for v in ws.villages] == ["74.08.01.2002", "74.08.01.2003"]
    assert ws.service_ids == ("ektp", "akta")
    assert len(ws.schools) == 1 and len(ws.requests) == 2 and len(ws.deliveries) == 1
    assert [str(w) for w in ws.requests[0].windows] == ["mon 09:00-12:00", "wed 13:00-15:00"]
    for fmt in FORMATS:
        assert read_workspace(write_workspace(ws, tmp_path / fmt, fmt)) == ws


def test_documented_example_passes_check(tmp_path, english):
    result = runner.invoke(app, ["check", str(_documented_example(tmp_path / "example"))])
    assert result.exit_code == 0, result.output
    assert "2 villages" in " ".join(result.output.split())
