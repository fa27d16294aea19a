"""The planner's interactive map of a week: ``map.html`` (folium / Leaflet), self-contained and offline.

What it shows:

- village polygons coloured by coverage gap, one base layer per service (radio buttons in the layer
  control) with a legend that follows the chosen service and gives its target;
- one layer per team per day: one clearly different colour per team (a qualitative palette, the
  same colour on every day of the team), the days of a team told apart by the line's dash pattern;
  route lines from ``travel.path`` between consecutive stops and numbered stop markers whose popups
  give arrival, start–end, place, activity, people expected per service, the "why" of the visit (in the
  map's language, :func:`outreach_planner.planning.why.visit_why`), and
  for a village session where it is held and the village contact (an official's work contact, from
  the optional village columns; never a resident's); an overdue delivery is marked as such;
- a field trip (routes sharing ``Route.trip``) as one layer, ``Tim 1 · perjalanan Sel–Kam``: its days
  (each with its dash pattern) and a numbered marker per night at the lodging slept at; the
  workspace's lodgings as a layer of their own (both in the legend);
- a layer of the visits left out, with their reason; the office;
- the road lines of the travel model (when it has roads) and the village names, shown from zoom
  level ``NAME_ZOOM`` on (at the overview they would cover the map);
- the layer control collapsed to a button (top right), and a legend of every kind of marker and line
  the map draws (bottom right; built from what is drawn: an entry for roads only when there are
  roads, and so on), beside the coverage legend (bottom left).

The HTML is **shareable by default**: steps carry shareable labels (``Kunjungan rumah hv2, Rante
Limbong``) and nothing reads resident names, addresses, notes or NIKs, unless ``include_names=True``
(for internal use) adds resident and recipient names and addresses. A NIK is never written.

The HTML is **self-contained**: folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs,
which an offline browser cannot load. This map needs Leaflet only; its JavaScript and CSS (with the
images the CSS uses as data URIs) are inlined from the ``xstatic-leaflet`` package (the same Leaflet
1.9.3 folium pins), and every CDN link is dropped. No tiles by default (``tiles=None``): nothing is
downloaded, and polygons and routes draw on a plain background.
"""

from __future__ import annotations

import base64
import html
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from ..i18n import fmt_dec, fmt_int, fmt_num
from ..model import Workspace
from ..plan import Plan, Route
from ._common import (
    hhmm,
    leg_path,
    legs,
    lodging_index,
    lodging_label,
    ordered_routes,
    place_label,
    plan_id,
    profile,
    stop_numbers,
    team_index,
    trip_nights,
    trip_span,
    trip_summary,
    tz_abbrev,
    tzinfo,
    visit_target,
    write_bytes_atomic,
)
from .sheets import _road_lines, overdue_days, village_contact
from .strings import format_date, labels, service_name, week_words

#: Coverage-gap classes: (low, high) percentage points below target; None = open-ended.
GAP_BINS: tuple[tuple[float, float | None], ...] = ((0, 2), (2, 5), (5, 10), (10, 20), (20, None))
#: Fill colours of the gap classes (light to dark; readable for most colour-vision deficiencies).
GAP_COLOURS: tuple[str, ...] = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
AT_TARGET_COLOUR = "#c7e9c0"
NO_DATA_COLOUR = "#ffffff"

#: One colour per team, in workspace order (qualitative; mostly Okabe-Ito; reds come last, as the
#: coverage fill is red).
TEAM_HUES: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#6A3D9A", "#CC79A7", "#56B4E9", "#4d4d4d",
                              "#8c564b", "#bcbd22", "#D55E00")
#: Dash patterns (SVG ``stroke-dasharray``) of a team's days, in date order: solid, dashed, dotted, ...
DAY_DASHES: tuple[str | None, ...] = (None, "12 7", "2 7", "16 5 3 5", "7 7", "3 4 3 10")
#: Village names show from this zoom level on.
NAME_ZOOM = 11
ROAD_COLOUR = "#8a8a8a"
UNASSIGNED_FILL = "#bbbbbb"

#: CSS classes the map's elements carry (tests and scripts look them up).
CLASS_ROUTE_LAYER = "op-route"
CLASS_ROUTE_LINE = "op-route-line"
CLASS_STOP = "op-stop"
CLASS_COVERAGE_LAYER = "op-coverage"
CLASS_UNASSIGNED_LAYER = "op-unassigned"
CLASS_ROAD_LAYER = "op-roads"
CLASS_ROAD_LINE = "op-road-line"
CLASS_NAMES_LAYER = "op-names"
CLASS_LODGING = "op-lodging"
CLASS_LODGINGS_LAYER = "op-lodgings"


# --------------------------------------------------------------------------- colours
def gap_points(coverage: float, target: float) -> float:
    """Percentage points below target (0 when at or above)."""
    return max(0.0, (target - coverage) * 100)


def gap_colour(coverage: float | None, target: float) -> str:
    """Fill colour of a village for one service."""
    if coverage is None:
        return NO_DATA_COLOUR
    gap = gap_points(coverage, target)
    if gap <= 0:
        return AT_TARGET_COLOUR
    for (lo, hi), colour in zip(GAP_BINS, GAP_COLOURS):
        if hi is None or gap <= hi:
            return colour
    return GAP_COLOURS[-1]


def team_colours(team_ids: list[str]) -> dict[str, str]:
    """One colour per team id, in workspace order (the palette repeats after ``len(TEAM_HUES)`` teams)."""
    return {t: TEAM_HUES[i % len(TEAM_HUES)] for i, t in enumerate(team_ids)}


def route_styles(routes: list[Route], team_ids: list[str]) -> dict[tuple[str, object], tuple[str, str | None]]:
    """(colour, dash pattern) per (team, date): the team's colour; its days in date order get
    ``DAY_DASHES`` in turn. A team not in ``team_ids`` gets the next free colour."""
    ids = list(team_ids) + sorted({r.team for r in routes} - set(team_ids))
    colours = team_colours(ids)
    out: dict[tuple[str, object], tuple[str, str | None]] = {}
    by_team: dict[str, list[Route]] = defaultdict(list)
    for r in routes:
        by_team[r.team].append(r)
    for team, rs in by_team.items():
        for k, r in enumerate(sorted(rs, key=lambda x: x.date)):
            out[(r.team, r.date)] = (colours[team], DAY_DASHES[k % len(DAY_DASHES)])
    return out


# --------------------------------------------------------------------------- offline Leaflet
@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's ``(javascript, css)`` from the xstatic-leaflet package, images inlined as data URIs."""
    try:
        from xstatic.pkg import leaflet as xl
    except ImportError as exc:  # pragma: no cover - a declared dependency
        from ..i18n import _

        raise ImportError(_("map.no_leaflet", id="map.html memuat Leaflet dari paket 'xstatic-leaflet': "
                            "pip install xstatic-leaflet", en="map.html inlines Leaflet from the 'xstatic-leaflet' "
                            "package: pip install xstatic-leaflet")) from exc
    base = Path(xl.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def png(name: str) -> str:
        return "data:image/png;base64," + base64.b64encode((base / "images" / name).read_bytes()).decode("ascii")

    css = re.sub(r"url\(images/([^)]+\.png)\)", lambda m: f"url({png(m.group(1))})", css)
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    css = re.sub(r"/\*# sourceMappingURL=\S+ \*/", "", css)
    # Default marker icons from data URIs too: folium creates a marker with the default icon before
    # it sets its own, and the browser would otherwise request marker-icon.png next to the file.
    js += ("\nL.Icon.Default.imagePath = '';\n"
           f"L.Icon.Default.mergeOptions({{iconUrl: '{png('marker-icon.png')}', "
           f"iconRetinaUrl: '{png('marker-icon-2x.png')}', shadowUrl: '{png('marker-shadow.png')}'}});\n")
    return js.replace("</script", "<\\/script"), css


_EXTRA_CSS = f"""
.leaflet-container {{ background: #e8eef3; font: 13px/1.35 "Helvetica Neue", Arial, Helvetica, sans-serif; }}
.{CLASS_STOP}, .op-stop-sym {{ width: 22px; height: 22px; border-radius: 11px; color: #fff; border: 2px solid #222;
  font: bold 12px/18px Arial, Helvetica, sans-serif; text-align: center; box-sizing: border-box;
  box-shadow: 0 0 2px #fff; }}
.op-office {{ width: 26px; height: 26px; background: #111; color: #fff; border: 2px solid #fff;
  font: bold 14px/22px Arial, Helvetica, sans-serif; text-align: center; box-sizing: border-box;
  box-shadow: 0 0 3px #000; }}
.op-swatch {{ display: inline-block; width: 14px; height: 6px; margin: 0 4px 2px 0; vertical-align: middle;
  border-radius: 2px; }}
.op-box {{ background: rgba(255,255,255,0.94); padding: 6px 9px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); max-width: 300px; }}
.op-box h4 {{ margin: 0 0 4px; font-size: 14px; }}
.op-legend i {{ display: inline-block; width: 16px; height: 12px; margin-right: 6px; vertical-align: middle;
  border: 1px solid #888; }}
.op-popup td {{ vertical-align: top; padding: 1px 6px 1px 0; }}
.op-popup th {{ text-align: left; vertical-align: top; padding: 1px 6px 1px 0; white-space: nowrap; }}
.op-popup h4 {{ margin: 0 0 4px; }}
.op-overdue {{ color: #b00000; font-weight: bold; }}
.op-vname {{ font: italic 11px/1.1 Arial, Helvetica, sans-serif; color: #333; white-space: nowrap;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; pointer-events: none; transform: translate(-50%, -50%);
  display: inline-block; }}
.op-names-hidden .op-vname {{ display: none; }}
.op-markers div {{ margin: 2px 0; }}
.op-markers .op-sym {{ display: inline-block; width: 30px; margin-right: 6px; vertical-align: middle;
  text-align: center; }}
.op-markers .op-sym .op-stop-sym, .op-markers .op-sym .op-office {{ display: inline-block; }}
.op-markers .op-dot {{ display: inline-block; width: 10px; height: 10px; border-radius: 5px;
  background: {UNASSIGNED_FILL}; border: 1px solid #444; }}
.op-markers svg {{ vertical-align: middle; }}
.{CLASS_LODGING}, .op-lodging-sym {{ width: 24px; height: 24px; border-radius: 4px 4px 12px 12px; color: #fff;
  border: 2px solid #fff; font: bold 12px/20px Arial, Helvetica, sans-serif; text-align: center;
  box-sizing: border-box; box-shadow: 0 0 3px #000; }}
.op-lodging-avail {{ width: 14px; height: 14px; border-radius: 3px; background: #fff; border: 2px solid #555;
  box-sizing: border-box; }}
.op-markers .op-sym .op-lodging-sym, .op-markers .op-sym .op-lodging-avail {{ display: inline-block; }}
"""


#: JavaScript that adds many markers, circles or lines to a layer from one JSON list (one folium
#: element per item made the map slow to render: branca compiles every element's script as a template).
_BULK_JS = """
function opBind(layer, it) {
  if (it.tip) { layer.bindTooltip(it.tip, {sticky: true}); }
  if (it.popup) { layer.bindPopup(L.popup({maxWidth: 380}).setContent(it.popup)); }
  return layer;
}
function opMarkers(group, items, o) {
  items.forEach(function(it) {
    var icon = L.divIcon({html: it.html, iconSize: o.size, iconAnchor: o.anchor, className: o.className});
    opBind(L.marker([it.lat, it.lon], {icon: icon, interactive: o.interactive !== false,
                                       keyboard: o.interactive !== false, zIndexOffset: o.zIndexOffset || 0}),
           it).addTo(group);
  });
}
function opCircles(group, items, o) {
  items.forEach(function(it) { opBind(L.circleMarker([it.lat, it.lon], o), it).addTo(group); });
}
function opLines(group, items, o) {
  items.forEach(function(it) { opBind(L.polyline(it.pts, o), it).addTo(group); });
}
"""


def _metric_scale():
    """Leaflet's scale bar in kilometres and metres only (Indonesia is metric; folium's ``control_scale`` adds miles)."""
    from branca.element import MacroElement
    from jinja2 import Template

    scale = MacroElement()
    scale._name = "MetricScale"
    scale._template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """)
    return scale


def _bulk_class():
    from branca.element import MacroElement
    from jinja2 import Template

    class _BulkItems(MacroElement):
        _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.fn }}({{ this._parent.get_name() }}, {{ this.items|tojson }}, {{ this.options|tojson }});
        {% endmacro %}
        """)

        def __init__(self, fn: str, items: list[dict], options: dict):
            super().__init__()
            self._name = "BulkItems"
            self.fn, self.items = fn, items
            self.options = {k: v for k, v in options.items() if v is not None}

    return _BulkItems


_BULK_CLASS = None


def _Bulk(fn: str, items: list[dict], options: dict):  # noqa: N802 - used like a class
    """Items (markers, circles or lines, per ``fn`` of ``_BULK_JS``) added to the parent layer in one script."""
    global _BULK_CLASS
    if _BULK_CLASS is None:
        _BULK_CLASS = _bulk_class()
    return _BULK_CLASS(fn, items, options)


def _inline_leaflet(m) -> None:
    from branca.element import Element

    js, css = leaflet_assets()
    m.default_js = []  # instance attributes: folium's class-level CDN lists stay untouched
    m.default_css = []
    root = m.get_root()
    root.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css_inline")
    root.header.add_child(Element(f"<script>{js}</script>"), name="leaflet_js_inline")
    root.header.add_child(Element(f"<style>{_EXTRA_CSS}</style>"), name="outreach_css")
    root.header.add_child(Element(f"<script>{_BULK_JS}</script>"), name="outreach_js")


# --------------------------------------------------------------------------- popups
def _g(x: float, lang: str) -> str:
    """``x`` as short as it is (``98``, ``97,5``: ``:g``) with the decimal mark of ``lang``."""
    return f"{x:g}".replace(".", ",") if lang == "id" else f"{x:g}"


def _esc(x: object) -> str:
    return html.escape(str(x), quote=True)


def _rows(rows: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><th>{_esc(k)}</th><td>{v}</td></tr>" for k, v in rows)


def _resident_rows(ws: Workspace, visit_id: str | None, t) -> list[tuple[str, str]]:
    """Name and address of a home-visit resident or a delivery recipient (internal maps only)."""
    target = visit_target(ws, visit_id)
    if target is None:
        return []
    if hasattr(target, "recipient"):
        return [(t["recipient"], _esc(target.recipient)), (t["address"], _esc(target.address))]
    if hasattr(target, "nik"):
        return [(t["resident"], _esc(target.name)), (t["address"], _esc(target.address))]
    return []


def _stop_popup(plan: Plan, ws: Workspace, route: Route, step, no: int, lang: str, include_names: bool,
                team_name: str) -> str:
    t = labels(lang)
    tz = tzinfo(plan)
    names = {s.id: service_name(s, lang) for s in ws.services}
    when = (f"{t['t_arrive']} {hhmm(step.arrival, tz)} · {t['t_start_end']} {hhmm(step.start, tz)}–"
            f"{hhmm(step.end, tz)} {tz_abbrev(plan)}")
    expected = "<br>".join(f"{_esc(names.get(sid, sid))}: {fmt_int(n, lang)} {t['people']}"
                           for sid, n in step.expected.items() if n) or "–"
    rows = [
        (t["time"], _esc(when)),
        (t["place"], _esc(step.place)),
        (t["activity"], _esc(t["kind"].get(step.kind, step.kind or ""))),
    ]
    village = ws.village_index.get(step.village_code or "")
    if step.kind == "village_session" and village is not None:
        if village.session_place:
            rows.append((t["session_place"], _esc(village.session_place)))
        contact = village_contact(village)
        if contact:
            rows.append((t["contact"], _esc(contact)))
    if step.kind == "delivery":
        days = overdue_days(visit_target(ws, step.visit_id), route.date)
        if days:
            rows.append(("", f'<span class="op-overdue">{_esc(t["overdue"])}</span> '
                             f'({_esc(t["overdue_days"].format(days=days))})'))
    if include_names:
        rows += _resident_rows(ws, step.visit_id, t)
    from ..planning.why import visit_why

    rows += [(t["expected"], expected), (t["why"], _esc(visit_why(step, ws, lang)) or "–")]
    head = f"{_esc(team_name)} · {_esc(format_date(route.date, lang))} · #{no}"
    return f'<div class="op-popup"><h4>{head}</h4><table>{_rows(rows)}</table></div>'


def _unassigned_place(ws: Workspace, u, lang: str) -> tuple[tuple[float, float] | None, str]:
    """Where an unassigned visit is and a shareable label for it."""
    t = labels(lang)
    target = visit_target(ws, u.visit_id)
    village = ws.village_index.get(u.village_code or "")
    vname = village.name if village else (u.village_code or "")
    if target is None:
        return ((village.lon, village.lat) if village else None), u.visit_id
    loc = (target.lon, target.lat)
    if u.kind == "village_session":
        return loc, f"{target.name}, Kec. {target.district_name}"
    if u.kind == "school_session":
        return loc, f"{target.name}, {vname}"
    return loc, f"{t['kind'][u.kind]} {target.id}, {vname}"


# --------------------------------------------------------------------------- legend of markers
def _line_symbol(colour: str, dash: str | None, width: int = 30) -> str:
    """A short SVG line in a route's colour and dash pattern."""
    d = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<svg class="op-line-sym" width="{width}" height="8" style="margin-right:4px;vertical-align:middle">'
            f'<line x1="1" y1="4" x2="{width - 1}" y2="4" stroke="{colour}" stroke-width="4"{d}/></svg>')


def _markers_legend(drawn: list[str], teams: dict[str, tuple[str, str]], routes: list[Route], lang: str) -> str:
    """The legend of what the map draws: an entry per kind in ``drawn`` (``office``, ``stop``,
    ``unassigned``, ``road``), one per team (its colour) and one per day position (its dash)."""
    t = labels(lang)
    rows = [f'<h4>{_esc(t["legend_markers"])}</h4>']
    sym = {
        "office": f'<div class="op-office">{"K" if lang == "id" else "O"}</div>',
        "stop": '<div class="op-stop-sym" style="background:#777">1</div>',
        "unassigned": '<span class="op-dot"></span>',
        "road": _line_symbol(ROAD_COLOUR, None).replace('stroke-width="4"', 'stroke-width="2"'),
        "lodging": '<div class="op-lodging-sym" style="background:#777">1</div>',
        "lodging_all": '<div class="op-lodging-avail"></div>',
    }
    for kind in drawn:
        rows.append(f'<div data-kind="{kind}"><span class="op-sym">{sym[kind]}</span>'
                    f'{_esc(t["legend_" + kind])}</div>')
    for team_id, (name, colour) in teams.items():
        rows.append(f'<div data-kind="team" data-legend-team="{_esc(team_id)}" data-colour="{colour}">'
                    f'<span class="op-sym">{_line_symbol(colour, None)}</span>{_esc(name)}</div>')
    days_per_team = max((sum(1 for r in routes if r.team == tm) for tm in teams), default=0)
    if days_per_team > 1:
        for k in range(min(days_per_team, len(DAY_DASHES))):
            rows.append(f'<div data-kind="day"><span class="op-sym">{_line_symbol("#333", DAY_DASHES[k])}</span>'
                        f'{_esc(t["legend_day"].format(n=k + 1))}</div>')
    return "".join(rows)


# --------------------------------------------------------------------------- the map
def build_map(plan: Plan, ws: Workspace, travel, lang: str = "id", include_names: bool = False,
              tiles: str | None = None):
    """The folium ``Map`` of the week (see the module docstring). Computes nothing; calls no engine.

    Parameters
    ----------
    plan, ws
        The weekly plan and the workspace it was made for.
    travel
        Travel model; only ``travel.path(a, b, profile)`` is used, for the route lines.
    lang
        ``"id"`` (Indonesian) or ``"en"``.
    include_names
        Add resident and recipient names and addresses to popups (internal use only). NIKs never appear.
    tiles
        A folium tile name or URL for a background map; ``None`` (default) draws no tiles, so nothing
        is downloaded.
    """
    import folium
    import shapely
    from branca.element import MacroElement
    from jinja2 import Template

    t = labels(lang)
    tz = tzinfo(plan)
    teams = team_index(ws)
    routes = ordered_routes(plan, ws)

    # extent: the regency outline, else the villages
    if ws.boundary_wkt:
        minx, miny, maxx, maxy = shapely.from_wkt(ws.boundary_wkt).bounds
    else:
        xs = [v.lon for v in ws.villages] + [d.lon for d in ws.depots]
        ys = [v.lat for v in ws.villages] + [d.lat for d in ws.depots]
        minx, miny, maxx, maxy = min(xs), min(ys), max(xs), max(ys)
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=10, tiles=None,
                   control_scale=False)  # folium's scale shows miles too: a metric one below
    _inline_leaflet(m)
    _metric_scale().add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    if tiles:
        folium.TileLayer(tiles, name="tiles", overlay=True, control=True, show=True).add_to(m)

    # panes: coverage polygons under everything else, whichever service is switched on last
    folium.map.CustomPane("coverage", z_index=350, pointer_events=True).add_to(m)

    if ws.boundary_wkt:
        outline = shapely.from_wkt(ws.boundary_wkt).simplify(0.0003)
        folium.GeoJson(shapely.geometry.mapping(outline), name="outline", control=False,
                       style_function=lambda f: {"color": "#333", "weight": 1.5, "fill": False},
                       interactive=False).add_to(m)

    # ---- coverage per service (base layers: one shown at a time)
    shapes = {}
    for v in ws.villages:
        if v.boundary_wkt:
            shapes[v.code] = shapely.geometry.mapping(shapely.from_wkt(v.boundary_wkt).simplify(0.0003))
    legend_items: dict[str, str] = {}
    for i, svc in enumerate(ws.services):
        sname = service_name(svc, lang)
        feats = []
        for v in ws.villages:
            cov = v.coverage(svc.id) if v.eligible.get(svc.id, 0) else None
            gap = gap_points(cov, svc.target) if cov is not None else None
            feats.append({
                "type": "Feature",
                # a village without a boundary shows as a circle at its point
                "geometry": shapes.get(v.code) or {"type": "Point", "coordinates": [v.lon, v.lat]},
                "properties": {
                    "name": v.name,
                    "district": v.district_name,
                    "coverage": fmt_num(100 * cov, 1, lang) + "%" if cov is not None else t["legend_no_data"],
                    "gap": (t["points_below"].format(gap=fmt_dec(gap, 1, lang)) if gap else t["at_target"])
                    if gap is not None else "–",
                    "fill": gap_colour(cov, svc.target),
                },
            })
        layer_name = (f'<span class="{CLASS_COVERAGE_LAYER}" data-sid="{_esc(svc.id)}">'
                      f'{_esc(t["coverage_layer"].format(service=sname))}</span>')
        fg = folium.FeatureGroup(name=layer_name, overlay=False, show=(i == 0))
        folium.GeoJson(
            {"type": "FeatureCollection", "features": feats},
            style_function=lambda f: {"fillColor": f["properties"]["fill"], "fillOpacity": 0.75,
                                      "color": "#666", "weight": 0.6},
            highlight_function=lambda f: {"weight": 2, "color": "#000"},
            tooltip=folium.GeoJsonTooltip(
                fields=["name", "district", "coverage", "gap"],
                aliases=[t["village"], t["district"], f"{t['coverage']} ({sname})", t["gap"]]),
            marker=folium.CircleMarker(radius=9, pane="coverage"),
            pane="coverage",
        ).add_to(fg)
        fg.add_to(m)
        target = _g(100 * svc.target, lang) + "%"
        rows = [f'<div><i style="background:{AT_TARGET_COLOUR}"></i>{_esc(t["legend_at_target"])}</div>']
        for (lo, hi), colour in zip(GAP_BINS, GAP_COLOURS):
            text = (t["legend_below"].format(lo=_g(lo, lang), hi=_g(hi, lang)) if hi is not None
                    else t["legend_below_open"].format(lo=_g(lo, lang)))
            rows.append(f'<div><i style="background:{colour}"></i>{_esc(text)}</div>')
        legend_items[svc.id] = (
            f'<h4>{_esc(t["legend_title"].format(service=sname))}</h4>'
            f'<div><b>{_esc(t["legend_target"].format(target=target))}</b></div>' + "".join(rows))

    # ---- roads and village names (under the routes)
    drawn: list[str] = []  # kinds of marker and line on the map, for the legend
    roads = _road_lines(travel)
    if roads:
        folium.map.CustomPane("roads", z_index=380, pointer_events=False).add_to(m)
        rg = folium.FeatureGroup(name=f'<span class="{CLASS_ROAD_LAYER}">{_esc(t["roads_layer"])}</span>',
                                 overlay=True, show=True)
        folium.GeoJson({"type": "MultiLineString", "coordinates": [[[float(x), float(y)] for x, y in line]
                                                                   for line in roads]},
                       style_function=lambda f: {"color": ROAD_COLOUR, "weight": 2, "opacity": 0.9},
                       interactive=False, pane="roads", class_name=CLASS_ROAD_LINE).add_to(rg)
        rg.add_to(m)
        drawn.append("road")
    ng = folium.FeatureGroup(name=f'<span class="{CLASS_NAMES_LAYER}">{_esc(t["names_layer"])}</span>',
                             overlay=True, show=True)
    _Bulk("opMarkers", [{"lat": v.lat, "lon": v.lon, "html": f'<span class="op-vname">{_esc(v.name)}</span>'}
                        for v in ws.villages],
          {"size": [0, 0], "anchor": [0, 0], "className": "op-vname-icon", "interactive": False}).add_to(ng)
    ng.add_to(m)

    # ---- workspace lodgings (where a field trip may sleep), under the routes
    lodgings = lodging_index(ws)
    if lodgings:
        lg_layer = folium.FeatureGroup(
            name=f'<span class="{CLASS_LODGINGS_LAYER}">{_esc(t["lodgings_layer"])} ({len(lodgings)})</span>',
            overlay=True, show=True)
        _Bulk("opMarkers", [{
            "lat": lg.lat, "lon": lg.lon, "html": '<div class="op-lodging-avail"></div>',
            "tip": f"{_esc(t['lodging'])}: {_esc(lodging_label(lg, lang))}",
            "popup": (f'<div class="op-popup"><h4>{_esc(lg.name)}</h4><table>'
                      + _rows([(t["lodging"], _esc(lodging_label(lg, lang))),
                               (t["capacity"], f"{lg.capacity} {_esc(t['teams'])}")]
                              + ([(t["village"], _esc(ws.village_index[lg.village_code].name))]
                                 if lg.village_code in ws.village_index else [])
                              + ([("", _esc(t["note_approx"]))] if lg.approximate else []))
                      + "</table></div>")} for lg in lodgings.values()],
              {"size": [14, 14], "anchor": [7, 7], "zIndexOffset": 700,
               "className": "op-lodging-avail-icon"}).add_to(lg_layer)
        lg_layer.add_to(m)
        drawn.append("lodging_all")

    # ---- routes: one layer per day trip, one per field trip (its days and nights together)
    styles = route_styles(routes, [tm.id for tm in ws.teams])
    legend_teams: dict[str, tuple[str, str]] = {}  # team id -> (name, colour), in route order
    for group in route_groups(routes):
        first = group[0]
        team = teams.get(first.team)
        tname = team.name if team else first.team
        colour, dash0 = styles[(first.team, first.date)]
        legend_teams.setdefault(first.team, (tname, colour))
        n_visits = sum(len(stop_numbers(r)) for r in group)
        if first.trip:
            a, b = trip_span(group, lang)
            nights = len(trip_nights(group))
            label = (f'{_esc(tname)} · {_esc(t["trip_layer"].format(first=a, last=b))} '
                     f'({n_visits} {t["stops"]}, {_esc(t["trip_nights"].format(n=nights))})')
            layer_name = (f'<span class="{CLASS_ROUTE_LAYER}" data-team="{_esc(first.team)}" '
                          f'data-trip="{_esc(first.trip)}" data-date="{first.date}">'
                          f'{_line_symbol(colour, dash0)}{label}</span>')
        else:
            layer_name = (f'<span class="{CLASS_ROUTE_LAYER}" data-team="{_esc(first.team)}" data-date="{first.date}">'
                          f'{_line_symbol(colour, dash0)}'
                          f'{_esc(tname)} · {_esc(format_date(first.date, lang, short=True))} '
                          f'({n_visits} {t["stops"]})</span>')
        fg = folium.FeatureGroup(name=layer_name, overlay=True, show=True)
        prof = profile(ws, first.team)
        nights_drawn: list[dict] = []
        for r in group:
            _, dash = styles[(r.team, r.date)]
            numbers = stop_numbers(r)
            day = format_date(r.date, lang, short=True)
            lines: list[dict] = []
            for leg in legs(r):
                pts = leg_path(travel, leg, prof)
                if leg.to_stop:
                    dest = f"#{leg.to_stop}"
                elif leg.end.type == "night":
                    dest = place_label(ws, r.end_place, lang, fallback=leg.end.place)
                else:
                    dest = t["office"]
                lines.append({
                    "pts": [[round(lat, 6), round(lon, 6)] for lon, lat in pts],
                    "tip": f"{_esc(tname)} · {_esc(day)}: → {_esc(dest)} "
                           f"({fmt_int(leg.end.travel_s / 60, lang)} {t['minutes']}, "
                           f"{fmt_dec(leg.end.distance_m / 1000, 1, lang)} km)"})
            stops: list[dict] = []
            for i, s in enumerate(r.steps):
                if i not in numbers or s.location is None:
                    continue
                no = numbers[i]
                lon, lat = s.location
                stops.append({"lat": lat, "lon": lon,
                              "html": f'<div class="{CLASS_STOP}" style="background:{colour}">{no}</div>',
                              "tip": f"{_esc(day)} #{no} {hhmm(s.start, tz)} {_esc(s.place)}" if r.trip
                              else f"#{no} {hhmm(s.start, tz)} {_esc(s.place)}",
                              "popup": _stop_popup(plan, ws, r, s, no, lang, include_names, tname)})
                if "stop" not in drawn:
                    drawn.append("stop")
            if r.away_night:
                night = r.steps[-1]
                lg = lodgings.get(r.end_place)
                loc = night.location or ((lg.lon, lg.lat) if lg is not None else None)
                if loc is not None:
                    where = place_label(ws, r.end_place, lang, fallback=night.place)
                    k = len(nights_drawn) + 1
                    arrive = t["night_arrive"].format(time=hhmm(night.arrival, tz))
                    tip = f"{_esc(tname)} · {_esc(t['night_at'].format(place=where))} ({_esc(day)}, {_esc(arrive)})"
                    table = _rows([(t["nights_here"], _esc(where)), (t["time"], f"{_esc(arrive)} {tz_abbrev(plan)}"),
                                   (t["trip_label"], _esc(trip_summary(group, ws, lang)))])
                    popup = (f'<div class="op-popup"><h4>{_esc(tname)} · {_esc(format_date(r.date, lang))}</h4>'
                             f"<table>{table}</table></div>")
                    nights_drawn.append({"lat": loc[1], "lon": loc[0], "tip": tip, "popup": popup,
                                         "html": f'<div class="{CLASS_LODGING}" data-trip="{_esc(r.trip or "")}" '
                                                 f'data-night="{k}" style="background:{colour}">{k}</div>'})
            _Bulk("opLines", lines, {"color": colour, "weight": 4, "opacity": 0.95, "dashArray": dash,
                                     "className": CLASS_ROUTE_LINE}).add_to(fg)
            _Bulk("opMarkers", stops, {"size": [22, 22], "anchor": [11, 11], "className": "op-stop-icon"}).add_to(fg)
        if nights_drawn:
            _Bulk("opMarkers", nights_drawn, {"size": [24, 24], "anchor": [12, 12], "zIndexOffset": 800,
                                              "className": "op-lodging-icon"}).add_to(fg)
            if "lodging" not in drawn:
                drawn.append("lodging")
        fg.add_to(m)

    # ---- visits left out
    grouped: dict[tuple[float, float], list[tuple[object, str]]] = defaultdict(list)
    for u in plan.unassigned:
        loc, label = _unassigned_place(ws, u, lang)
        if loc is not None:
            grouped[(round(loc[0], 6), round(loc[1], 6))].append((u, label))
    ug = folium.FeatureGroup(
        name=f'<span class="{CLASS_UNASSIGNED_LAYER}">{_esc(t["unassigned_layer"].format(n=len(plan.unassigned)))}'
             "</span>",
        overlay=True, show=True)
    dots = []
    for (lon, lat), items in grouped.items():
        parts = []
        for u, label in items:
            rows = [(t["activity"], _esc(t["kind"].get(u.kind, u.kind))),
                    (t["reason_label"], _esc(t["unassigned_reason"].get(u.reason, u.reason))),
                    ("", _esc((u.detail_id or u.detail) if lang == "id" else u.detail)),
                    (t["value"], fmt_dec(u.value, 1, lang))]
            if include_names:
                rows[1:1] = _resident_rows(ws, u.visit_id, t)
            parts.append(f"<h4>{_esc(label)}</h4><table>{_rows(rows)}</table>")
        dots.append({"lat": lat, "lon": lon,
                     "tip": f"{_esc(t['unassigned_title'])}: {_esc(items[0][1])}"
                            + (f" (+{len(items) - 1})" if len(items) > 1 else ""),
                     "popup": f'<div class="op-popup">{"<hr>".join(parts)}</div>'})
    _Bulk("opCircles", dots, {"radius": 5, "color": "#444", "weight": 1, "fill": True, "fillColor": UNASSIGNED_FILL,
                              "fillOpacity": 0.9, "className": "op-unassigned-dot"}).add_to(ug)
    ug.add_to(m)
    if grouped:
        drawn.append("unassigned")

    # ---- the office(s)
    for d in ws.depots:
        folium.Marker(
            [d.lat, d.lon],
            icon=folium.DivIcon(html='<div class="op-office">K</div>' if lang == "id"
                                else '<div class="op-office">O</div>',
                                icon_size=(26, 26), icon_anchor=(13, 13), class_name="op-office-icon"),
            tooltip=f"{_esc(t['office'])}: {_esc(d.name)}", z_index_offset=1000,
        ).add_to(m)
    if ws.depots:
        drawn.insert(0, "office")

    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    markers_legend = _markers_legend(drawn, legend_teams, routes, lang)
    if (plan.summary or {}).get("travel_model") == "great_circle":  # no road network: say the times are estimates
        markers_legend += f'<div data-kind="travel-estimate"><i>{_esc(labels(lang)["travel_estimate"])}</i></div>'

    # ---- title and legend (Leaflet controls); the legend follows the chosen coverage layer
    week = week_words(plan.week, lang, {r.date for r in plan.routes})  # 7–11 Desember 2026, not 2026-W50
    title = (f'<h4>{_esc(t["map_title"])} · {_esc(t["map_week"])} {_esc(week)}</h4>'
             f'<div>{_esc(plan.workspace)}</div>'
             f'<div>{len(plan.visit_steps)} {_esc(t["stops"])}, {len(plan.routes)} {_esc(t["team_days"])}; '
             f'{_esc(t["unassigned_title"]).lower()}: {len(plan.unassigned)}</div>'
             f'<div style="color:#555">{_esc(t["plan_id"])} {_esc(plan_id(plan))} {tz_abbrev(plan)}</div>'
             f'<div>{_esc(t["all_routes"])}: <a href="#" class="op-all-routes" data-show="1">{_esc(t["show"])}</a>'
             f' · <a href="#" class="op-all-routes" data-show="0">{_esc(t["hide"])}</a></div>')
    first = ws.services[0].id if ws.services else ""

    class _Controls(MacroElement):
        _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
          var map = {{ this._parent.get_name() }};
          var legends = {{ this.legends|tojson }};
          function box(pos, cls, html) {
            var c = L.control({position: pos});
            c.onAdd = function() {
              var d = L.DomUtil.create('div', 'op-box ' + cls);
              d.innerHTML = html;
              L.DomEvent.disableClickPropagation(d);
              return d;
            };
            c.addTo(map);
            return c;
          }
          box('topleft', 'op-title', {{ this.title|tojson }});
          var legend = box('bottomleft', 'op-legend', legends[{{ this.first|tojson }}] || '');
          box('bottomright', 'op-markers', {{ this.markers|tojson }});
          // village names from zoom {{ this.name_zoom }} on
          function names() {
            var c = map.getContainer();
            if (map.getZoom() < {{ this.name_zoom }}) { c.classList.add('op-names-hidden'); }
            else { c.classList.remove('op-names-hidden'); }
          }
          map.on('zoomend', names);
          names();
          // show or hide every route layer at once (the layer control's own check boxes)
          document.querySelectorAll('.op-all-routes').forEach(function(a) {
            a.addEventListener('click', function(ev) {
              ev.preventDefault();
              var want = a.getAttribute('data-show') === '1';
              document.querySelectorAll('.leaflet-control-layers-overlays label').forEach(function(l) {
                var input = l.querySelector('input');
                if (l.querySelector('.op-route') && input && input.checked !== want) { input.click(); }
              });
            });
          });
          map.on('baselayerchange', function(e) {
            var m = /data-sid="([^"]+)"/.exec(e.name || '');
            if (m && legends[m[1]]) { legend.getContainer().innerHTML = legends[m[1]]; }
          });
        })();
        {% endmacro %}
        """)

        def __init__(self):
            super().__init__()
            self._name = "OutreachControls"
            self.legends = legend_items
            self.title = title
            self.first = first
            self.markers = markers_legend
            self.name_zoom = NAME_ZOOM

    _Controls().add_to(m)
    return m


def map_html(plan: Plan, ws: Workspace, travel, lang: str = "id", include_names: bool = False,
             tiles: str | None = None) -> str:
    """The complete, self-contained HTML of the map."""
    m = build_map(plan, ws, travel, lang=lang, include_names=include_names, tiles=tiles)
    text = m.get_root().render()
    title = f"{labels(lang)['map_title']} {week_words(plan.week, lang, {r.date for r in plan.routes})}"
    return text.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)


def render_map(plan: Plan, ws: Workspace, travel, path: Path | str, lang: str = "id",
               include_names: bool = False, tiles: str | None = None) -> Path:
    """Write the map to ``path`` (normally ``map.html``) atomically; returns the path."""
    return write_bytes_atomic(Path(path), map_html(plan, ws, travel, lang, include_names, tiles).encode("utf-8"))


def route_groups(routes: list[Route]) -> list[list[Route]]:
    """The map's route layers, in the order of ``routes``: one per day trip, one per field trip (its
    team-days in date order)."""
    groups: dict[object, list[Route]] = {}
    for r in routes:
        groups.setdefault(("trip", r.team, r.trip) if r.trip else ("day", r.team, r.date), []).append(r)
    return [sorted(g, key=lambda r: r.date) for g in groups.values()]


def route_layer_count(plan: Plan) -> int:
    """How many route layers the map has: one per day trip and one per field trip."""
    return len(route_groups(list(plan.routes)))


def external_resources(text: str) -> list[str]:
    """URLs the HTML would load from the network (``src=``/``href=`` of scripts, links and CSS ``url()``)."""
    found = re.findall(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""", text)
    found += re.findall(r"""url\(\s*["']?((?:https?:)?//[^)"']+)""", text)
    return found


__all__ = [
    "AT_TARGET_COLOUR",
    "GAP_BINS",
    "GAP_COLOURS",
    "build_map",
    "external_resources",
    "gap_colour",
    "map_html",
    "render_map",
    "route_groups",
    "route_layer_count",
]
