"""The embedded default workspace (Kolaka Utara): ``check`` runs and the regency figures match the 2021 report."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from outreach_planner import __version__
from outreach_planner.cli import DEFAULT_WORKSPACE, app
from outreach_planner.planning.coverage import lowest_villages, regency_coverage
from outreach_planner.io import read_workspace

#: These tests assert on the English texts of the messages (Indonesian is the default: test_indonesian_path.py).
pytestmark = pytest.mark.usefixtures("english")

runner = CliRunner()

#: Regency coverage reported for 2021 (percent); the SYNTHETIC village counts are calibrated to it.
REPORTED_2021 = {"ektp": 95.17, "kia": 39.44, "akta": 99.11}


@pytest.fixture(scope="module")
def ws():
    return read_workspace(DEFAULT_WORKSPACE)


def _flat(text: str) -> str:
    """Output with line breaks and table padding collapsed (rich wraps at the terminal width)."""
    return " ".join(text.split())


def test_check_default_workspace_exits_0_and_summarises():
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    out = _flat(result.output)
    assert "Kabupaten Kolaka Utara" in out
    assert "15 districts" in out
    assert "133 villages" in out
    assert "Workspace is valid." in out
    assert "all 304 stop places reach each other by car, motorbike" in out


def test_check_names_the_stops_the_road_network_does_not_reach(tmp_path, ws):
    import shutil

    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import LineString

    folder = tmp_path / "ws"
    shutil.copytree(DEFAULT_WORKSPACE, folder, ignore=shutil.ignore_patterns(".cache"))
    school = ws.schools[3]
    roads = gpd.read_file(folder / "roads.gpkg")
    island = roads.iloc[[0]].copy()  # a 110 m road through the school, joined to nothing
    island["geometry"] = [LineString([(school.lon - 0.0005, school.lat), (school.lon + 0.0005, school.lat)])]
    pd.concat([roads, island], ignore_index=True).to_file(folder / "roads.gpkg", driver="GPKG")
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 2, result.output
    out = _flat(result.output)
    assert f"school {school.id} ({school.name})" in out
    assert "is on road component #2 (0.1 km of road" in out and "not connected to the main road network" in out
    assert "Workspace is valid." not in out
    assert not (folder / ".cache").exists()  # check writes nothing


def test_check_accepts_the_workspace_folder_explicitly():
    result = runner.invoke(app, ["check", str(DEFAULT_WORKSPACE)])
    assert result.exit_code == 0, result.output
    assert "133 villages" in _flat(result.output)


def test_default_workspace_shape(ws):
    assert len(ws.villages) == 133
    assert len({v.district_code for v in ws.villages}) == 15
    assert ws.service_ids == ("ektp", "kia", "akta")


@pytest.mark.parametrize("service", sorted(REPORTED_2021))
def test_regency_coverage_matches_2021_report(ws, service):
    rows = {r.service: r for r in regency_coverage(ws)}
    assert rows[service].coverage * 100 == pytest.approx(REPORTED_2021[service], abs=0.01)


@pytest.mark.parametrize("service", sorted(REPORTED_2021))
def test_lowest_villages_are_ten_sorted_by_coverage(ws, service):
    low = lowest_villages(ws, service)
    assert len(low) == 10
    cov = [v.coverage(service) for v in low]
    assert cov == sorted(cov)
    # nobody outside the ten has a lower coverage than the highest of the ten
    rest = [v.coverage(service) for v in ws.villages if v not in low and v.eligible[service] > 0]
    assert min(rest) >= cov[-1]


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"outreach-planner {__version__}"
