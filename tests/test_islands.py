"""Islands: with ``[travel] islands = true`` straight lines do not cross the sea; crossings join land masses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from outreach_planner.errors import InputError
from outreach_planner.io import read_workspace
from outreach_planner.model import Crossing
from outreach_planner.travel import GreatCircle, travel_model
from outreach_planner.travel.islands import IslandTravel

pytestmark = pytest.mark.usefixtures("english")  # asserts on English messages (Indonesian: test_catalogue)

DATA = Path(__file__).parent / "data"
MAIN = "POLYGON ((120.86 -3.55, 120.94 -3.55, 120.94 -3.48, 120.86 -3.48, 120.86 -3.55))"
ISLE = "POLYGON ((120.91 -3.37, 120.935 -3.37, 120.935 -3.34, 120.91 -3.34, 120.91 -3.37))"
LASUSUA, MALA = (120.883078, -3.504508), (120.922456, -3.35602)


def _workspace(tmp_path: Path, crossings: str | None) -> Path:
    """tests/data/small with village polygons: Mala-Mala on an island of its own, the rest on the 'mainland'."""
    ws = tmp_path / "ws"
    shutil.copytree(DATA / "small", ws)
    lines = (ws / "villages.csv").read_text(encoding="utf-8").splitlines()
    out = [lines[0] + ",wkt"]
    for line in lines[1:]:
        out.append(line + f',"{ISLE if line.startswith("74.08.05.1002") else MAIN}"')
    (ws / "villages.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    toml = (ws / "workspace.toml").read_text(encoding="utf-8")
    toml = toml.replace("[layers]\n", "[travel]\nislands = true\n\n[layers]\n")
    if crossings is not None:
        toml += 'crossings = "crossings.csv"\n'
        (ws / "crossings.csv").write_text(
            "id,name,from_name,from_lon,from_lat,to_name,to_lon,to_lat,duration_minutes,vehicles,departures,approximate\n"
            + crossings, encoding="utf-8")
    (ws / "workspace.toml").write_text(toml, encoding="utf-8")
    return ws


def _row(vehicles="car;motorbike", departures="", minutes=90):
    return (f"x1,Kapal Lasusua - Mala-Mala,Dermaga Lasusua,{LASUSUA[0]},{LASUSUA[1]},Dermaga Mala-Mala,"
            f"{MALA[0]},{MALA[1]},{minutes},{vehicles},{departures},true\n")


def test_two_villages_on_different_islands_without_a_crossing_are_unreachable_with_both_names(tmp_path):
    ws_dir = _workspace(tmp_path, None)
    ws = read_workspace(ws_dir)
    travel = travel_model(ws, ws_dir)
    assert isinstance(travel, IslandTravel) and len(travel.masses) == 2
    with pytest.raises(InputError) as exc:
        travel.matrices([LASUSUA, MALA], "car")
    text = " ".join(str(exc.value).split())
    assert "Lasusua" in text and "Mala-Mala" in text
    assert "different land masses" in text and "add a crossing" in text


def test_a_crossing_puts_its_time_into_the_travel_time(tmp_path):
    ws_dir = _workspace(tmp_path, _row())
    ws = read_workspace(ws_dir)
    assert [c.id for c in ws.crossings] == ["x1"] and ws.crossings[0].approximate
    travel = travel_model(ws, ws_dir)
    pitulua = next((v.lon, v.lat) for v in ws.villages if v.name == "Pitulua")
    dur, dist = travel.matrices([pitulua, MALA], "car")
    gc = GreatCircle(circuity=ws.travel.circuity, speed_kmh=dict(ws.travel.speed_kmh))
    drive, drive_m = gc.matrices([pitulua, LASUSUA], "car")
    # Pitulua -> the port at Lasusua by road, 90 minutes across, the port is Mala-Mala's own point
    assert dur[0, 1] == drive[0, 1] + 90 * 60
    assert dur[1, 0] == drive[1, 0] + 90 * 60
    straight, _ = gc.matrices([pitulua, MALA], "car")
    assert dur[0, 1] > straight[0, 1] and dist[0, 1] > drive_m[0, 1]
    assert travel.path(pitulua, MALA, "car") == [pitulua, LASUSUA, MALA, MALA]
    # on one land mass nothing changes
    lasusua_pitulua, _ = travel.matrices([LASUSUA, pitulua], "car")
    assert lasusua_pitulua[0, 1] == gc.matrices([LASUSUA, pitulua], "car")[0][0, 1]


def test_a_crossing_that_does_not_carry_the_vehicle_is_not_used_and_departures_add_the_expected_wait(tmp_path):
    ws_dir = _workspace(tmp_path, _row(vehicles="motorbike", departures="08:00;14:00"))
    ws = read_workspace(ws_dir)
    travel = travel_model(ws, ws_dir)
    with pytest.raises(InputError, match="for a car"):
        travel.matrices([LASUSUA, MALA], "car")
    dur, _ = travel.matrices([LASUSUA, MALA], "motorbike")
    # departures 08:00 and 14:00: intervals 6 h and 18 h, expected wait half their mean (6 h)
    assert ws.crossings[0].wait_s == 6 * 3600
    assert dur[0, 1] == 90 * 60 + 6 * 3600


def test_a_bad_crossings_row_is_reported_with_file_row_and_field(tmp_path):
    ws_dir = _workspace(tmp_path, _row(minutes="soon", departures="8 uhr"))
    with pytest.raises(InputError) as exc:
        read_workspace(ws_dir)
    text = " ".join(str(exc.value).split())
    assert "crossings.csv" in text and "duration_minutes" in text and "departures" in text


def test_the_shipped_province_has_no_stop_that_no_crossing_reaches():
    root = Path(__file__).resolve().parents[1] / "data" / "sulawesi_tenggara"
    for code, folder in [("74.07", "74.07_wakatobi"), ("74.13", "74.13_muna_barat")]:
        ws = read_workspace(root / folder)
        travel = travel_model(ws, root / folder)
        pts = [(d.lon, d.lat) for d in ws.depots] + [(v.lon, v.lat) for v in ws.villages]
        assert len(set(travel.mass_of(pts))) > 1 and ws.crossings  # islands, joined by crossings
        dur, _ = travel.matrices(pts, "car")
        assert (dur[0] < 24 * 3600).all(), code


def test_convert_keeps_the_crossings_and_the_islands_setting(tmp_path):
    from outreach_planner.io import write_workspace

    ws_dir = _workspace(tmp_path, _row(vehicles="motorbike", departures="08:00;14:00"))
    ws = read_workspace(ws_dir)
    for fmt in ("xlsx", "gpkg"):
        back = read_workspace(write_workspace(ws, tmp_path / f"conv_{fmt}", fmt, source=ws_dir))
        assert back.crossings == ws.crossings and back.travel.islands
