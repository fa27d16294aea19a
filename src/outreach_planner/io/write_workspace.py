"""Write a ``Workspace`` back to disk in any supported layer format.

Used to convert a workspace between formats (``outreach-planner convert``) and by
the tests that check every format reads back to the same ``Workspace``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

from ..errors import InputError, Problem
from ..i18n import _
from ..model.workspace import _noun
from ..model import Workspace
from ..units import minutes_to_hhmm

LayerFormat = Literal["csv", "geojson", "gpkg", "xlsx"]
_LAYERS = ("villages", "schools", "home_visit_requests", "deliveries")


def _hours(ranges: dict | None) -> dict[str, str] | None:
    return None if ranges is None else {d: str(r) for d, r in ranges.items()}


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (dt.date,)):
        return f'"{v.isoformat()}"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    text = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _table(name: str, data: dict[str, Any], array: bool = False) -> str:
    head = f"[[{name}]]" if array else f"[{name}]"
    lines = [head] + [f"{k} = {_toml_value(v)}" for k, v in data.items() if v is not None]
    return "\n".join(lines) + "\n"


def _config_toml(ws: Workspace, layer_specs: dict[str, Any]) -> str:
    cal = ws.calendar
    parts = [
        _table("regency", ws.regency.model_dump()),
        *(_table("depots", d.model_dump(), array=True) for d in ws.depots),
        _table("calendar", {
            "working_days": list(cal.working_days),
            "holidays": list(cal.holidays),
            "school_holidays": list(cal.school_holidays),
            "hours": _hours(cal.hours),
            "school_hours": _hours(cal.school_hours),
        }),
        *(_table("calendar.breaks", {"name": b.name, "days": list(b.days), "start": minutes_to_hhmm(b.start),
                                     "end": minutes_to_hhmm(b.end)}, array=True) for b in cal.breaks),
        *(_table("services", s.model_dump(), array=True) for s in ws.services),
        *(_table("teams", {**t.model_dump(exclude={"shift"}), "shift": _hours(t.shift)}, array=True) for t in ws.teams),
        _table("policy", ws.policy.model_dump()),
        _table("travel", ws.travel.model_dump()),
        _table("layers", layer_specs),
    ]
    return "\n".join(parts)


def layer_records(ws: Workspace) -> dict[str, list[dict[str, Any]]]:
    """The workspace's layers as plain records (the columns of ``docs/workspace.md``)."""
    villages = []
    for v in ws.villages:
        row = {"code": v.code, "name": v.name, "district_code": v.district_code, "district_name": v.district_name,
               "population": v.population, "postal_code": v.postal_code, "lon": v.lon, "lat": v.lat,
               "wkt": v.boundary_wkt}
        row.update({k: getattr(v, k) for k in ("contact_name", "contact_role", "contact_phone", "session_place")
                    if getattr(v, k) is not None})
        for s in ws.services:
            row[f"{s.id}_eligible"] = v.eligible[s.id]
            row[f"{s.id}_covered"] = v.covered[s.id]
        villages.append(row)
    schools = [{"id": s.id, "name": s.name, "level": s.level, "village_code": s.village_code, "lon": s.lon,
                "lat": s.lat, "notes": s.notes, **{f"{k}_needed": n for k, n in s.needed.items()}}
               for s in ws.schools]
    requests = [{"id": r.id, "name": r.name, "nik": r.nik, "reason": r.reason, "services": ";".join(r.services),
                 "village_code": r.village_code, "lon": r.lon, "lat": r.lat, "address": r.address,
                 "windows": "; ".join(str(w) for w in r.windows), "requested_on": r.requested_on.isoformat(),
                 "notes": r.notes} for r in ws.requests]
    deliveries = [{"id": d.id, "document": d.document, "recipient": d.recipient, "village_code": d.village_code,
                   "lon": d.lon, "lat": d.lat, "address": d.address, "ready_on": d.ready_on.isoformat(),
                   "due_on": d.due_on.isoformat() if d.due_on else None} for d in ws.deliveries]
    out = {"villages": villages, "schools": schools, "home_visit_requests": requests, "deliveries": deliveries}
    if ws.lodgings:  # optional layer: written only when there are lodgings
        out["lodgings"] = [{"id": x.id, "name": x.name, "kind": x.kind, "capacity": x.capacity,
                            "cost_per_night": x.cost_per_night, "approximate": x.approximate,
                            "village_code": x.village_code, "lon": x.lon, "lat": x.lat} for x in ws.lodgings]
    return out


def _frame(records: list[dict[str, Any]], spatial: bool, polygon_col: str | None):
    import geopandas as gpd
    import pandas as pd
    import shapely

    df = pd.DataFrame.from_records(records)
    if not spatial:
        return df
    if polygon_col and polygon_col in df and df[polygon_col].notna().all() and len(df):
        geom = shapely.from_wkt(df[polygon_col].to_numpy())
        df = df.drop(columns=[polygon_col])
    else:
        # points; a polygon column that is only partly filled stays a plain text column
        geom = shapely.points(df["lon"].to_numpy(), df["lat"].to_numpy()) if len(df) else []
        if polygon_col and polygon_col in df and df[polygon_col].isna().all():
            df = df.drop(columns=[polygon_col])
    return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")


def write_workspace(ws: Workspace, folder: str | Path, fmt: LayerFormat = "csv",
                    source: str | Path | None = None) -> Path:
    """Write ``ws`` as a workspace folder whose layers are all in ``fmt``.

    The folder is assembled in a temporary sibling and moved into place only when
    complete, so an interrupted write leaves no half-written workspace.

    Parameters
    ----------
    ws
        The workspace.
    folder
        Destination folder; must not exist yet.
    fmt
        ``csv``, ``geojson``, ``gpkg`` (one GeoPackage, a layer each) or ``xlsx`` (one workbook, a sheet each).
    source
        The folder ``ws`` was read from. Its ``[travel] network`` file (a road layer is not part of
        ``Workspace``) is copied as it is; needed when the workspace uses a road network at a relative path.
    """
    import pandas as pd

    folder = Path(folder)
    if folder.exists():
        raise FileExistsError(_("ww.exists", id="{f} sudah ada; pilih folder baru", en="{f} exists; choose a new folder",
                                f=folder))
    network = Path(ws.travel.network) if ws.travel.network else None
    if network is not None and network.is_absolute():
        network = None  # stays where it is
    copy_network = network is not None and source is not None and (Path(source) / network).is_file()
    if network is not None and not copy_network and ws.travel.model == "road_network":
        raise ValueError(_("ww.network_source", id="jaringan jalan {n} milik wilayah kerja ada di foldernya: berikan "
                           "source=<folder itu> agar ikut disalin", en="the workspace's road network {n} lives in its "
                           "folder: pass source=<that folder> so that it is copied", n=repr(ws.travel.network))
                         if source is None else
                         _("ww.network_missing", id="jaringan jalan {n} tidak ada di {s}",
                           en="the road network {n} is not in {s}", n=repr(ws.travel.network), s=source))
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        records = layer_records(ws)
        specs: dict[str, Any] = {}
        if fmt == "xlsx":
            _check_excel_cells(records)
            with pd.ExcelWriter(tmp / "workspace.xlsx", engine="openpyxl") as xw:
                for name in records:
                    pd.DataFrame.from_records(records[name], columns=_columns(records[name], name)).to_excel(
                        xw, sheet_name=name, index=False)
            specs = {name: {"path": "workspace.xlsx", "sheet": name} for name in records}
        for name in records:
            if fmt == "xlsx":
                continue
            poly = "wkt" if name == "villages" else None
            if fmt == "csv":
                pd.DataFrame.from_records(records[name], columns=_columns(records[name], name)).to_csv(
                    tmp / f"{name}.csv", index=False)
                specs[name] = f"{name}.csv"
            elif fmt == "geojson":
                _frame(records[name], True, poly).to_file(tmp / f"{name}.geojson", driver="GeoJSON")
                specs[name] = f"{name}.geojson"
            elif fmt == "gpkg":
                # keep Polygon and MultiPolygon as they are (the default promotes a mixed layer to multi)
                _frame(records[name], True, poly).to_file(tmp / "workspace.gpkg", layer=name, driver="GPKG",
                                                          promote_to_multi=False)
                specs[name] = {"path": "workspace.gpkg", "layer": name}
            else:
                raise ValueError(_("ww.format", id="format {f} tidak dikenal; pakai csv, geojson, gpkg atau xlsx",
                                   en="unknown format {f}; use csv, geojson, gpkg or xlsx", f=repr(fmt)))
        if ws.boundary_wkt:
            import geopandas as gpd
            import shapely

            gpd.GeoDataFrame(geometry=[shapely.from_wkt(ws.boundary_wkt)], crs="EPSG:4326").to_file(
                tmp / "boundary.geojson", driver="GeoJSON")
            specs["boundary"] = "boundary.geojson"
        if ws.crossings:  # the crossings layer is CSV in every format
            from .crossings import write_crossings

            write_crossings(ws.crossings, tmp / "crossings.csv")
            specs["crossings"] = "crossings.csv"
        if copy_network:
            target = tmp / network
            if target.exists():
                raise ValueError(_("ww.network_name", id="berkas jaringan jalan {n} bernama sama dengan berkas "
                                   "lapisan; ganti namanya", en="the road network file {n} has the name of a layer "
                                   "file; rename it", n=repr(ws.travel.network)))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(source) / network, target)  # type: ignore[arg-type]
        (tmp / "workspace.toml").write_text(_config_toml(ws, specs), encoding="utf-8")
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


#: Excel refuses (or silently truncates) longer text in a cell.
EXCEL_CELL_MAX_CHARS = 32_767


def _check_excel_cells(records: dict[str, list[dict[str, Any]]]) -> None:
    """Raise InputError when a text value does not fit in one Excel cell (e.g. a detailed polygon)."""
    problems = [
        Problem(name, f"{_noun('village') if name == 'villages' else 'id'} {row.get('code', row.get('id'))}", col,
                None, _("ww.excel_cell", id="{n} karakter tidak muat dalam satu sel Excel (paling banyak {max}); tulis "
                        "wilayah kerja sebagai gpkg atau geojson, atau sederhanakan poligonnya", en="{n} characters do "
                        "not fit in an Excel cell (at most {max}); write the workspace as gpkg or geojson, or simplify "
                        "the polygon", n=f"{len(v):,}", max=f"{EXCEL_CELL_MAX_CHARS:,}"))
        for name, rows in records.items()
        for row in rows
        for col, v in row.items()
        if isinstance(v, str) and len(v) > EXCEL_CELL_MAX_CHARS
    ]
    if problems:
        raise InputError(problems)


def _columns(records: list[dict[str, Any]], name: str) -> list[str] | None:
    if records:
        return list(records[0])
    from .read import _BASE_SCHEMAS

    return list(_BASE_SCHEMAS[name])
