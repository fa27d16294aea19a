"""``plan.gpkg`` for GIS users (QGIS): the week's stops and route lines, without personal data.

Layers, all WGS84 (EPSG:4326):

- ``stops`` (points): one feature per visit step: ``team``, ``team_name``, ``date``, ``day``, ``stop_no``,
  ``visit_id``, ``kind``, ``place`` (the shareable label), ``village_code``, ``arrival``/``start``/``end``
  (local ``HH:MM``), ``travel_min``, ``distance_km`` (from the previous stop), ``expected_<service>``
  per workspace service, ``value``, ``why``, ``trip`` (field-trip id; empty on a day trip).
- ``routes`` (lines): one feature per team-day, the legs joined: ``team``, ``team_name``, ``date``, ``day``,
  ``visits``, ``depart``, ``return`` (arrival at the base, or at the lodging of a night away), ``travel_min``,
  ``distance_km``, ``trip``, ``start_at``/``end_at`` (place ids: the office or a lodging), ``start_place``/
  ``end_place`` (their names) and ``away_night`` (the team sleeps away after this day).
- ``legs`` (lines): one feature per drive between consecutive steps: ``team``, ``date``, ``leg_no``,
  ``from_place``, ``to_place``, ``to_stop_no`` (empty when driving back to the office), ``depart``,
  ``arrive``, ``travel_min``, ``distance_km``.

Dates are ISO ``YYYY-MM-DD`` text and times local ``HH:MM`` text, which every GIS reads the same way.
Like ``plan.json``, nothing here comes from resident names, addresses, notes or NIKs.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..model import Workspace
from ..plan import Plan
from ._common import (
    end_step,
    hhmm,
    leg_path,
    legs,
    ordered_routes,
    place_label,
    profile,
    route_path,
    start_step,
    stop_numbers,
    team_index,
    temp_path,
    tzinfo,
)
from ..planning.why import visit_why
from .strings import labels

LAYERS = ("stops", "routes", "legs")


def plan_layers(plan: Plan, ws: Workspace, travel, lang: str = "id") -> dict:
    """The three layers as GeoDataFrames (``stops``, ``routes``, ``legs``)."""
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    t = labels(lang)
    tz = tzinfo(plan)
    teams = team_index(ws)
    stops, routes, leg_rows = [], [], []
    for r in ordered_routes(plan, ws):
        tname = teams[r.team].name if r.team in teams else r.team
        day = t["days"][r.date.weekday()]
        numbers = stop_numbers(r)
        prof = profile(ws, r.team)
        for i, s in enumerate(r.steps):
            if i not in numbers or s.location is None:
                continue
            row = {
                "team": r.team, "team_name": tname, "date": r.date.isoformat(), "day": day,
                "stop_no": numbers[i], "visit_id": s.visit_id, "kind": s.kind, "place": s.place,
                "village_code": s.village_code, "arrival": hhmm(s.arrival, tz), "start": hhmm(s.start, tz),
                "end": hhmm(s.end, tz), "travel_min": round(s.travel_s / 60, 1),
                "distance_km": round(s.distance_m / 1000, 2),
            }
            for sid in ws.service_ids:
                row[f"expected_{sid}"] = int(s.expected.get(sid, 0))
            row.update(value=round(s.value, 3), why=visit_why(s, ws, lang), trip=r.trip or "",
                       geometry=Point(*s.location))
            stops.append(row)
        line = route_path(travel, r, prof)
        if len(line) >= 2:
            start, end = start_step(r), end_step(r)
            routes.append({
                "team": r.team, "team_name": tname, "date": r.date.isoformat(), "day": day,
                "visits": len(numbers), "depart": hhmm(start.start, tz), "return": hhmm(end.arrival, tz),
                "travel_min": round(r.travel_s / 60, 1), "distance_km": round(r.distance_m / 1000, 2),
                "trip": r.trip or "", "start_at": r.start_place, "end_at": r.end_place,
                "start_place": place_label(ws, r.start_place, lang, fallback=start.place),
                "end_place": place_label(ws, r.end_place, lang, fallback=end.place),
                "away_night": bool(r.away_night),
                "geometry": LineString(line),
            })
        for leg in legs(r):
            pts = leg_path(travel, leg, prof)
            if len(pts) < 2:
                pts = [pts[0], pts[0]]
            leg_rows.append({
                "team": r.team, "date": r.date.isoformat(), "leg_no": leg.index,
                "from_place": leg.start.place, "to_place": leg.end.place, "to_stop_no": leg.to_stop,
                "depart": hhmm(leg.start.end, tz), "arrive": hhmm(leg.end.arrival, tz),
                "travel_min": round(leg.end.travel_s / 60, 1), "distance_km": round(leg.end.distance_m / 1000, 2),
                "geometry": LineString(pts),
            })

    def frame(rows):
        if rows:
            return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
        return gpd.GeoDataFrame({"team": [], "date": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))

    out = {"stops": frame(stops), "routes": frame(routes), "legs": frame(leg_rows)}
    if "to_stop_no" in out["legs"]:
        out["legs"]["to_stop_no"] = out["legs"]["to_stop_no"].astype("Int64")  # empty: back at the office
    return out


def write_layers(plan: Plan, ws: Workspace, travel, path: Path | str, lang: str = "id") -> Path:
    """Write the layers into the GeoPackage at ``path`` (not atomic: used on a temporary file)."""
    import pyogrio

    for name, gdf in plan_layers(plan, ws, travel, lang).items():
        pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG",
                                geometry_type="Point" if name == "stops" else "LineString")
    return Path(path)


def remove_sidecars(path: Path) -> None:
    """Remove a GeoPackage and the SQLite journal files that may sit beside it."""
    for leftover in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass


def write_gpkg(plan: Plan, ws: Workspace, travel, path: Path | str, lang: str = "id") -> Path:
    """Write ``plan.gpkg`` (layers ``stops``, ``routes``, ``legs``) atomically; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path.parent, path.name)
    try:
        write_layers(plan, ws, travel, tmp, lang)
        os.replace(tmp, path)
    finally:
        remove_sidecars(tmp)
    return path


__all__ = ["LAYERS", "plan_layers", "remove_sidecars", "write_gpkg", "write_layers"]
