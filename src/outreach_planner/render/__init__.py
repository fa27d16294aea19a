"""Render a weekly plan for people: the planner's map, the officers' route sheets, a GeoPackage.

``render_all(plan, ws, travel, out_dir)`` writes, next to ``plan.json``:

- ``map.html``: interactive, self-contained, offline map (:mod:`.map`); shareable (no resident names
  unless ``include_names``);
- ``route_sheets.pdf`` and ``sheets/<team>_<date>.pdf``: A4 route sheets (:mod:`.sheets`), which name the
  residents for the officers but never show a full NIK;
- ``plan.gpkg``: layers ``stops``, ``routes`` and ``legs`` for GIS (:mod:`.gpkg`), without personal data.

Rendering reads the ``Plan`` and the ``Workspace`` and asks the travel model only for path geometry
(``travel.path``); it never calls an engine. Labels are Indonesian by default (``lang="en"`` for English).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..model import Workspace
from ..plan import Plan
from ._common import safe_name, temp_path
from .strings import LANGS, labels

MAP_HTML = "map.html"
ROUTE_SHEETS_PDF = "route_sheets.pdf"
SHEETS_DIR = "sheets"
PLAN_GPKG = "plan.gpkg"


def render_all(plan: Plan, ws: Workspace, travel, out_dir: Path | str, lang: str = "id",
               include_names: bool = False, tiles: str | None = None) -> dict[str, Path]:
    """Write ``map.html``, ``route_sheets.pdf``, ``sheets/*.pdf`` and ``plan.gpkg`` into ``out_dir``.

    Everything is rendered into hidden temporary files in ``out_dir`` first and moved into place only
    when all are complete, so a failure leaves earlier outputs as they were. Sheets of this week's
    team-days left over from an earlier run (a team-day the new plan no longer has) are removed.

    Parameters
    ----------
    plan, ws
        The weekly plan and the workspace it was made for.
    travel
        Travel model, for route geometry (``travel.path``) and, when it has them, road lines.
    out_dir
        Output folder (created if missing).
    lang
        ``"id"`` (default) or ``"en"``.
    include_names
        Put resident names and addresses in ``map.html`` (internal use). Route sheets always name
        residents for the officers; no output shows a full NIK.
    tiles
        Background tiles for the map (default none: nothing is downloaded).

    Returns
    -------
    dict[str, Path]
        Relative name (``map.html``, ``route_sheets.pdf``, ``plan.gpkg``, ``sheets/<team>_<date>.pdf``)
        -> path written.
    """
    from .gpkg import remove_sidecars, write_layers
    from .map import map_html
    from .sheets import sheets_pdfs

    labels(lang)  # an unknown language fails before anything is written
    out_dir = Path(out_dir)
    sheets_dir = out_dir / SHEETS_DIR
    sheets_dir.mkdir(parents=True, exist_ok=True)

    html = map_html(plan, ws, travel, lang=lang, include_names=include_names, tiles=tiles).encode("utf-8")
    singles, combined = sheets_pdfs(plan, ws, travel, lang)
    files: list[tuple[str, Path, bytes]] = [(MAP_HTML, out_dir / MAP_HTML, html),
                                            (ROUTE_SHEETS_PDF, out_dir / ROUTE_SHEETS_PDF, combined)]
    files += [(f"{SHEETS_DIR}/{name}", sheets_dir / name, data) for name, data in singles.items()]

    temps: list[tuple[str, Path, Path]] = []
    gpkg_tmp = temp_path(out_dir, PLAN_GPKG)
    try:
        write_layers(plan, ws, travel, gpkg_tmp, lang)
        for name, target, data in files:
            tmp = temp_path(target.parent, target.name)
            temps.append((name, tmp, target))
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        done: dict[str, Path] = {}
        for name, tmp, target in temps:
            os.replace(tmp, target)
            done[name] = target
        os.replace(gpkg_tmp, out_dir / PLAN_GPKG)
        done[PLAN_GPKG] = out_dir / PLAN_GPKG
    finally:
        for _, tmp, _ in temps:
            try:
                tmp.unlink()
            except FileNotFoundError:
                pass
        remove_sidecars(gpkg_tmp)
    _remove_stale_sheets(plan, ws, sheets_dir, set(singles))
    return done


def _remove_stale_sheets(plan: Plan, ws: Workspace, sheets_dir: Path, keep: set[str]) -> None:
    """Delete ``<team>_<date>.pdf`` of this week's dates and the workspace's teams that ``keep`` lacks."""
    from ..week import Week

    try:
        dates = {d.isoformat() for d in Week.parse(plan.week, plan.timezone).dates}
    except ValueError:
        return
    teams = {safe_name(t.id) for t in ws.teams}
    pattern = re.compile(r"^(.+)_(\d{4}-\d{2}-\d{2})\.pdf$")
    for f in sheets_dir.glob("*.pdf"):
        m = pattern.match(f.name)
        if m and f.name not in keep and m.group(1) in teams and m.group(2) in dates:
            f.unlink(missing_ok=True)


__all__ = ["LANGS", "MAP_HTML", "PLAN_GPKG", "ROUTE_SHEETS_PDF", "SHEETS_DIR", "render_all"]
