"""Printed route sheets for field officers: one A4 sheet per team per day, as PDF.

``sheets/<team>_<date>.pdf`` for each team-day and one ``route_sheets.pdf`` with them all. A sheet
has a header (team, members, vehicle, date, planned departure and return, what the team brings and
what residents must bring per service), a static map drawn offline with matplotlib (village
boundaries and, when the travel model exposes them, roads as background; the day's route from
``travel.path``; numbered stops matching the table; the office; a north arrow and a scale bar), the
stop table (number, times, place, activity, services and people expected, notes, a tick box and
blank tally boxes per service), and signature lines for the team leader and the head of office.
Every page carries the plan id, the week and "page x/y" of its sheet; a long day continues on a
second page with the table header repeated.

Times (:func:`sheet_rows`). A stop's time cell gives, on separate lines, **Tiba** (arrival), **Tunggu**
(waiting, when the team arrives before it can start and the wait is not a break) and **Mulai–Selesai**
(start–end of the work): the officer sees when to be there and when to begin. Breaks are placed by
time, so that no break row's time range overlaps a stop's printed times:

- a break the team takes *at a stop* (it arrives before the break ends and works there after it,
  e.g. arrives 12:00, lunch 12:00–13:00, session 13:00–13:40) is printed inside that stop's time
  cell, in time order between *Tiba* and *Mulai–Selesai* (or after it, for a break in the middle
  of the work): there is no separate break row, because the break happens there;
- any other break (taken on the road or at the office) is a row of its own between the stops
  before and after it, in time order; such a break never overlaps a stop's arrival-to-end time.

Field trips. A day that starts at a lodging (the morning after a night away) begins with
"Berangkat dari <lodging>" (the lodging named by its kind: kantor camat, balai desa, penginapan, unless
its name says so); a day that ends at one ends with "Bermalam di <lodging> (tiba HH:MM)" instead of
the return to the office; the header names the trip ("Perjalanan dinas 2 malam: Selasa–Kamis,
bermalam di ... · hari 2 dari 3") and gives the departure from and the arrival at the lodging; the
sheet's map marks the lodging with a triangle.

Contacts and requirements. A village session row names where the session is held
(``session_place``, e.g. "Balai Desa") and the village's contact (``contact_role``, ``contact_name``,
``contact_phone``): optional village columns; absent, nothing is printed. These are officials' work
contacts, not residents' data, so they are also in the map's stop popups. The header lists, for
the services expected that day, what residents must bring (``bring`` of ``[[services]]``). A
delivery made after its ``due_on`` date is marked **TERLAMBAT** (overdue) with the days past due;
a delivery without ``due_on`` is never overdue.

The sheet is for the officer who makes the visits: it names the resident and the address of a home
visit and the recipient of a delivery, but shows a NIK masked (last 4 digits at most).
Black-and-white printing stays legible: the map uses black, white and greys only.

Layout happens once: all sheets are laid out in one document (``route_sheets.pdf``), and each
sheet's own file is cut from it by page range (pypdf), so the two are the same pages.

Library: ReportLab (platypus) lays out the pages: tables that wrap text, split across pages and
repeat their header, page templates for footers, real (searchable) text. matplotlib draws the map
(as a grayscale image at ``MAP_DPI``) and lends its DejaVu Sans fonts, so any name prints, not only
Latin-1.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..i18n import fmt_int
from ..model import Workspace, mask_nik
from ..plan import Plan, Route, Step
from ._common import (
    end_step,
    hhmm,
    leg_path,
    legs,
    lodging_index,
    ordered_routes,
    place_label,
    plan_id,
    profile,
    safe_name,
    start_step,
    stop_numbers,
    team_index,
    trip_routes,
    trip_summary,
    tz_abbrev,
    tzinfo,
    visit_target,
)
from .strings import format_date, labels, short_service, vehicle_name, week_words

MM = 72 / 25.4  # points per millimetre
PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points
MARGIN = 12 * MM
FOOTER_H = 10 * MM
CONTENT_W = PAGE_W - 2 * MARGIN
BODY_BOTTOM = FOOTER_H + 3 * MM  # the body frame sits above the footer line
BODY_H = PAGE_H - MARGIN - BODY_BOTTOM
MAP_DPI = 150
#: The route map shrinks down to this height (mm) to keep a sheet on one page; a sheet that needs two pages
#: anyway gets a 110 mm map. 60 mm still shows the day's route and numbered stops legibly.
MIN_MAP_MM = 60

FONT, FONT_BOLD = "OPSans", "OPSans-Bold"


def sheet_filename(route: Route) -> str:
    """``<team>_<YYYY-MM-DD>.pdf``."""
    return f"{safe_name(route.team)}_{route.date.isoformat()}.pdf"


# --------------------------------------------------------------------------- fonts
@lru_cache(maxsize=1)
def _register_fonts() -> None:
    """Register DejaVu Sans (shipped with matplotlib) so that any character prints."""
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf",
             f"{FONT}-Oblique": "DejaVuSans-Oblique.ttf", f"{FONT}-BoldOblique": "DejaVuSans-BoldOblique.ttf"}
    for name, file in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(ttf / file)))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, f"{FONT}-Oblique")
    addMapping(FONT, 1, 1, f"{FONT}-BoldOblique")


@lru_cache(maxsize=1)
def _styles():
    from reportlab.lib.styles import ParagraphStyle

    _register_fonts()
    base = ParagraphStyle("op", fontName=FONT, fontSize=8, leading=9.6)
    return {
        "cell": base,
        "small": ParagraphStyle("op-small", parent=base, fontSize=7, leading=8.4),
        "head": ParagraphStyle("op-head", parent=base, fontName=FONT_BOLD, fontSize=8, leading=9.6),
        "headsmall": ParagraphStyle("op-headsmall", parent=base, fontName=FONT_BOLD, fontSize=6.5, leading=8),
        "title": ParagraphStyle("op-title", parent=base, fontName=FONT_BOLD, fontSize=14, leading=17),
        "titleright": ParagraphStyle("op-titleright", parent=base, fontName=FONT_BOLD, fontSize=12, leading=17,
                                     alignment=2),
        "info": ParagraphStyle("op-info", parent=base, fontSize=9, leading=11.5),
        "num": ParagraphStyle("op-num", parent=base, fontName=FONT_BOLD, fontSize=11, leading=13, alignment=1),
    }


def _p(text: str, style: str = "cell"):
    from reportlab.platypus import Paragraph

    return Paragraph(text, _styles()[style])


def _x(text: object) -> str:
    """Escape text for a ReportLab paragraph."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------- static map
@dataclass
class _Background:
    """Village outlines (and road lines) of the workspace, prepared once for every sheet."""

    villages: list[tuple[str, list, tuple[float, float], tuple[float, float, float, float]]] = field(
        default_factory=list)  # (name, rings, label point, bounds)
    regency: list = field(default_factory=list)  # rings
    roads: list = field(default_factory=list)  # list of [(lon, lat), ...]
    figures: dict = field(default_factory=dict, repr=False)  # size_mm -> (figure, axes, canvas), reused


def _clear_route(ax) -> None:
    """Remove what :func:`draw_route_map` added, keeping the axes (its frame and settings) for the next map."""
    for group in (ax.collections, ax.patches, ax.texts, ax.lines, ax.images, ax.artists):
        for artist in list(group):
            artist.remove()


def _rings(geom) -> list:
    import numpy as np
    import shapely

    out = []
    for poly in getattr(geom, "geoms", [geom]):
        if isinstance(poly, shapely.Polygon):
            out.append(np.asarray(poly.exterior.coords)[:, :2])
    return out


def _road_lines(travel) -> list:
    """Road lines the travel model exposes, as (n, 2) lon/lat arrays; none for a model without roads.

    Looks for ``travel.road_lines()`` (an iterable of lines: sequences of (lon, lat) or shapely
    LineStrings), else a ``travel.roads`` network with ``nodes`` (N, 2) and segment ends ``u``, ``v``
    (the road-network model). The great-circle model has neither: the sheet then shows only the route.
    """
    import numpy as np

    try:
        fn = getattr(travel, "road_lines", None)
        if callable(fn):
            out = []
            for line in fn() or ():
                for part in getattr(line, "geoms", [line]):
                    coords = np.asarray(getattr(part, "coords", part), dtype=float)
                    if coords.ndim == 2 and len(coords) >= 2:
                        out.append(coords[:, :2])
            return out
        roads = getattr(travel, "roads", None)
        nodes, u, v = (getattr(roads, k, None) for k in ("nodes", "u", "v"))
        if nodes is not None and u is not None and v is not None:
            nodes = np.asarray(nodes, dtype=float)
            return list(np.stack([nodes[np.asarray(u)], nodes[np.asarray(v)]], axis=1))
    except Exception:  # a background is optional: never fail a sheet for it
        return []
    return []


def prepare_background(ws: Workspace, travel) -> _Background:
    """Village outlines, the regency outline and any road lines (done once per rendering)."""
    import shapely

    bg = _Background()
    for v in ws.villages:
        if not v.boundary_wkt:
            continue
        g = shapely.from_wkt(v.boundary_wkt).simplify(0.0002)
        pt = g.representative_point()
        bg.villages.append((v.name, _rings(g), (pt.x, pt.y), g.bounds))
    if ws.boundary_wkt:
        bg.regency = _rings(shapely.from_wkt(ws.boundary_wkt).simplify(0.0002))
    bg.roads = _road_lines(travel)
    return bg


def _nice_length(max_m: float) -> float:
    """The largest 1-2-5 length (metres) not above ``max_m``."""
    if max_m <= 0:
        return 100.0
    exp = 10 ** math.floor(math.log10(max_m))
    for f in (5, 2, 1):
        if f * exp <= max_m:
            return f * exp
    return exp


def _extent(points: list[tuple[float, float]], aspect: float) -> tuple[float, float, float, float]:
    """A lon/lat box around ``points`` with a margin, at least ~3 km across, of width/height ``aspect``."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    k = math.cos(math.radians(cy))
    w_km = max((max(xs) - min(xs)) * 111.32 * k, 1e-9)
    h_km = max((max(ys) - min(ys)) * 110.57, 1e-9)
    w_km, h_km = max(w_km * 1.35, 3.0), max(h_km * 1.4, 3.0)  # room for the labels around the stops
    if w_km / h_km < aspect:
        w_km = h_km * aspect
    else:
        h_km = w_km / aspect
    dx, dy = w_km / (111.32 * k) / 2, h_km / 110.57 / 2
    return cx - dx, cx + dx, cy - dy, cy + dy


def draw_route_map(route: Route, ws: Workspace, travel, bg: _Background, lang: str = "id",
                   size_mm: tuple[float, float] = (186, 100), ax=None):
    """Draw one team-day on a matplotlib axis (a new figure when ``ax`` is None); returns the figure.

    Black-and-white: grey village outlines and roads, a black route with direction arrows, white
    numbered stops, a black square for the office, a north arrow and a scale bar.
    """
    import numpy as np
    from matplotlib import patheffects
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, Rectangle

    t = labels(lang)
    prof = profile(ws, route.team)
    numbers = stop_numbers(route)
    if ax is None:
        fig = Figure(figsize=(size_mm[0] / 25.4, size_mm[1] / 25.4), dpi=MAP_DPI)
        ax = fig.add_axes((0.002, 0.003, 0.996, 0.994))  # the frame fully inside the image
    fig = ax.figure
    w_in, h_in = ax.get_position().width * fig.get_figwidth(), ax.get_position().height * fig.get_figheight()
    aspect = w_in / h_in

    paths = [leg_path(travel, leg, prof) for leg in legs(route)]
    pts = [p for line in paths for p in line] + [tuple(s.location) for s in route.steps if s.location]
    x0, x1, y0, y1 = _extent(pts, aspect)
    lat0 = (y0 + y1) / 2
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    # the extent already has the axes' shape in kilometres: no aspect to force
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_linewidth(1.2)
        sp.set_color("black")

    def in_view(b):
        return not (b[2] < x0 or b[0] > x1 or b[3] < y0 or b[1] > y1)

    # background: villages, regency outline, roads
    shown = [v for v in bg.villages if in_view(v[3])]
    ax.add_collection(PolyCollection([r for v in shown for r in v[1]], facecolors="#f4f4f4",
                                     edgecolors="#b4b4b4", linewidths=0.3, zorder=1))
    if bg.regency:
        ax.add_collection(PolyCollection(bg.regency, facecolors="none", edgecolors="#555555",
                                         linewidths=0.9, zorder=2))
    if bg.roads:
        # roads darker and wider than the village outlines, so the two are told apart
        ax.add_collection(LineCollection(bg.roads, colors="#6a6a6a", linewidths=1.0, zorder=3))
    # names of the villages in view when they are few (the stops' villages are named at the stops)
    halo = [patheffects.withStroke(linewidth=1.8, foreground="white")]
    if len(shown) <= 45:
        for name, _rings_, (lx, ly), _b in shown:
            if x0 < lx < x1 and y0 < ly < y1:
                ax.text(lx, ly, name, fontsize=5.5, color="#555555", ha="center", va="center", style="italic",
                        zorder=4, clip_on=True)

    # the route: white casing under a black line, an arrow in the middle of each leg
    lines = [np.asarray(p) for p in paths if len(p) >= 2]
    ax.add_collection(LineCollection(lines, colors="white", linewidths=4.2, zorder=5, capstyle="round"))
    ax.add_collection(LineCollection(lines, colors="black", linewidths=1.8, zorder=6, capstyle="round"))
    span = (x1 - x0) * 0.02
    for line in lines:
        seg = np.diff(line, axis=0)
        lens = np.hypot(seg[:, 0], seg[:, 1])
        total = lens.sum()
        if total <= span * 3:  # too short to carry an arrow
            continue
        cum = np.concatenate([[0.0], np.cumsum(lens)])
        i = min(int(np.searchsorted(cum, total / 2)) - 1, len(seg) - 1)
        i = max(i, 0)
        d = seg[i] / max(lens[i], 1e-12)
        mid = line[i] + d * (total / 2 - cum[i])
        ax.add_patch(FancyArrowPatch(tuple(mid - d * span / 2), tuple(mid + d * span / 2), arrowstyle="-|>",
                                     mutation_scale=13, color="black", lw=0, zorder=7))

    # stops: a numbered circle on each; stops closer than a circle's width fan their numbers out
    # around a dot at each place, with a leader line, so that every number points at its own place
    near = (x1 - x0) * 0.022
    located = [(numbers[i], tuple(s.location)) for i, s in enumerate(route.steps)
               if i in numbers and s.location is not None]
    clusters: list[list[tuple[int, tuple[float, float]]]] = []
    for no, loc in located:
        for c in clusters:
            if any(math.hypot(loc[0] - p[0], loc[1] - p[1]) < near for _, p in c):
                c.append((no, loc))
                break
        else:
            clusters.append([(no, loc)])
    circle = dict(boxstyle="circle,pad=0.25", fc="white", ec="black", lw=1.1)
    for c in clusters:
        if len(c) == 1:
            no, (lon, lat) = c[0]
            ax.annotate(str(no), (lon, lat), fontsize=8, fontweight="bold", ha="center", va="center", zorder=10,
                        bbox=circle)
            continue
        radius = 13 + 1.5 * len(c)  # points
        for k, (no, (lon, lat)) in enumerate(sorted(c)):
            ang = math.radians(90 - k * 360 / len(c))
            ax.plot([lon], [lat], marker="o", markersize=4, color="black", mec="white", mew=0.8, zorder=9)
            ax.annotate(str(no), (lon, lat), xytext=(radius * math.cos(ang), radius * math.sin(ang)),
                        textcoords="offset points", fontsize=7.5, fontweight="bold", ha="center", va="center",
                        zorder=10, bbox=circle,
                        arrowprops=dict(arrowstyle="-", color="black", lw=0.7, shrinkA=0, shrinkB=2))

    # village names beside the stops, once per village
    named: set[str] = set()
    for i, s in enumerate(route.steps):
        v = ws.village_index.get(s.village_code or "")
        if i in numbers and s.location is not None and v is not None and v.name not in named:
            named.add(v.name)
            ax.annotate(v.name, tuple(s.location), xytext=(9, -7), textcoords="offset points", fontsize=6.5,
                        style="italic", color="#222222", zorder=8, path_effects=halo, clip_on=True)

    # the office
    depot = next((d for d in ws.depots if d.id == route.depot), None)
    if depot is not None:
        ax.plot([depot.lon], [depot.lat], marker="s", markersize=9, color="black", mec="white", mew=1.0,
                zorder=11)
        ax.annotate(t["office"], (depot.lon, depot.lat), xytext=(7, -9), textcoords="offset points",
                    fontsize=7, fontweight="bold", zorder=11,
                    path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])

    # lodgings the day starts or ends at (a field trip): a black triangle with the lodging's name
    lodgings = lodging_index(ws)
    for pid in dict.fromkeys((route.start_place, route.end_place)):
        lg = lodgings.get(pid)
        if lg is None:
            continue
        ax.plot([lg.lon], [lg.lat], marker="^", markersize=10, color="black", mec="white", mew=1.0, zorder=11)
        ax.annotate(lg.name, (lg.lon, lg.lat), xytext=(7, 5), textcoords="offset points", fontsize=7,
                    fontweight="bold", zorder=11,
                    path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])

    # north arrow (top right) and scale bar (bottom left), in axes coordinates
    ax.annotate("", xy=(0.965, 0.95), xytext=(0.965, 0.83), xycoords="axes fraction",
                arrowprops=dict(arrowstyle="-|>", color="black", lw=1.6, mutation_scale=14), zorder=12)
    ax.text(0.965, 0.80, t["north"], transform=ax.transAxes, ha="center", va="top", fontsize=10,
            fontweight="bold", zorder=12, path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])
    # read the final limits (the aspect may have widened them)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = 111.32 * math.cos(math.radians(lat0))
    width_km = (x1 - x0) * km_per_deg
    bar_km = _nice_length(width_km * 1000 * 0.25) / 1000
    bx, by = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.05
    seg_deg = bar_km / km_per_deg / 2
    hgt = (y1 - y0) * 0.018
    ax.add_patch(Rectangle((bx - seg_deg * 0.12, by - hgt * 1.2), seg_deg * 2.4, hgt * 4.6, fc="white",
                           ec="none", alpha=0.85, zorder=12))
    for k in range(2):
        ax.add_patch(Rectangle((bx + k * seg_deg, by), seg_deg, hgt, fc="black" if k == 0 else "white",
                               ec="black", lw=0.8, zorder=13))
    label = f"{bar_km:g} km" if bar_km >= 1 else f"{bar_km * 1000:g} m"
    label = label.replace(".", ",") if lang == "id" else label  # 2,5 km in Indonesian
    ax.text(bx, by + hgt * 1.6, "0", fontsize=7, ha="center", va="bottom", zorder=13)
    ax.text(bx + 2 * seg_deg, by + hgt * 1.6, label, fontsize=7, ha="center", va="bottom", zorder=13)
    return fig


def route_map_image(route: Route, ws: Workspace, travel, bg: _Background, lang: str,
                    size_mm: tuple[float, float]):
    """The sheet's map as an 8-bit grayscale PIL image at ``MAP_DPI`` (the map is drawn in greys).

    One figure per map size is made once per rendering (in ``bg``) and reused: each map is drawn on
    it, rasterised, and removed again (creating matplotlib axes costs more than drawing a map).
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    key = (round(size_mm[0], 3), round(size_mm[1], 3))
    if key not in bg.figures:
        fig = Figure(figsize=(size_mm[0] / 25.4, size_mm[1] / 25.4), dpi=MAP_DPI)
        ax = fig.add_axes((0.002, 0.003, 0.996, 0.994))  # the frame fully inside the image
        bg.figures[key] = (fig, ax, FigureCanvasAgg(fig))
    fig, ax, canvas = bg.figures[key]
    try:
        draw_route_map(route, ws, travel, bg, lang, size_mm, ax=ax)
        canvas.draw()
        return Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).convert("L")
    finally:
        _clear_route(ax)


def route_map_png(route: Route, ws: Workspace, travel, bg: _Background | None = None, lang: str = "id",
                  size_mm: tuple[float, float] = (186, 100)) -> bytes:
    """The sheet's map as PNG bytes."""
    img = route_map_image(route, ws, travel, bg or prepare_background(ws, travel), lang, size_mm)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


# --------------------------------------------------------------------------- table cells
def _place_cell(step: Step, ws: Workspace, route_date: dt.date, t) -> str:
    target = visit_target(ws, step.visit_id)
    village = ws.village_index.get(step.village_code or "")
    where = f"{village.name}, Kec. {village.district_name}" if village else ""
    if step.kind == "village_session" and village is not None:
        lines = [f"<b>{_x(village.name)}</b>", f"Kec. {_x(village.district_name)}"]
        if village.session_place:
            lines.append(f"{_x(t['session_place'])}: <b>{_x(village.session_place)}</b>")
        contact = village_contact(village)
        if contact:
            lines.append(f"{_x(t['contact'])}: {_x(contact)}")
        return "<br/>".join(lines)
    if step.kind == "school_session" and target is not None:
        return f"<b>{_x(target.name)}</b><br/>{_x(where)}"
    if step.kind == "home_visit" and target is not None:
        parts = [f"<b>{_x(target.name)}</b> ({_x(target.id)})"]
        if target.address:
            parts.append(_x(target.address))
        parts.append(_x(where))
        if target.nik:
            parts.append(f"{t['nik']} {mask_nik(target.nik)}")
        return "<br/>".join(parts)
    if step.kind == "delivery" and target is not None:
        parts = [f"<b>{_x(target.recipient)}</b> ({_x(target.id)})"]
        if target.address:
            parts.append(_x(target.address))
        parts.append(_x(where))
        return "<br/>".join(parts)
    return _x(step.place)


def village_contact(village) -> str:
    """``Kepala desa Budi, 0812-3456-7890`` from the village's optional contact columns ('' when none)."""
    who = " ".join(x for x in (village.contact_role, village.contact_name) if x)
    return ", ".join(x for x in (who, village.contact_phone) if x)


def _services_cell(step: Step, ws: Workspace, t) -> str:
    if step.kind == "delivery":
        target = visit_target(ws, step.visit_id)
        return f"{t['document']}: {_x(target.document)}" if target is not None else ""
    lines = [f"{_x(short_service(sid))}: <b>{n}</b>" for sid, n in step.expected.items() if n]
    return "<br/>".join(lines) or "–"


def _window_text(w, date: dt.date) -> str | None:
    from ..model.calendar import WEEKDAYS
    from ..units import minutes_to_hhmm

    day_ok = (w.day == date) if isinstance(w.day, dt.date) else (w.day == WEEKDAYS[date.weekday()])
    return f"{minutes_to_hhmm(w.start)}–{minutes_to_hhmm(w.end)}" if day_ok else None


def bring_items(step: Step, ws: Workspace, t) -> list[str]:
    """What a stop needs brought along: the recording kit, KIA or birth-certificate forms."""
    items = []
    sids = [sid for sid, n in step.expected.items() if n]
    if any(s.needs_kit for s in ws.services if s.id in sids):
        items.append(t["item_kit"])
    if "kia" in sids:
        items.append(t["item_kia_forms"])
    if "akta" in sids:
        items.append(t["item_akta_forms"])
    return items


def overdue_days(delivery, on: dt.date) -> int:
    """Days a delivery made ``on`` that date is past its ``due_on`` (0: on time, or no due date)."""
    if delivery is None or getattr(delivery, "due_on", None) is None:
        return 0
    return max(0, (on - delivery.due_on).days)


def _notes_cell(step: Step, ws: Workspace, route_date: dt.date, tz, t) -> str:
    notes: list[str] = []
    target = visit_target(ws, step.visit_id)
    if step.kind == "home_visit" and target is not None:
        if target.notes:
            notes.append(f"<b>{_x(target.notes)}</b>")
        wins = [w for w in (_window_text(w, route_date) for w in target.windows) if w]
        if wins:
            notes.append(f"{t['windows']} {', '.join(wins)}")
    if step.kind == "school_session" and target is not None and target.notes:
        notes.append(_x(target.notes))
    if step.kind == "delivery" and target is not None:
        days = overdue_days(target, route_date)
        if days:
            notes.append(f"<b>{_x(t['overdue'])}</b> ({_x(t['overdue_days'].format(days=days))})")
        if target.due_on:
            notes.append(f"{t['due']} {target.due_on:%d/%m/%Y}")
    # forms per stop; the recording kit goes along all day (the header's "bring" line)
    forms = [i for i in bring_items(step, ws, t) if i != t["item_kit"]]
    if forms:
        notes.append(f"{t['bring']} {', '.join(forms)}")
    return "; ".join(notes)


# --------------------------------------------------------------------------- flowables
def _box_flowable(size: float):
    from reportlab.platypus import Flowable

    class _Box(Flowable):
        """An empty square to tick."""

        def wrap(self, aw, ah):
            return size, size

        def draw(self):
            self.canv.setLineWidth(0.9)
            self.canv.rect(0, 0, size, size)

    return _Box()


def _image_flowable(image, width: float, height: float):
    """A PIL image drawn at ``width`` x ``height`` points."""
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Flowable

    class _Img(Flowable):
        def wrap(self, aw, ah):
            return width, height

        def draw(self):
            self.canv.drawImage(ImageReader(image), 0, 0, width, height)

    return _Img()


def _tally(names: list[str]):
    """Blank boxes, one per service, to write the number of people served."""
    from reportlab.platypus import Table, TableStyle

    if not names:
        return ""
    rows = [[_p(_x(n), "small"), ""] for n in names]
    tbl = Table(rows, colWidths=[10.5 * MM, 11 * MM], rowHeights=[6.2 * MM] * len(rows))
    tbl.setStyle(TableStyle([
        ("BOX", (1, 0), (1, -1), 0.8, "black"),
        ("INNERGRID", (1, 0), (1, -1), 0.8, "black"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 1),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return tbl


#: Column widths of the stop table (mm); they add up to the A4 content width (186 mm).
COLUMNS_MM = (8, 22, 44, 21, 19, 36, 12, 24)


@dataclass
class SheetRow:
    """One row of the stop table: ``kind`` is ``start``, ``visit``, ``break`` or ``end``.

    A visit row carries its stop number, the breaks taken at the stop (``breaks``: printed in its time
    cell) and the waiting that is not a break (``wait_s``).
    """

    kind: str
    step: Step
    number: int | None = None
    breaks: list = field(default_factory=list)
    wait_s: float = 0.0


def sheet_rows(route: Route) -> list[SheetRow]:
    """The rows of a team-day's table in time order (see the module docstring).

    A break that overlaps a visit's arrival-to-end time is folded into that visit's row; every other
    break is a row of its own, sorted by time with the stops.
    """
    numbers = stop_numbers(route)
    visits = [(i, s) for i, s in enumerate(route.steps) if s.type == "visit"]
    at_stop: dict[int, list[Step]] = {}
    keyed: list[tuple[dt.datetime, int, SheetRow]] = []
    for i, s in enumerate(route.steps):
        if s.type == "break":
            host = next((j for j, v in visits if v.arrival < s.end and s.start < v.end), None)
            if host is not None:
                at_stop.setdefault(host, []).append(s)
            else:
                keyed.append((s.start, i, SheetRow("break", s)))
        elif s.type == "visit":
            keyed.append((s.arrival, i, SheetRow("visit", s, numbers[i])))
        elif s.type == "start":
            keyed.append((s.start, i, SheetRow("start", s)))
        else:
            keyed.append((s.arrival, i, SheetRow(s.type, s)))
    keyed.sort(key=lambda x: (x[0], x[1]))
    rows = []
    for _, i, row in keyed:
        if row.kind == "visit":
            row.breaks = sorted(at_stop.get(i, []), key=lambda b: b.start)
            s = row.step
            in_break = sum(max(0.0, (min(b.end, s.start) - max(b.start, s.arrival)).total_seconds())
                           for b in row.breaks)
            row.wait_s = max(0.0, (s.start - s.arrival).total_seconds() - in_break)
        rows.append(row)
    return rows


def _duration(seconds: float, t) -> str:
    """``25 mnt`` / ``1 j 05 mnt`` (``min`` / ``1 h 05 min`` in English)."""
    m = int(round(seconds / 60))
    hour = "j" if t["minutes"] == "mnt" else "h"
    return f"{m} {t['minutes']}" if m < 60 else f"{m // 60} {hour} {m % 60:02d} {t['minutes']}"


def _time_cell(row: SheetRow, tz, t) -> str:
    """Arrival, wait, breaks at the stop and start–end, one per line, in time order."""
    s = row.step
    lines = [f"{_x(t['t_arrive'])} <b>{hhmm(s.arrival, tz)}</b>"]
    if row.wait_s >= 60:
        lines.append(f"{_x(t['t_wait'])} {_duration(row.wait_s, t)}")
    before = [b for b in row.breaks if b.start < s.start]
    after = [b for b in row.breaks if b.start >= s.start]
    for b in before:
        lines.append(f"<i>{_x(t['t_break'])}<br/>{hhmm(b.start, tz)}–{hhmm(b.end, tz)}</i>")
    lines.append(f"{_x(t['t_start_end'])}<br/><b>{hhmm(s.start, tz)}–{hhmm(s.end, tz)}</b>")
    for b in after:
        lines.append(f"<i>({_x(t['t_break'])}<br/>{hhmm(b.start, tz)}–{hhmm(b.end, tz)})</i>")
    return "<br/>".join(lines)


def stop_table(route: Route, plan: Plan, ws: Workspace, lang: str = "id"):
    """The table of a team-day: leave the office, visits (numbered) and breaks, back at the office."""
    from reportlab.platypus import Table, TableStyle

    t = labels(lang)
    tz = tzinfo(plan)
    head = [_p(_x(t[k]).replace(" (", "<br/>("), "head")
            for k in ("col_no", "col_time", "col_place", "col_activity", "col_services", "col_notes")]
    head += [_p(_x(t["col_done"]), "headsmall"), _p(_x(t["col_tally"]), "head")]
    rows = [head]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        ("BACKGROUND", (0, 0), (-1, 0), "#d9d9d9"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("ALIGN", (6, 1), (6, -1), "CENTER"),
    ]
    for row in sheet_rows(route):
        s = row.step
        r = len(rows)
        if row.kind == "start":
            if route.start_place != route.depot:  # the morning after a night away: leave from the lodging
                where = place_label(ws, route.start_place, lang, fallback=s.place)
                what = f"<b>{_x(t['depart_from'].format(place=where))}</b>"
                if s.place and s.place != where and s.place.lower() not in where.lower():
                    what += f"<br/>{_x(s.place)}"
            else:
                what = f"<b>{_x(t['depart'])}</b><br/>{_x(s.place)}"
            rows.append(["", _p(f"<b>{hhmm(s.start, tz)}</b>"), _p(what), "", "", "", "", ""])
            style += [("SPAN", (2, r), (5, r)), ("BACKGROUND", (0, r), (-1, r), "#efefef")]
        elif row.kind == "night":  # the day ends at a lodging of a field trip
            where = place_label(ws, route.end_place, lang, fallback=s.place)
            arrive = t["night_arrive"].format(time=hhmm(s.arrival, tz))
            what = f"<b>{_x(t['night_at'].format(place=where))}</b> ({_x(arrive)})"
            if s.place and s.place != where and s.place.lower() not in where.lower():
                what += f"<br/>{_x(s.place)}"
            rows.append(["", _p(f"<b>{hhmm(s.arrival, tz)}</b>"), _p(what), "", "", "", "", ""])
            style += [("SPAN", (2, r), (5, r)), ("BACKGROUND", (0, r), (-1, r), "#efefef")]
        elif row.kind == "end":
            rows.append(["", _p(f"<b>{hhmm(s.arrival, tz)}</b>"),
                         _p(f"<b>{_x(t['return'])}</b><br/>{_x(s.place)}"), "", "", "", "", ""])
            style += [("SPAN", (2, r), (5, r)), ("BACKGROUND", (0, r), (-1, r), "#efefef")]
        elif row.kind == "break":
            rows.append(["", _p(f"{hhmm(s.start, tz)}–{hhmm(s.end, tz)}"),
                         _p(f"<i>{_x(s.place or t['break'])}</i>"), "", "", "", "", ""])
            style += [("SPAN", (2, r), (5, r)), ("BACKGROUND", (0, r), (-1, r), "#efefef")]
        else:
            act = t["kind"].get(s.kind, s.kind or "")
            target = visit_target(ws, s.visit_id)
            if s.kind == "home_visit" and target is not None:
                act += f" ({t['reason'].get(target.reason, target.reason)})"
            tally = [short_service(sid) for sid, n in s.expected.items() if n]  # a delivery: the tick only
            rows.append([
                _p(str(row.number), "num"),
                _p(_time_cell(row, tz, t)),
                _p(_place_cell(s, ws, route.date, t)),
                _p(_x(act)),
                _p(_services_cell(s, ws, t)),
                _p(_notes_cell(s, ws, route.date, tz, t), "small"),
                _box_flowable(5 * MM),
                _tally(tally),
            ])
    tbl = Table(rows, colWidths=[w * MM for w in COLUMNS_MM], repeatRows=1, hAlign="LEFT")
    tbl.setStyle(TableStyle(style))
    return tbl


def residents_bring(route: Route, ws: Workspace, lang: str = "id") -> list[str]:
    """``e-KTP: fotokopi KK`` for each service expected on the day that has a ``bring`` text."""
    sids = {sid for s in route.visits for sid, n in s.expected.items() if n}
    for s in route.visits:  # a home visit's services, whether or not counted as expected
        target = visit_target(ws, s.visit_id)
        if s.kind == "home_visit" and target is not None:
            sids.update(target.services)
    return [f"{short_service(svc.id)}: {svc.bring}" for svc in ws.services if svc.id in sids and svc.bring]


def _info_table(route: Route, plan: Plan, ws: Workspace, lang: str):
    from reportlab.platypus import Table, TableStyle

    t = labels(lang)
    tz = tzinfo(plan)
    team = team_index(ws).get(route.team)
    tname = team.name if team else route.team
    members = ", ".join(team.members) if team and team.members else "–"
    vehicle = vehicle_name(team.vehicle, lang) if team else "–"
    start, end = start_step(route), end_step(route)
    zone = tz_abbrev(plan)
    drive_min = route.travel_s / 60
    drive = f"{int(drive_min // 60)} j {int(drive_min % 60):02d} m" if lang == "id" else \
        f"{int(drive_min // 60)} h {int(drive_min % 60):02d} min"
    bring: list[str] = []
    for s in route.visits:
        for n in bring_items(s, ws, t):
            if n not in bring:
                bring.append(n)
    if team and team.recording_kits and t["item_kit"] in bring:
        bring[bring.index(t["item_kit"])] = f"{t['item_kit']} ({team.recording_kits})"
    n_docs = sum(1 for s in route.visits if s.kind == "delivery")
    if n_docs:
        bring.append(f"{t['item_documents']} ({n_docs})")

    def pair(k, v):
        return [_p(f"<b>{_x(t[k])}</b>", "info"), _p(v, "info")]

    times = f"<b>{hhmm(start.start, tz)}</b> {zone}"
    if route.start_place != route.depot:
        times += f" ({_x(place_label(ws, route.start_place, lang, fallback=start.place))})"
    if route.away_night:
        times += (f" · <b>{_x(t['night_time'])}</b> <b>{hhmm(end.arrival, tz)}</b> {zone} "
                  f"({_x(place_label(ws, route.end_place, lang, fallback=end.place))})")
    else:
        times += f" · <b>{_x(t['return_time'])}</b> <b>{hhmm(end.arrival, tz)}</b> {zone}"
    totals = f"{drive} · {fmt_int(route.distance_m / 1000, lang)} km · {len(route.visits)} {_x(t['stops'])}"
    if (plan.summary or {}).get("travel_model") == "great_circle":  # no road network: say the times are estimates
        totals += f" ({_x(t['travel_estimate'])})"
    rows = [
        pair("team", f"<b>{_x(tname)}</b> ({_x(route.team)})")
        + pair("date", f"<b>{_x(format_date(route.date, lang))}</b>"),
        pair("members", _x(members)) + pair("departure", times),
        pair("vehicle_label", _x(vehicle)) + pair("drive", totals),
    ]
    spans = []
    trip = trip_routes(plan).get(route.trip or "") if route.trip else None
    if trip:
        k = next((i for i, r in enumerate(trip, 1) if r.date == route.date), 1)
        day = t["trip_day"].format(k=k, n=len(trip))
        rows.append(pair("trip_label", f"<b>{_x(trip_summary(trip, ws, lang))}</b> · {_x(day)}") + ["", ""])
        spans.append(len(rows) - 1)
    if bring:
        rows.append(pair("bring", _x("; ".join(bring))) + ["", ""])
        spans.append(len(rows) - 1)
    residents = residents_bring(route, ws, lang)
    if residents:
        rows.append(pair("residents_bring", _x(" · ".join(residents))) + ["", ""])
        spans.append(len(rows) - 1)
    tbl = Table(rows, colWidths=[22 * MM, 71 * MM, 24 * MM, 69 * MM], hAlign="LEFT")
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
             ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]
    style += [("SPAN", (1, r), (3, r)) for r in spans]
    tbl.setStyle(TableStyle(style))
    return tbl


def _signatures(lang: str):
    from reportlab.platypus import Table, TableStyle

    t = labels(lang)
    cell = [_p(f"<b>{_x(t['sign_leader'])}</b>", "info"), "", _p(f"<b>{_x(t['sign_head'])}</b>", "info")]
    space = ["", "", ""]
    line = [_p(_x(t["sign_name"]), "small"), "", _p(_x(t["sign_name"]), "small")]
    tbl = Table([cell, space, line], colWidths=[80 * MM, 26 * MM, 80 * MM], rowHeights=[None, 13 * MM, None])
    tbl.setStyle(TableStyle([("LINEBELOW", (0, 1), (0, 1), 0.8, "black"), ("LINEBELOW", (2, 1), (2, 1), 0.8, "black"),
                             ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return tbl


# --------------------------------------------------------------------------- documents
class _SheetMark:
    """Marks where a sheet starts in a document, for per-sheet page numbers and headers."""

    def __init__(self, key: str, header: str):
        self.key, self.header = key, header


def _sheet_story(route: Route, plan: Plan, ws: Workspace, travel, bg: _Background, lang: str,
                 order: list, png_cache: dict):
    """Flowables of one sheet; the first one records the start of the sheet in ``order``."""
    from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

    t = labels(lang)
    team = team_index(ws).get(route.team)
    tname = team.name if team else route.team
    key = f"{route.team}_{route.date.isoformat()}"
    mark = _SheetMark(key, f"{t['sheet_title']} ({t['sheet_continued']}) · {tname} · "
                           f"{format_date(route.date, lang)}")

    class _Start(Flowable):
        def wrap(self, aw, ah):
            return 0, 0

        def draw(self):
            order.append((self.canv.getPageNumber(), mark))

    n_visits = len(route.visits)
    title = Table([[_p(_x(t["sheet_title"]), "title"),
                    _p(_x(week_words(plan.week, lang, {r.date for r in plan.routes})), "titleright")]],
                  colWidths=[CONTENT_W - 85 * MM, 85 * MM])
    title.setStyle(TableStyle([("ALIGN", (1, 0), (1, 0), "RIGHT"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    info = _info_table(route, plan, ws, lang)
    table = stop_table(route, plan, ws, lang) if n_visits else _p(_x(t["no_visits"]), "info")
    signatures = _signatures(lang)
    # the largest map (MIN_MAP_MM-120 mm high) that keeps the sheet on one page; 110 mm when it needs two anyway
    used = sum(f.wrap(CONTENT_W, BODY_H)[1] for f in (title, info, table, signatures)) + 12 * MM
    room = (BODY_H - used) / MM - 2
    map_h = float(math.floor(min(120.0, room))) if room >= MIN_MAP_MM else 110.0
    cache_key = (key, map_h)
    if cache_key not in png_cache:
        png_cache[cache_key] = route_map_image(route, ws, travel, bg, lang, (CONTENT_W / MM, map_h))
    img = _image_flowable(png_cache[cache_key], CONTENT_W, map_h * MM)
    story = [_Start(), title, info, Spacer(1, 2 * MM), img, Spacer(1, 3 * MM), table,
             Spacer(1, 5 * MM), KeepTogether([signatures])]
    return story


def _build(stories: list[list], plan: Plan, lang: str, order: list) -> tuple[bytes, dict[str, int]]:
    """Lay out the stories (one per sheet) in one PDF; returns the bytes and pages per sheet."""
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate

    t = labels(lang)
    ident = (f"{t['plan_id']} {plan_id(plan)} {tz_abbrev(plan)} · {t['week']} "
             f"{week_words(plan.week, lang, {r.date for r in plan.routes})} · {plan.workspace}")

    class _Canvas(rl_canvas.Canvas):
        """Draws headers and footers once every page is laid out, to know each sheet's page count."""

        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self._saved: list[dict] = []

        def showPage(self):
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            starts = sorted(order, key=lambda x: x[0])
            total = len(self._saved)
            spans = []
            for k, (first, mark) in enumerate(starts):
                last = starts[k + 1][0] - 1 if k + 1 < len(starts) else total
                spans.append((first, last, mark))
            for state in self._saved:
                self.__dict__.update(state)
                page = self.getPageNumber()
                span = next(((f, la, m) for f, la, m in spans if f <= page <= la), None)
                if span is not None:
                    first, last, mark = span
                    counts[mark.key] = last - first + 1
                    self._decorate(page - first + 1, last - first + 1, mark)
                super().showPage()
            super().save()

        def _decorate(self, page: int, pages: int, mark: _SheetMark):
            self.saveState()
            self.setFont(FONT, 7)
            self.setLineWidth(0.5)
            self.line(MARGIN, FOOTER_H, PAGE_W - MARGIN, FOOTER_H)
            self.drawString(MARGIN, FOOTER_H - 9, ident[:150])
            self.setFont(FONT_BOLD, 8)
            self.drawRightString(PAGE_W - MARGIN, FOOTER_H - 9, t["page"].format(page=page, pages=pages))
            if page > 1:
                self.setFont(FONT_BOLD, 9)
                self.drawString(MARGIN, PAGE_H - MARGIN + 7, mark.header[:120])
            self.restoreState()

    counts: dict[str, int] = {}
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN, rightMargin=MARGIN,
                          topMargin=MARGIN, bottomMargin=BODY_BOTTOM,
                          title=f"{t['sheet_title']} {plan.week}", author="outreach-planner",
                          creator="outreach-planner", invariant=1)
    frame = Frame(MARGIN, BODY_BOTTOM, CONTENT_W, BODY_H,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="sheet", frames=[frame])])
    flow: list = []
    for k, story in enumerate(stories):
        if k:
            flow.append(PageBreak())
        flow += story
    from reportlab import rl_config

    a85 = rl_config.useA85
    rl_config.useA85 = 0  # binary image streams: smaller, and ASCII85 is slow in pure Python
    try:
        doc.build(flow, canvasmaker=_Canvas)
    finally:
        rl_config.useA85 = a85
    return buf.getvalue(), counts


def sheet_pdf(route: Route, plan: Plan, ws: Workspace, travel, lang: str = "id",
              background: _Background | None = None, png_cache: dict | None = None) -> bytes:
    """The PDF of one team-day."""
    bg = background or prepare_background(ws, travel)
    order: list = []
    story = _sheet_story(route, plan, ws, travel, bg, lang, order, {} if png_cache is None else png_cache)
    data, _ = _build([story], plan, lang, order)
    return data


def sheets_pdfs(plan: Plan, ws: Workspace, travel, lang: str = "id") -> tuple[dict[str, bytes], bytes]:
    """Every team-day's PDF by file name (``<team>_<date>.pdf``) and the combined PDF, in team-day order.

    The sheets are laid out once, in the combined document; each team-day's file holds its pages of it.
    """
    _register_fonts()
    bg = prepare_background(ws, travel)
    routes = ordered_routes(plan, ws)
    order: list = []
    pngs: dict = {}
    stories = [_sheet_story(r, plan, ws, travel, bg, lang, order, pngs) for r in routes]
    if not stories:
        stories = [[_p(_x(labels(lang)["no_visits"]), "info")]]
    combined, counts = _build(stories, plan, lang, order)
    return split_pages(combined, [(sheet_filename(r), counts[f"{r.team}_{r.date.isoformat()}"]) for r in routes],
                       f"{labels(lang)['sheet_title']} {plan.week}"), combined


def split_pages(pdf: bytes, parts: list[tuple[str, int]], title: str) -> dict[str, bytes]:
    """Cut ``pdf`` into consecutive documents: ``parts`` gives (name, page count) in page order."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    out: dict[str, bytes] = {}
    first = 0
    for name, n in parts:
        writer = PdfWriter()
        for page in reader.pages[first:first + n]:
            writer.add_page(page)
        writer.add_metadata({"/Title": title, "/Author": "outreach-planner", "/Creator": "outreach-planner"})
        buf = io.BytesIO()
        writer.write(buf)
        out[name] = buf.getvalue()
        first += n
    if first != len(reader.pages):
        raise RuntimeError(f"route sheets: {len(reader.pages)} pages laid out, {first} assigned to sheets")
    return out


__all__ = [
    "COLUMNS_MM",
    "bring_items",
    "draw_route_map",
    "prepare_background",
    "route_map_image",
    "route_map_png",
    "sheet_filename",
    "sheet_pdf",
    "sheet_rows",
    "sheets_pdfs",
    "split_pages",
    "stop_table",
]
