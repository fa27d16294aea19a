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

import re
from pathlib import Path

from ..model import Workspace
from ..plan import Plan
from ._common import safe_name
from .strings import LANGS, labels

MAP_HTML = "map.html"
ROUTE_SHEETS_PDF = "route_sheets.pdf"
SHEETS_DIR = "sheets"
PLAN_GPKG = "plan.gpkg"


def render_all(plan: Plan, ws: Workspace, travel, out_dir: Path | str, lang: str = "id",
               include_names: bool = False, tiles: str | None = None) -> dict[str, Path]:
    """Write ``map.html``, ``route_sheets.pdf``, ``sheets/*.pdf`` and ``plan.gpkg`` into ``out_dir``.

    The files are written as one set (:func:`outreach_planner.io.output_set.output_set`): into the
    staging folder of the set ``out_dir`` belongs to, or into a set of their own that replaces them in
    ``out_dir`` at once, so a failure or a kill leaves earlier outputs as they were. Sheets of this week's
    team-days left over from an earlier run (a team-day the new plan no longer has) are removed; other
    files in ``out_dir`` and ``sheets/`` (other weeks' sheets, notes) are kept.

    Parameters
    ----------
    plan, ws
        The weekly plan and the workspace it was made for.
    travel
        Travel model, for route geometry (``travel.path``) and, when it has them, road lines.
    out_dir
        Output folder (created if missing), or the staging folder of an open output set.
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
    from ..io.output_set import output_set
    from .gpkg import write_layers
    from .map import map_html
    from .sheets import sheets_pdfs

    labels(lang)  # an unknown language fails before anything is written
    html = map_html(plan, ws, travel, lang=lang, include_names=include_names, tiles=tiles).encode("utf-8")
    singles, combined = sheets_pdfs(plan, ws, travel, lang)
    files: list[tuple[str, bytes]] = [(MAP_HTML, html), (ROUTE_SHEETS_PDF, combined)]
    files += [(f"{SHEETS_DIR}/{name}", data) for name, data in singles.items()]
    with output_set(out_dir, claim=(MAP_HTML, ROUTE_SHEETS_PDF, PLAN_GPKG, week_sheets(plan, ws))) as s:
        (s.path / SHEETS_DIR).mkdir(exist_ok=True)
        for name, data in files:
            (s.path / name).write_bytes(data)
        write_layers(plan, ws, travel, s.path / PLAN_GPKG, lang)
        for leftover in s.path.glob(f"{PLAN_GPKG}-*"):  # an SQLite journal of the GeoPackage, if any
            leftover.unlink()
    done = {name: s.dest / name for name, _ in files}
    done[PLAN_GPKG] = s.dest / PLAN_GPKG
    return done


def week_sheets(plan: Plan, ws: Workspace):
    """A claim for :func:`~outreach_planner.io.output_set.output_set`: ``sheets/<team>_<date>.pdf`` of the plan's
    week and the workspace's teams (sheets of other weeks, and other files in ``sheets/``, are kept)."""
    from ..week import Week

    try:
        dates = {d.isoformat() for d in Week.parse(plan.week, plan.timezone).dates}
    except ValueError:
        dates = set()
    teams = {safe_name(t.id) for t in ws.teams}
    pattern = re.compile(rf"^{SHEETS_DIR}/(.+)_(\d{{4}}-\d{{2}}-\d{{2}})\.pdf$")

    def owns(rel: str) -> bool:
        m = pattern.match(rel)
        return bool(m and m.group(1) in teams and m.group(2) in dates)

    return owns


__all__ = ["LANGS", "MAP_HTML", "PLAN_GPKG", "ROUTE_SHEETS_PDF", "SHEETS_DIR", "render_all", "week_sheets"]
