"""``read_workspace(path) -> Workspace``: read, check and report every problem in one pass.

A workspace is a folder with ``workspace.toml`` and the layers it names. Each layer
can be CSV (``lon``/``lat`` columns), GeoJSON, a GeoPackage layer, a Shapefile or an
XLSX sheet. See ``docs/workspace.md`` for the format.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import InputError, InputWarning, Problem
from ..i18n import _, fmt_dec, fmt_pct, language
from ..model import (
    Calendar,
    Delivery,
    Depot,
    HomeVisitRequest,
    Lodging,
    Policy,
    Regency,
    School,
    Service,
    Team,
    TravelConfig,
    Village,
    Workspace,
    break_findings,
    cross_check,
    mask_nik,
)
from ..model.workspace import OVER_COVERAGE_TOLERANCE, unknown_village_code, where_label
from ._text import best_header_guess, decode, delimiter_name, read_csv_rows

#: A point further than this outside the regency boundary is an error, nearer a warning.
OUTSIDE_ERROR_KM = 5.0
_KM_PER_DEGREE = 111.32

SPATIAL_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp"}
TABLE_SUFFIXES = {".csv", ".xlsx", ".xlsm"}


# --------------------------------------------------------------------------- layer schemas
# column -> (kind, required). Kinds: str, int, float, date, list, windows, wkt.
_BASE_SCHEMAS: dict[str, dict[str, tuple[str, bool]]] = {
    "villages": {
        "code": ("str", True),
        "name": ("str", True),
        "district_code": ("str", True),
        "district_name": ("str", True),
        "population": ("int", True),
        "postal_code": ("str", False),
        "contact_name": ("str", False),
        "contact_role": ("str", False),
        "contact_phone": ("str", False),
        "session_place": ("str", False),
        "lon": ("float", True),
        "lat": ("float", True),
        "wkt": ("wkt", False),
    },
    "schools": {
        "id": ("str", True),
        "name": ("str", True),
        "level": ("str", False),
        "village_code": ("str", True),
        "lon": ("float", True),
        "lat": ("float", True),
        "notes": ("str", False),
    },
    "home_visit_requests": {
        "id": ("str", True),
        "name": ("str", True),
        "nik": ("str", False),
        "reason": ("str", True),
        "services": ("list", True),
        "village_code": ("str", True),
        "lon": ("float", True),
        "lat": ("float", True),
        "address": ("str", False),
        "windows": ("windows", False),
        "requested_on": ("date", True),
        "notes": ("str", False),
    },
    "deliveries": {
        "id": ("str", True),
        "document": ("str", True),
        "recipient": ("str", True),
        "village_code": ("str", True),
        "lon": ("float", True),
        "lat": ("float", True),
        "address": ("str", False),
        "ready_on": ("date", True),
        "due_on": ("date", False),
    },
    "lodgings": {
        "id": ("str", True),
        "name": ("str", True),
        "kind": ("str", False),
        "capacity": ("int", False),
        "cost_per_night": ("float", False),
        "approximate": ("str", False),
        "village_code": ("str", False),
        "lon": ("float", True),
        "lat": ("float", True),
    },
}

def _kind_help(kind: str) -> str:
    """What a cell of ``kind`` must hold, in the language in use."""
    return {"int": _("read.kind_int", id="bilangan bulat", en="a whole number"),
            "float": _("read.kind_float", id="angka", en="a number"),
            "date": _("read.kind_date", id="tanggal YYYY-MM-DD", en="a date YYYY-MM-DD"),
            "str": _("read.kind_str", id="teks", en="text")}.get(kind, kind)


def layer_schema(layer: str, services: tuple[Service, ...]) -> dict[str, tuple[str, bool]]:
    """Columns of ``layer`` for the declared services: name -> (kind, required)."""
    schema = dict(_BASE_SCHEMAS[layer])
    if layer == "villages":
        for s in services:
            schema[f"{s.id}_eligible"] = ("int", True)
            schema[f"{s.id}_covered"] = ("int", True)
    elif layer == "schools":
        for s in services:
            if s.at_schools:
                schema[f"{s.id}_needed"] = ("int", True)
    return schema


# --------------------------------------------------------------------------- small helpers
@dataclass
class _Collector:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, source: str, where: str, fld: str, value: object, message: str) -> None:
        self.problems.append(Problem(source, where, fld, value, message))

    def warn(self, text: str) -> None:
        self.warnings.append(text)


def _is_blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


def _coerce(kind: str, v: Any) -> Any:
    """Convert one cell to ``kind``. Raises ValueError with a short reason."""
    if kind == "str":
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip()
    if kind == "int":
        if isinstance(v, bool):
            raise ValueError
        if isinstance(v, int):
            return v
        if isinstance(v, float):
            if not v.is_integer():
                raise ValueError
            return int(v)
        text = str(v).strip().replace(" ", "")
        f = float(text)  # "1e3", "12.0" are fine, "abc" raises
        if not f.is_integer():
            raise ValueError
        return int(f)
    if kind == "float":
        if isinstance(v, bool):
            raise ValueError
        return float(str(v).strip().replace(",", ".")) if isinstance(v, str) else float(v)
    if kind == "date":
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        if hasattr(v, "to_pydatetime"):  # pandas Timestamp
            return v.to_pydatetime().date()
        return dt.date.fromisoformat(str(v).strip()[:10])
    if kind == "list":
        return tuple(p.strip() for p in str(v).replace(",", ";").split(";") if p.strip())
    if kind == "windows":
        return tuple(p.strip() for p in str(v).split(";") if p.strip())
    if kind == "wkt":
        return str(v).strip()
    raise AssertionError(kind)


_STRICT_EXAMPLE = {"int_type": "40", "float_type": "0.5", "bool_type": "true"}


def _strict_kind(t: str) -> str:
    return {"int_type": _kind_help("int"), "float_type": _kind_help("float"),
            "bool_type": _("read.kind_bool", id="true atau false", en="true or false")}[t]


def _type_message(e: dict, loc: str) -> str | None:
    """A clearer message for a TOML value of the wrong type (text where a number belongs)."""
    if e["type"] not in _STRICT_EXAMPLE:
        return None
    kind = _strict_kind(e["type"])
    value = e.get("input")
    key = str(e["loc"][-1]) if e["loc"] else loc
    if isinstance(value, str):
        text = value.strip()
        example = text if _looks_like(e["type"], text) else _STRICT_EXAMPLE[e["type"]]
        return _("read.quoted", id="seharusnya {k}, tetapi tertulis teks (dalam tanda kutip); tulis tanpa tanda kutip: "
                 "{name} = {ex}", en="expected {k}, got text (in quotes); write it without quotes: {name} = {ex}",
                 k=kind, name=key, ex=example)
    if e["type"] == "int_type" and isinstance(value, float):
        return _("read.got_float", id="seharusnya {k}, tertulis {v}", en="expected {k}, got {v}", k=kind, v=repr(value))
    if isinstance(value, bool):
        return _("read.got_bool", id="seharusnya {k}, tertulis true/false", en="expected {k}, got a boolean", k=kind)
    return _("read.expected", id="seharusnya {k}", en="expected {k}", k=kind)


def _or(expected: str) -> str:
    """pydantic's list of allowed values ("'a', 'b' or 'c'") with the language's "or"."""
    return expected.replace(" or ", _("read.or", id=" atau ", en=" or "))


def _pydantic_message(e: dict) -> str:
    """pydantic's message for one error, by its ``type``, in the language in use (the validators' own
    messages, ``value_error``, are in that language already). The field, row and value are shown by the
    Problem; an unlisted type gets a generic text in Indonesian and pydantic's own in English."""
    t, ctx = e["type"], e.get("ctx") or {}
    if t == "value_error" or t == "assertion_error":
        return e["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    table = {
        "missing": lambda: _("pyd.missing", id="wajib diisi, tetapi tidak ada", en="required, but missing"),
        "extra_forbidden": lambda: _("pyd.extra", id="kunci tidak dikenal di sini; periksa ejaannya (lihat "
                                     "docs/workspace.md)", en="unknown key here; check its spelling (see "
                                     "docs/workspace.md)"),
        "int_parsing": lambda: _("read.expected", id="seharusnya {k}", en="expected {k}", k=_kind_help("int")),
        "int_from_float": lambda: _("read.expected", id="seharusnya {k}", en="expected {k}", k=_kind_help("int")),
        "float_parsing": lambda: _("read.expected", id="seharusnya {k}", en="expected {k}", k=_kind_help("float")),
        "finite_number": lambda: _("pyd.finite", id="seharusnya angka yang terhingga", en="expected a finite number"),
        "bool_parsing": lambda: _("read.expected", id="seharusnya {k}", en="expected {k}",
                                  k=_("read.kind_bool", id="true atau false", en="true or false")),
        "string_type": lambda: _("pyd.string", id="seharusnya teks (dalam tanda kutip)",
                                 en="expected text (in quotes)"),
        "string_pattern_mismatch": lambda: _("pyd.pattern", id="bentuknya tidak sesuai pola {p}",
                                             en="does not match the pattern {p}", p=ctx.get("pattern", "")),
        "string_too_short": lambda: _("pyd.too_short_text", id="terlalu pendek (sedikitnya {n} karakter)",
                                      en="too short (at least {n} characters)", n=ctx.get("min_length", "")),
        "too_short": lambda: _("pyd.too_short", id="terlalu sedikit isi (sedikitnya {n})",
                               en="too few items (at least {n})", n=ctx.get("min_length", "")),
        "too_long": lambda: _("pyd.too_long", id="terlalu banyak isi (paling banyak {n})",
                              en="too many items (at most {n})", n=ctx.get("max_length", "")),
        "greater_than": lambda: _("pyd.gt", id="harus lebih besar dari {n}", en="must be greater than {n}",
                                  n=ctx.get("gt", "")),
        "greater_than_equal": lambda: _("pyd.ge", id="harus {n} atau lebih", en="must be {n} or more",
                                        n=ctx.get("ge", "")),
        "less_than": lambda: _("pyd.lt", id="harus lebih kecil dari {n}", en="must be less than {n}",
                               n=ctx.get("lt", "")),
        "less_than_equal": lambda: _("pyd.le", id="harus {n} atau kurang", en="must be {n} or less",
                                     n=ctx.get("le", "")),
        "literal_error": lambda: _("pyd.literal", id="nilai tidak dikenal; yang boleh: {allowed}",
                                   en="unknown value; allowed: {allowed}", allowed=_or(str(ctx.get("expected", "")))),
        "enum": lambda: _("pyd.literal", id="nilai tidak dikenal; yang boleh: {allowed}",
                          en="unknown value; allowed: {allowed}", allowed=_or(str(ctx.get("expected", "")))),
        "date_parsing": lambda: _("read.expected", id="seharusnya {k}", en="expected {k}", k=_kind_help("date")),
        "date_from_datetime_parsing": lambda: _("read.expected", id="seharusnya {k}", en="expected {k}",
                                                k=_kind_help("date")),
        "date_type": lambda: _("read.expected", id="seharusnya {k}", en="expected {k}", k=_kind_help("date")),
        "tuple_type": lambda: _("pyd.list", id="seharusnya daftar, mis. [\"mon\", \"tue\"]",
                                en="expected a list, e.g. [\"mon\", \"tue\"]"),
        "list_type": lambda: _("pyd.list", id="seharusnya daftar, mis. [\"mon\", \"tue\"]",
                               en="expected a list, e.g. [\"mon\", \"tue\"]"),
        "dict_type": lambda: _("pyd.table", id="seharusnya tabel TOML (kunci = nilai)",
                               en="expected a TOML table (key = value)"),
        "model_type": lambda: _("pyd.table", id="seharusnya tabel TOML (kunci = nilai)",
                                en="expected a TOML table (key = value)"),
        "model_attributes_type": lambda: _("pyd.table", id="seharusnya tabel TOML (kunci = nilai)",
                                           en="expected a TOML table (key = value)"),
        "frozen_instance": lambda: _("pyd.frozen", id="tidak dapat diubah", en="cannot be changed"),
    }
    if t in table:
        return table[t]()
    if language() == "en":
        return e["msg"]
    return _("pyd.other", id="nilai tidak valid ({t})", en="invalid value ({t})", t=t)


def _looks_like(kind: str, text: str) -> bool:
    if kind == "bool_type":
        return text in ("true", "false")
    try:
        x = float(text)
    except ValueError:
        return False
    return kind != "int_type" or x.is_integer()


def _validation_problems(err: ValidationError, source: str, where: str, out: _Collector) -> None:
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        msg = _type_message(e, loc) or _pydantic_message(e)
        # A record-level error's input is the whole record: noise, and personal data (names, addresses).
        value = e.get("input") if e["type"] != "missing" and e["loc"] else None
        if e["loc"][:1] == ("nik",) and value is not None:
            value = mask_nik(str(value))  # personal data: never print a NIK in full
        out.add(source, where, loc, value, msg)


def _build(model: type[BaseModel], data: dict, source: str, where: str, out: _Collector) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        _validation_problems(err, source, where, out)
        return None


# --------------------------------------------------------------------------- geometry helpers
class _Area:
    """The regency outline (or the villages' union), for the outside-the-regency checks."""

    def __init__(self, geom: Any):
        import shapely

        self.geom = geom
        shapely.prepare(geom)

    def contains(self, lon: float, lat: float) -> bool:
        import shapely

        return bool(self.geom.covers(shapely.Point(lon, lat)))

    def distance_km(self, lon: float, lat: float) -> float:
        import shapely

        return float(self.geom.distance(shapely.Point(lon, lat))) * _KM_PER_DEGREE


def _check_point(
    lon: float, lat: float, area: _Area | None, source: str, where: str, out: _Collector
) -> bool:
    """Check a lon/lat pair; record a problem or a warning. Return False when unusable."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        out.add(source, where, "lon/lat", f"{lon}, {lat}", _("read.nan", id="koordinat kosong atau bukan angka (NaN)",
                                                            en="coordinates are missing or not a number (NaN)"))
        return False
    in_degrees = -180 <= lon <= 180 and -90 <= lat <= 90
    swapped_ok = -180 <= lat <= 180 and -90 <= lon <= 90
    if area is not None:
        if in_degrees and area.contains(lon, lat):
            return True
        if swapped_ok and area.contains(lat, lon):
            out.add(source, where, "lon/lat", f"lon={lon}, lat={lat}",
                    _("read.swapped", id="lintang dan bujur tampak tertukar: titiknya di luar kabupaten, tetapi "
                      "(lon={lat}, lat={lon}) di dalamnya; tukar kedua kolom", en="latitude and longitude look "
                      "swapped: the point lies outside the regency, but (lon={lat}, lat={lon}) lies inside it; swap "
                      "the two columns", lon=lon, lat=lat))
            return False
    if not in_degrees:
        out.add(source, where, "lon/lat", f"lon={lon}, lat={lat}",
                _("read.projected", id="bukan derajat WGS84 (lon -180..180, lat -90..90): lapisannya tampak "
                  "terproyeksi (mis. meter UTM). Nyatakan CRS-nya di [layers], mis. {example}, atau ubah ke "
                  "EPSG:4326", en="not WGS84 degrees (lon -180..180, lat -90..90): the layer looks projected "
                  "(e.g. UTM metres). Declare its CRS in [layers], e.g. {example}, or convert it to EPSG:4326",
                  example='{ path = "file.csv", crs = "EPSG:32751" }'))
        return False
    if area is not None:
        km = area.distance_km(lon, lat)
        if km > OUTSIDE_ERROR_KM:
            out.add(source, where, "lon/lat", f"lon={lon}, lat={lat}",
                    _("read.outside_far", id="titiknya {km} km di luar batas kabupaten (lebih dari {max} km ditolak); "
                      "periksa koordinatnya", en="the point lies {km} km outside the regency boundary (more than "
                      "{max} km is refused); check the coordinates", km=fmt_dec(km, 1), max=f"{OUTSIDE_ERROR_KM:g}"))
            return False
        dist = f"{fmt_dec(km, 1)} km" if km >= 1 else f"{km * 1000:.0f} m"
        out.warn(_("read.outside_near", id="{src}, {where}: titik (lon={lon}, lat={lat}) {d} di luar batas "
                   "kabupaten; ", en="{src}, {where}: the point (lon={lon}, lat={lat}) lies {d} outside the regency "
                   "boundary; ", src=source, where=where, lon=lon, lat=lat, d=dist) + _(
                     "read.outside_regency_fix",
                     id="perbaiki lon/lat bila tempatnya di dalam kabupaten; untuk desa, pakai titik berbobot "
                        "penduduk (outreach-planner init menuliskannya) atau titik di dalam poligon desa; titik di "
                        "pantai atau pulau kecil bisa sedikit di luar garis batas yang disederhanakan",
                     en="correct lon/lat if the place is inside the regency; for a village, use its "
                        "population-weighted point (outreach-planner init writes it) or a point inside its polygon; "
                        "a point on the shore or a small island may lie just outside a simplified outline"))
    return True


def _check_own_polygon(v: dict, source: str, where: str, out: _Collector) -> None:
    """Warn when a village's stop point lies outside its own polygon (a centroid of a strip or a village of
    several islands), naming a point inside it to use instead."""
    import shapely

    wkt = v.get("wkt")
    if not wkt:
        return
    poly = shapely.from_wkt(wkt)
    if poly.geom_type not in ("Polygon", "MultiPolygon") or poly.is_empty:
        return
    pt = shapely.Point(v["lon"], v["lat"])
    if poly.covers(pt):
        return
    inside = poly.representative_point()
    m = poly.distance(pt) * _KM_PER_DEGREE * 1000
    dist = f"{fmt_dec(m / 1000, 1)} km" if m >= 1000 else f"{max(m, 1):.0f} m"
    out.warn(_("read.outside_own_polygon",
               id="{source}, {where}: titik singgah desa (lon={lon}, lat={lat}) berada {dist} di luar poligon desanya "
                  "sendiri (titik tengah desa memanjang atau desa kepulauan?). Pakai titik berbobot penduduk "
                  "(outreach-planner init menuliskannya) atau titik di dalam desa, misalnya lon={ilon:.6f}, "
                  "lat={ilat:.6f}",
               en="{source}, {where}: the village's stop point (lon={lon}, lat={lat}) lies {dist} outside its own "
                  "polygon (the centroid of a long strip or of a village of several islands?). Use the "
                  "population-weighted point (outreach-planner init writes it) or a point inside the village, "
                  "e.g. lon={ilon:.6f}, lat={ilat:.6f}",
               source=source, where=where, lon=v["lon"], lat=v["lat"], dist=dist, ilon=inside.x, ilat=inside.y))


# --------------------------------------------------------------------------- reading layers
@dataclass
class _Table:
    source: str
    columns: list[str]
    rows: list[dict[str, Any]]
    geoms: list[Any] | None  # shapely geometries in EPSG:4326, or None for plain tables
    numbers: list[int] | None = None  # spreadsheet row number of each row (CSV, Excel)
    broken: set[int] = field(default_factory=set)  # rows reported already (cells shifted): not read


def _header_columns(layer: str) -> list[str]:
    """The columns that identify the header row of a layer (its base required columns)."""
    return [c for c, (_, req) in _BASE_SCHEMAS.get(layer, {}).items() if req]


def _grid_table(source: str, layer: str, grid: list[list[Any]], numbers: list[int],
                blank: Any, out: _Collector) -> _Table:
    """Rows of cells -> a table: find the header row (below title rows), name the cells."""
    if not grid:
        return _Table(source, [], [], None, [])
    wanted = _header_columns(layer)
    at = 0
    if wanted:
        guess, hits = best_header_guess(grid, wanted)
        first = len(set(wanted) & {str(c).strip() for c in grid[0] if c is not None})
        if hits > first:
            at = guess
            above = numbers[at] - 1
            if above == 1:
                out.warn(_("read.header_row1", id="{src}: judul kolom ada di baris {r}; 1 baris di atasnya (judul atau "
                           "judul kelompok yang digabung) dilewati. Letakkan judul kolom di baris 1 agar pesan ini "
                           "hilang", en="{src}: the header is on row {r}; the 1 row above it (a title or a merged "
                           "group header) were skipped. Keep the header on row 1 to silence this", src=source,
                           r=numbers[at]))
            else:
                out.warn(_("read.header_row", id="{src}: judul kolom ada di baris {r}; {n} baris di atasnya (judul atau "
                           "judul kelompok yang digabung) dilewati. Letakkan judul kolom di baris 1 agar pesan ini "
                           "hilang", en="{src}: the header is on row {r}; the {n} rows above it (a title or a merged "
                           "group header) were skipped. Keep the header on row 1 to silence this", src=source,
                           r=numbers[at], n=above))
    header = ["" if c is None or (isinstance(c, float) and math.isnan(c)) else str(c).strip() for c in grid[at]]
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name and name in seen:
            out.add(source, _("read.row", id="baris {n}", en="row {n}", n=numbers[at]), name, None,
                    _("read.twice", id="kolom ini muncul dua kali (kolom {a} dan {b}); simpan satu",
                      en="the column appears twice (columns {a} and {b}); keep one", a=seen[name] + 1, b=i + 1))
        seen.setdefault(name, i)
    columns = [c for c in seen if c]
    rows, nums, broken = [], [], set()
    for cells, n in zip(grid[at + 1:], numbers[at + 1:]):
        extra = [c for c in cells[len(header):] if not _is_blank(c)]
        if extra:
            broken.add(len(rows))
            out.add(source, _("read.row", id="baris {n}", en="row {n}", n=n), "", None,
                    _("read.row_too_long", id="baris ini berisi {c} sel, padahal judul kolomnya {h}: ada nilai yang "
                      "memuat tanda pemisah? Beri tanda kutip (koma desimal: \"120,88\") atau pakai titik desimal",
                      en="the row has {c} cells but the header has {h}: a value contains the separator? Quote it "
                         "(a decimal comma: \"120,88\") or use a decimal point",
                      c=max(i for i, c in enumerate(cells) if not _is_blank(c)) + 1, h=len(header)))
        rows.append({c: (cells[i] if i < len(cells) else blank) for c, i in seen.items() if c})
        nums.append(n)
    return _Table(source, columns, rows, None, nums, broken)


def _csv_table(path: Path, layer: str, out: _Collector) -> _Table:
    parsed = read_csv_rows(path.read_bytes(), expected=_header_columns(layer))
    for note in parsed.decoded.notes:
        out.warn(_("read.text_note", id="{f}: {note} (Excel: 'CSV UTF-8')", en="{f}: {note} (Excel: 'CSV UTF-8')",
                   f=path.name, note=note))  # the note is in the language in use (io/_text.py)
    if parsed.delimiter != ",":
        out.warn(_("read.delimiter", id="{f}: dibaca dengan pemisah {d}, bukan koma", en="{f}: read as {d}-separated, "
                   "not comma-separated", f=path.name, d=delimiter_name(parsed.delimiter)))
    return _grid_table(path.name, layer, [list(r) for r in parsed.rows], parsed.numbers, "", out)


def _spec(value: Any) -> dict[str, Any]:
    return {"path": value} if isinstance(value, str) else dict(value)


def _read_table(root: Path, name: str, spec: dict[str, Any], out: _Collector) -> _Table | None:
    path = root / str(spec.get("path", ""))
    source = path.name + (_("read.in_sheet", id=" (sheet {s})", en=" (sheet {s})", s=spec.get("sheet", name))
                          if path.suffix.lower() in {".xlsx", ".xlsm"} else "")
    if not spec.get("path"):
        out.add("workspace.toml", f"[layers] {name}", "path", None,
                _("read.layer_no_path", id="lapisan ini perlu path (nama berkasnya)", en="the layer needs a path"))
        return None
    if not path.is_file():
        out.add("workspace.toml", f"[layers] {name}", "path", str(spec["path"]),
                _("read.file_not_found", id="berkas tidak ditemukan: {p}", en="file not found: {p}", p=path))
        return None
    if path.stat().st_size == 0:
        out.add(path.name, "", "", None, _("read.file_empty", id="berkas ini kosong (baris judul kolom pun tidak ada)",
                                           en="the file is empty (not even a header row)"))
        return None
    suffix = path.suffix.lower()
    declared_crs = spec.get("crs")
    try:
        if suffix in SPATIAL_SUFFIXES:
            return _read_spatial(path, name, spec, declared_crs, out)
        if suffix == ".csv":
            table = _csv_table(path, name, out)
        elif suffix in {".xlsx", ".xlsm"}:
            import openpyxl

            sheet = spec.get("sheet", name)
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                if sheet not in wb.sheetnames:
                    out.add(path.name, _("read.sheet", id="sheet {s}", en="sheet {s}", s=repr(sheet)), "", sheet,
                            _("read.sheet_not_found", id="sheet tidak ditemukan; sheet di buku kerja ini: {names}",
                              en="sheet not found; the workbook has: {names}", names=", ".join(wb.sheetnames)))
                    return None
                grid, numbers = [], []
                for n, cells in enumerate(wb[sheet].iter_rows(values_only=True), 1):
                    if any(not _is_blank(c) for c in cells):
                        grid.append(list(cells))
                        numbers.append(n)
            finally:
                wb.close()
            table = _grid_table(source, name, grid, numbers, None, out)
        else:
            out.add("workspace.toml", f"[layers] {name}", "path", str(spec["path"]),
                    _("read.unknown_file_type", id="jenis berkas tidak dikenal; pakai .csv, .xlsx, .geojson, .gpkg "
                      "atau .shp", en="unknown file type; use .csv, .xlsx, .geojson, .gpkg or .shp"))
            return None
    except Exception as exc:  # a corrupt file: report, do not crash
        out.add(source, "", "", None, _("read.cannot_read", id="berkas tidak dapat dibaca: {e}",
                                        en="cannot read the file: {e}", e=exc))
        return None
    if declared_crs and table.rows and "lon" in table.columns and "lat" in table.columns:
        _transform_rows(table, declared_crs, out)
    return table


def _transform_rows(table: _Table, crs: str, out: _Collector) -> None:
    from pyproj import CRS, Transformer

    try:
        src = CRS.from_user_input(crs)
    except Exception:
        out.add(table.source, "", "crs", crs, _("read.unknown_crs", id="CRS tidak dikenal; pakai kode EPSG seperti "
                                                "'EPSG:32751'", en="unknown CRS; use an EPSG code such as 'EPSG:32751'"))
        return
    if src.equals(CRS.from_epsg(4326)):
        return
    tr = Transformer.from_crs(src, 4326, always_xy=True)
    for row in table.rows:
        try:
            x, y = float(row["lon"]), float(row["lat"])
        except (TypeError, ValueError):
            continue  # reported later as a bad number
        row["lon"], row["lat"] = tr.transform(x, y)


def _read_spatial(path: Path, name: str, spec: dict, declared_crs: str | None, out: _Collector) -> _Table | None:
    import geopandas as gpd
    import pyogrio

    layer = spec.get("layer")
    if path.suffix.lower() == ".gpkg":
        layers = [str(x[0]) for x in pyogrio.list_layers(path)]
        layer = layer or name
        if layer not in layers:
            out.add(path.name, _("read.layer", id="layer {s}", en="layer {s}", s=repr(layer)), "", layer,
                    _("read.gpkg_layer_not_found", id="layer tidak ditemukan; layer di GeoPackage ini: {names}",
                      en="layer not found; the GeoPackage has: {names}", names=", ".join(layers)))
            return None
    gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    source = path.name + (_("read.in_layer", id=" (layer {s})", en=" (layer {s})", s=layer) if layer else "")
    if gdf.crs is None:
        if declared_crs:
            gdf = gdf.set_crs(declared_crs)
    elif declared_crs and not gdf.crs.equals(declared_crs):
        out.warn(_("read.crs_conflict", id="{src}: berkas menyatakan {f} tetapi [layers] menyatakan {d}; CRS dari "
                   "berkas yang dipakai", en="{src}: the file says {f} but [layers] declares {d}; the file's CRS is "
                   "used", src=source, f=gdf.crs.to_string(), d=declared_crs))
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        out.warn(_("read.reprojected", id="{src}: diproyeksikan ulang dari {f} ke WGS84 (EPSG:4326)",
                   en="{src}: reprojected from {f} to WGS84 (EPSG:4326)", src=source, f=gdf.crs.to_string()))
        gdf = gdf.to_crs(4326)
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    df = gdf[cols]
    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    return _Table(source, cols, rows, list(gdf.geometry.values))


# --------------------------------------------------------------------------- layers -> entities
def _normalise_wkt(geom: Any) -> str:
    import shapely

    return shapely.to_wkt(geom, rounding_precision=6, trim=True)


def _layer_rows(table: _Table, layer: str, services: tuple[Service, ...], out: _Collector):
    """Yield (where, values) per row with cells coerced to the schema; problems recorded."""
    schema = layer_schema(layer, services)
    present = set(table.columns)
    geom_points = table.geoms is not None and {"lon", "lat"} - present
    if not table.rows:
        if layer == "villages":
            out.add(table.source, "", "", None, _("read.empty_villages", id="lapisan ini kosong; perlu sedikitnya satu "
                                                  "desa", en="the layer is empty; at least one village is needed"))
        return
    missing = [c for c, (_, req) in schema.items() if req and c not in present
               and not (geom_points and c in ("lon", "lat"))]
    if missing:
        out.add(table.source, "", ", ".join(missing), None,
                _("read.missing_columns", id="kolom tidak ada; kolom yang ada: {cols}", en="missing column(s); "
                  "columns present: {cols}", cols=", ".join(table.columns) or "-"))
        return
    id_col = "code" if layer == "villages" else "id"
    for i, row in enumerate(table.rows):
        if i in table.broken:
            continue
        rid = row.get(id_col)
        if table.geoms is not None:
            where = _("read.feature", id="fitur {n}", en="feature {n}", n=i + 1)
        else:
            where = _("read.row", id="baris {n}", en="row {n}", n=table.numbers[i] if table.numbers else i + 2)
        label = _("read.code_word", id="kode", en="code") if id_col == "code" else id_col
        where += "" if _is_blank(rid) else f" ({label} {_coerce('str', rid)})"
        values: dict[str, Any] = {}
        ok = True
        for col, (kind, required) in schema.items():
            v = row.get(col)
            if _is_blank(v):
                if required and not (geom_points and col in ("lon", "lat")):
                    out.add(table.source, where, col, None, _("read.required_empty", id="nilai wajib kosong",
                                                              en="required value is empty"))
                    ok = False
                continue
            try:
                values[col] = _coerce(kind, v)
            except (ValueError, TypeError, OverflowError):
                out.add(table.source, where, col, v, _("read.expected", id="seharusnya {k}", en="expected {k}",
                                                       k=_kind_help(kind)))
                ok = False
        if table.geoms is not None:
            geom = table.geoms[i]
            if geom is not None and not geom.is_empty:
                if geom.geom_type == "Point":
                    values.setdefault("lon", geom.x)
                    values.setdefault("lat", geom.y)
                elif geom.geom_type in ("Polygon", "MultiPolygon"):
                    values["wkt"] = _normalise_wkt(geom)
                    if "lon" not in values or "lat" not in values:
                        p = geom.representative_point()
                        values.setdefault("lon", p.x)
                        values.setdefault("lat", p.y)
                elif "lon" not in values or "lat" not in values:
                    out.add(table.source, where, "geometry", geom.geom_type,
                            _("read.not_a_point", id="geometrinya {g}, padahal {what} adalah sebuah tempat: lapisan "
                              "ini perlu satu Point per fitur (atau kolom lon/lat). Ubah geometrinya menjadi titik "
                              "(mis. QGIS: Vector > Geometry Tools > Centroids) atau isi lon/lat",
                              en="the geometry is a {g}, but a {what} is a place: this layer needs one Point per "
                                 "feature (or lon/lat columns). Convert the geometries to points (e.g. QGIS: Vector > "
                                 "Geometry Tools > Centroids) or fill lon/lat", g=geom.geom_type, what=_noun(layer)))
                    ok = False
        elif "wkt" in values:
            import shapely

            try:
                values["wkt"] = _normalise_wkt(shapely.from_wkt(values["wkt"]))
            except Exception:
                out.add(table.source, where, "wkt", values["wkt"][:40],
                        _("read.bad_wkt", id="bukan geometri WKT yang valid", en="not a valid WKT geometry"))
                ok = False
        if "lon" not in values or "lat" not in values:
            if ok:
                out.add(table.source, where, "lon/lat", None, _("read.no_coords", id="tidak ada koordinat (sel kosong "
                                                                "dan tidak ada geometri titik)", en="no coordinates "
                                                                "(empty cells and no point geometry)"))
            ok = False
        if ok:
            yield where, values


def _noun(layer: str) -> str:
    """One feature of ``layer``, in the language in use ("a village is a place")."""
    return {"villages": _("read.noun.village", id="desa", en="village"),
            "schools": _("read.noun.school", id="sekolah", en="school"),
            "home_visit_requests": _("read.noun.request", id="permintaan kunjungan rumah", en="home visit request"),
            "deliveries": _("read.noun.delivery", id="antaran", en="delivery"),
            "lodgings": _("read.noun.lodging", id="penginapan", en="lodging")}.get(layer, layer)


def _villages(table: _Table, services, area, out: _Collector) -> list[Village]:
    result = []
    for where, v in _layer_rows(table, "villages", services, out):
        if not _check_point(v["lon"], v["lat"], area, table.source, where, out):
            continue
        _check_own_polygon(v, table.source, where, out)
        data = {
            "code": v["code"], "name": v["name"], "district_code": v["district_code"],
            "district_name": v["district_name"], "population": v["population"],
            "postal_code": v.get("postal_code"), "lon": v["lon"], "lat": v["lat"],
            "boundary_wkt": v.get("wkt"),
            **{k: v.get(k) for k in ("contact_name", "contact_role", "contact_phone", "session_place")},
            "eligible": {s.id: v[f"{s.id}_eligible"] for s in services},
            "covered": {s.id: v[f"{s.id}_covered"] for s in services},
        }
        village = _build(Village, data, table.source, where, out)
        if village is None:
            continue
        # a population of 0 is legal (reference estimates of small villages) and used by nothing in the plan:
        # ``check`` names such villages once (io/setup_hints.py), instead of a warning on every command
        for s in services:
            e, c = village.eligible[s.id], village.covered[s.id]
            if e < c <= e * (1 + OVER_COVERAGE_TOLERANCE) + 1:
                out.warn(_("read.over_100", id="{src}, {where}: cakupan {s} {p} (di atas 100%); jumlah wajibnya "
                           "mungkin kedaluwarsa; dianggap tercakup penuh", en="{src}, {where}: {s} coverage is {p} "
                           "(above 100%); the eligible count is probably out of date; treated as fully covered",
                           src=table.source, where=where, s=s.id, p=fmt_pct(c / max(e, 1), 1)))
        result.append(village)
    return result


def _schools(table, services, area, out) -> list[School]:
    result = []
    for where, v in _layer_rows(table, "schools", services, out):
        if not _check_point(v["lon"], v["lat"], area, table.source, where, out):
            continue
        data = {k: v[k] for k in ("id", "name", "village_code", "lon", "lat")}
        data.update(level=v.get("level", ""), notes=v.get("notes", ""),
                    needed={s.id: v[f"{s.id}_needed"] for s in services if s.at_schools})
        if (x := _build(School, data, table.source, where, out)) is not None:
            result.append(x)
    return result


def _requests(table, services, area, out) -> list[HomeVisitRequest]:
    result = []
    for where, v in _layer_rows(table, "home_visit_requests", services, out):
        if not _check_point(v["lon"], v["lat"], area, table.source, where, out):
            continue
        data = {k: v[k] for k in ("id", "name", "reason", "services", "village_code", "lon", "lat", "requested_on")}
        data.update(nik=v.get("nik"), address=v.get("address", ""), windows=v.get("windows", ()),
                    notes=v.get("notes", ""))
        if (x := _build(HomeVisitRequest, data, table.source, where, out)) is not None:
            result.append(x)
    return result


def _deliveries(table, services, area, out) -> list[Delivery]:
    result = []
    for where, v in _layer_rows(table, "deliveries", services, out):
        if not _check_point(v["lon"], v["lat"], area, table.source, where, out):
            continue
        data = {k: v[k] for k in ("id", "document", "recipient", "village_code", "lon", "lat", "ready_on")}
        data.update(address=v.get("address", ""), due_on=v.get("due_on"))
        if (x := _build(Delivery, data, table.source, where, out)) is not None:
            result.append(x)
    return result


def _lodgings(table, services, area, out) -> list[Lodging]:
    result = []
    for where, v in _layer_rows(table, "lodgings", services, out):
        if not _check_point(v["lon"], v["lat"], area, table.source, where, out):
            continue
        data = {k: v[k] for k in ("id", "name", "lon", "lat")}
        for k in ("kind", "capacity", "cost_per_night", "village_code"):
            if k in v:
                data[k] = v[k]
        if "approximate" in v:
            flag = str(v["approximate"]).strip().lower()
            if flag not in ("true", "false", "1", "0", "yes", "no"):
                out.add(table.source, where, "approximate", v["approximate"],
                        _("read.expected_bool", id="seharusnya true atau false", en="expected true or false"))
                continue
            data["approximate"] = flag in ("true", "1", "yes")
        if (x := _build(Lodging, data, table.source, where, out)) is not None:
            result.append(x)
    return result


# --------------------------------------------------------------------------- workspace.toml
def _locate(path: str | Path) -> tuple[Path, Path]:
    p = Path(path)
    if p.is_dir():
        return p, p / "workspace.toml"
    return p.parent, p


def _config(cfg: dict, out: _Collector) -> dict[str, Any]:
    src = "workspace.toml"
    parts: dict[str, Any] = {}
    for key in ("regency", "calendar", "services", "teams", "depots", "layers"):
        if key not in cfg:
            out.add(src, f"[{key}]", "", None, _("read.section_missing", id="bagian wajib ini tidak ada",
                                                 en="required section is missing"))
    known = {"regency", "depots", "calendar", "services", "teams", "policy", "travel", "layers"}
    for key in cfg:
        if key not in known:
            out.add(src, f"[{key}]", "", None, _("read.section_unknown", id="bagian tidak dikenal; yang boleh: {a}",
                                                 en="unknown section; allowed: {a}", a=", ".join(sorted(known))))
    if "regency" in cfg:
        parts["regency"] = _build(Regency, cfg["regency"], src, "[regency]", out)
    if "calendar" in cfg:
        parts["calendar"] = _build(Calendar, cfg["calendar"], src, "[calendar]", out)
    parts["policy"] = _build(Policy, cfg.get("policy", {}), src, "[policy]", out)
    parts["travel"] = _build(TravelConfig, cfg.get("travel", {}), src, "[travel]", out)
    for key, model, label in (("depots", Depot, "depot"), ("services", Service, "service"), ("teams", Team, "team")):
        items = cfg.get(key, [])
        if not isinstance(items, list):
            out.add(src, f"[[{key}]]", "", None, _("read.not_array", id="harus berupa array of tables: [[{k}]]",
                                                   en="must be an array of tables: [[{k}]]", k=key))
            items = []
        built = []
        for n, item in enumerate(items, 1):
            where = f"[[{key}]] #{n}" + (f" ({where_label(label, item.get('id'))})"
                                         if isinstance(item, dict) and "id" in item else "")
            try:
                built.append(model.model_validate(item))
            except ValidationError as err:
                _validation_problems(err, src, where, out)
                if key in ("services", "depots") and isinstance(item, dict) and isinstance(item.get("id"), str):
                    bad = {e["loc"][0] for e in err.errors() if e["loc"]}
                    built.append(_declared(model, item, bad))
        parts[key] = tuple(built)
    return parts


def _declared(model: type[BaseModel], item: dict, bad: set) -> Any:
    """A service or depot whose entry has a problem (reported already) still counts as declared:
    the cross-checks must not turn one bad value into an "unknown service" per village, school,
    request and team. Only its valid keys are kept (the workspace is not built: there is an error)."""
    return model.model_construct(**{k: v for k, v in item.items() if k in model.model_fields and (k == "id" or k not in bad)})


def _load_toml(toml_path: Path) -> tuple[dict, list[str]]:
    if not toml_path.is_file():
        raise InputError([Problem(str(toml_path), "", "", None, _(
            "read.no_toml", id="workspace.toml tidak ditemukan; wilayah kerja adalah folder berisi workspace.toml dan "
            "lapisannya (lihat docs/workspace.md; wilayah baru: outreach-planner init)", en="workspace.toml not "
            "found; a workspace is a folder with workspace.toml and its layers (see docs/workspace.md; a new regency: "
            "outreach-planner init)"))])
    decoded = decode(toml_path.read_bytes())
    try:
        cfg = tomllib.loads(decoded.text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(toml_path.name, "", "", None, _("read.bad_toml", id="bukan TOML yang valid: {e}",
                                                                  en="not valid TOML: {e}", e=exc))]) from None
    notes = [f"{toml_path.name}: {n}" for n in decoded.notes]
    if decoded.had_bom:
        notes.append(_("read.bom", id="{f}: berkas diawali byte-order mark (BOM), yang tidak dibolehkan TOML; BOM "
                       "dilewati. Simpan berkasnya sebagai UTF-8 tanpa BOM", en="{f}: the file starts with a "
                       "byte-order mark (BOM), which TOML does not allow; it was skipped. Save the file as UTF-8 "
                       "without BOM", f=toml_path.name))
    return cfg, notes


def _area(root: Path, layers: dict, villages_table: _Table | None, out: _Collector) -> _Area | None:
    import shapely

    if "boundary" in layers:
        t = _read_table(root, "boundary", _spec(layers["boundary"]), out)
        geoms = [g for g in (t.geoms or []) if g is not None and not g.is_empty
                 and g.geom_type in ("Polygon", "MultiPolygon")] if t else []
        if t is not None and not geoms:
            out.add(t.source, "", "geometry", None, _("read.boundary_no_polygon", id="lapisan batas (boundary) tidak "
                                                      "berisi poligon", en="the boundary layer has no polygon"))
        if not geoms:
            return None
        # One feature is used as is: union_all would re-order its rings (a written
        # workspace must read back to the same boundary_wkt).
        return _Area(geoms[0] if len(geoms) == 1 else shapely.union_all(geoms))
    if villages_table is not None and villages_table.geoms:
        polys = [g for g in villages_table.geoms if g is not None and g.geom_type in ("Polygon", "MultiPolygon")]
        if polys:
            return _Area(shapely.union_all(polys))
    return None


def _check_travel(root: Path, travel: TravelConfig, teams: tuple[Team, ...], out: _Collector) -> None:
    """``[travel]``: every team's vehicle has speeds; a road network model needs a readable line layer."""
    from ..travel.road_network import DEFAULT_CLASS_SPEEDS_KMH, inspect_network

    known = travel.speed_kmh if travel.model == "great_circle" else DEFAULT_CLASS_SPEEDS_KMH
    for t in teams:
        if t.vehicle not in known:
            out.add("workspace.toml [[teams]]", where_label("team", t.id), "vehicle", t.vehicle,
                    _("read.no_speed", id="tidak ada kecepatan untuk kendaraan ini pada model perjalanan {m}; yang "
                      "ada: {known}", en="no speed for this vehicle in the {m} travel model; known: {known}",
                      m=travel.model, known=", ".join(sorted(known)))
                    + (_("read.no_speed_fix", id=" (tambahkan ke [travel.speed_kmh])",
                         en=" (add it to [travel.speed_kmh])") if travel.model == "great_circle" else ""))
    if travel.model != "road_network":
        return
    where = "[travel]"
    if not travel.network:
        out.add("workspace.toml", where, "network", None,
                _("read.no_network", id='model = "road_network" perlu lapisan garis jalan: network = "roads.gpkg" '
                  "(relatif terhadap folder wilayah kerja)", en='model = "road_network" needs a road line layer: '
                  'network = "roads.gpkg" (relative to the workspace folder)'))
        return
    for message in inspect_network(root / travel.network):
        out.add("workspace.toml", where, "network", travel.network, message)


def read_workspace(path: str | Path) -> Workspace:
    """Read and validate a workspace folder (or its ``workspace.toml``).

    Every problem is collected before anything is reported: the one ``InputError``
    raised lists them all (file, row or id, field, value, what is allowed). Legal
    but suspicious input is reported with :class:`~outreach_planner.errors.InputWarning`.

    Parameters
    ----------
    path
        The workspace folder, or the path of its ``workspace.toml``.

    Returns
    -------
    Workspace
        The validated, frozen workspace.
    """
    root, toml_path = _locate(path)
    cfg, notes = _load_toml(toml_path)
    out = _Collector(warnings=notes)
    parts = _config(cfg, out)
    services = parts.get("services", ())
    layers = cfg.get("layers", {}) if isinstance(cfg.get("layers", {}), dict) else {}
    known_layers = {"villages", "schools", "home_visit_requests", "deliveries", "lodgings", "boundary", "crossings"}
    for key in layers:
        if key not in known_layers:
            out.add("workspace.toml", f"[layers] {key}", "", None,
                    _("read.layer_unknown", id="lapisan tidak dikenal; yang boleh: {a}",
                      en="unknown layer; allowed: {a}", a=", ".join(sorted(known_layers))))
    if "layers" in cfg and "villages" not in layers:
        out.add("workspace.toml", "[layers]", "villages", None,
                _("read.villages_required", id="lapisan villages (desa) wajib ada", en="the villages layer is required"))

    tables = {name: _read_table(root, name, _spec(layers[name]), out)
              for name in ("villages", "schools", "home_visit_requests", "deliveries", "lodgings") if name in layers}
    area = _area(root, layers, tables.get("villages"), out)
    readers = {"villages": _villages, "schools": _schools, "home_visit_requests": _requests, "deliveries": _deliveries,
               "lodgings": _lodgings}
    target = {"villages": "villages", "schools": "schools", "home_visit_requests": "requests", "deliveries": "deliveries",
              "lodgings": "lodgings"}
    for name, table in tables.items():
        if table is not None:
            parts[target[name]] = tuple(readers[name](table, services, area, out))
    if area is not None:
        parts["boundary_wkt"] = _normalise_wkt(area.geom)
    if "crossings" in layers:  # optional sea crossings (islands), see io/crossings.py
        from .crossings import read_crossings

        parts["crossings"] = read_crossings(root, layers["crossings"], out.add)
    if parts.get("travel") is not None:
        _check_travel(root, parts["travel"], parts.get("teams", ()), out)
    if parts.get("calendar") is not None:
        out.warnings.extend(break_findings(parts["calendar"], parts.get("teams", ()))[1])
    trippers = [t.id for t in parts.get("teams") or () if t.field_trips]
    if trippers and not parts.get("lodgings"):  # the planner would silently plan day trips only
        out.warn(_("read.trips_no_lodgings",
                   id="workspace.toml [[teams]]: {teams} boleh melakukan perjalanan dinas (field_trips = true), tetapi "
                      "wilayah kerja ini tidak punya penginapan, jadi hanya perjalanan pulang hari yang direncanakan; "
                      "tambahkan lapisan lodgings di [layers] (mis. lodgings = \"lodgings.csv\") atau tulis "
                      "field_trips = false",
                   en="workspace.toml [[teams]]: {teams} may go on field trips (field_trips = true), but the workspace "
                      "has no lodgings, so only day trips are planned; add a lodgings layer to [layers] (e.g. "
                      "lodgings = \"lodgings.csv\") or set field_trips = false",
                   teams=", ".join(where_label("team", t) for t in trippers)))

    # A row naming a village whose own row was rejected (or whose layer could not be read) is
    # not "unknown": that village's problem is reported already; do not bury it under echoes.
    read_codes = {v.code for v in parts.get("villages") or ()}
    vt = tables.get("villages")
    rejected = {_coerce("str", r.get("code")) for r in (vt.rows if vt else []) if not _is_blank(r.get("code"))} - read_codes
    out.problems.extend(
        p for p in cross_check({k: v for k, v in parts.items() if v is not None})
        if not (p.field == "village_code" and p.message == unknown_village_code()
                and (not read_codes or p.value in rejected))
        and not (vt is not None and vt.rows and p.source == "villages" and not p.where and not p.field)
    )
    if out.problems:
        raise InputError(out.problems)
    for w in out.warnings:
        warnings.warn(w, InputWarning, stacklevel=2)
    return Workspace(**parts)


def read_settings(path: str | Path) -> tuple[dict[str, Any], list[Problem]]:
    """The parts of ``workspace.toml`` that read (``regency``, ``calendar``, ``policy``, ``travel``, ``depots``,
    ``services``, ``teams``; an entry with a problem is left out, a service or depot kept as declared) and the
    file's own problems, without its layers: for a tool that must still show an incomplete workspace (the desk).
    Raises ``InputError`` when there is no ``workspace.toml`` or it is not TOML."""
    _root, toml_path = _locate(path)
    cfg, notes = _load_toml(toml_path)
    out = _Collector(warnings=notes)
    parts = _config(cfg, out)
    return parts, out.problems
